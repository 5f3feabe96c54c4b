import type { WorkflowInstanceDescription } from '../../client/instance-description.js';
import type { FailureInfo } from '../../errors/failure-info.js';
import { storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { renderFields, renderTable } from '../format/table.js';
import { compact, formatDate } from '../format/values.js';
import { instanceRef, withExecutionOption } from '../instance-argument.js';

/** Options of `redflow show`. */
export interface ShowCommandOptions extends StoreCommandOptions {
  execution?: string;
}

function failureLine(error: FailureInfo): string {
  return `${error.type}: ${error.message}`;
}

function holdLine(d: WorkflowInstanceDescription): string | undefined {
  const { hold } = d;
  if (hold === undefined) return undefined;
  const next = hold.parked ? 'parked (retry it with: redflow held retry)' : `next attempt ${formatDate(hold.retryAt)}`;
  return `${hold.reason} since ${formatDate(hold.since)}, ${hold.attempts} attempt(s), ${next}: ${hold.error.type}: ${hold.error.message}`;
}

/** The lines `redflow show` writes for `d`. */
export function describeLines(d: WorkflowInstanceDescription): string[] {
  const lines = renderFields([
    ['Instance', d.instance.instanceId],
    ['Execution', d.instance.executionId],
    ['Workflow', d.name],
    ['Queue', d.queue],
    ['State', d.state],
    ['Outcome', d.outcome],
    ['Created', formatDate(d.createdAt)],
    ['Finished', d.finishedAt === undefined ? undefined : formatDate(d.finishedAt)],
    ['Inputs', d.inputs === undefined ? 'not recorded yet (its first workflow task has not run)' : compact(d.inputs, 200)],
    ['Result', d.outcome === 'completed' ? compact(d.result, 200) : undefined],
    ['Error', d.error === undefined ? undefined : failureLine(d.error)],
    ['Held', holdLine(d)],
    ['Parent', d.parent === undefined ? undefined : `${d.parent.instanceId} (execution ${d.parent.executionId})`],
    ['Continued from', d.continuedFrom?.executionId],
    ['Continued as', d.continuedTo?.executionId],
    ['History', `${d.historyLength} events`],
  ]);
  if (d.children.length > 0) {
    lines.push('', `Children (${d.children.length}):`);
    const rows = d.children.map((c) => [c.instance.instanceId, c.instance.executionId, c.name, c.queue, c.status, c.state ?? '-']);
    lines.push(...renderTable(['INSTANCE', 'EXECUTION', 'WORKFLOW', 'QUEUE', 'STATUS', 'STATE'], rows).map((line) => `  ${line}`));
  }
  const { activities, timers, subWorkflows, signals } = d.pending;
  const pending: string[][] = [
    ...activities.map((a) => ['activity', String(a.scheduleEventId), `${a.name} on ${a.queue}, attempt ${a.attempt + 1}`]),
    ...timers.map((t) => ['timer', String(t.scheduleEventId), `fires ${formatDate(t.firesAt)}`]),
    ...subWorkflows.map((s) => ['sub-workflow', String(s.scheduleEventId), `${s.attributes.name} ${s.attributes.instanceId}`]),
    ...signals.map((s) => ['signal', String(s.scheduleEventId), `${s.attributes.name} to ${s.attributes.instanceId}`]),
  ];
  lines.push('', pending.length === 0 ? 'Pending work: none' : `Pending work (${pending.length}):`);
  if (pending.length > 0) lines.push(...renderTable(['KIND', 'ID', 'WHAT'], pending).map((line) => `  ${line}`));
  return lines;
}

const refOf = (instance: { instanceId: string; executionId: string } | undefined): Record<string, string> | null =>
  instance === undefined ? null : { instanceId: instance.instanceId, executionId: instance.executionId };

/** `d` as `redflow show --json` writes it: every field present (null when it does not apply). */
export function describeJson(d: WorkflowInstanceDescription): Record<string, unknown> {
  return {
    instanceId: d.instance.instanceId,
    executionId: d.instance.executionId,
    workflow: d.name,
    queue: d.queue,
    state: d.state,
    createdAt: d.createdAt,
    finishedAt: d.finishedAt ?? null,
    inputs: d.inputs ?? null,
    outcome: d.outcome ?? null,
    result: d.outcome === 'completed' ? (d.result ?? null) : null,
    error: d.error ?? null,
    parent: d.parent === undefined ? null : { instanceId: d.parent.instanceId, executionId: d.parent.executionId, scheduleEventId: d.parent.scheduleEventId },
    children: d.children.map((c) => ({
      instanceId: c.instance.instanceId,
      executionId: c.instance.executionId,
      workflow: c.name,
      queue: c.queue,
      scheduleEventId: c.scheduleEventId,
      status: c.status,
      state: c.state ?? null,
    })),
    pending: {
      activities: d.pending.activities.map((a) => ({ scheduleEventId: a.scheduleEventId, name: a.name, queue: a.queue, attempt: a.attempt })),
      timers: d.pending.timers.map((t) => ({ scheduleEventId: t.scheduleEventId, firesAt: t.firesAt })),
      subWorkflows: d.pending.subWorkflows.map((s) => ({
        scheduleEventId: s.scheduleEventId,
        instanceId: s.attributes.instanceId,
        executionId: s.attributes.executionId,
        workflow: s.attributes.name,
        queue: s.attributes.queue,
      })),
      signals: d.pending.signals.map((s) => ({ scheduleEventId: s.scheduleEventId, instanceId: s.attributes.instanceId, name: s.attributes.name })),
    },
    hold: d.hold === undefined ? null : Object.assign({}, d.hold, { retryAt: d.hold.retryAt ?? null }),
    continuedFrom: refOf(d.continuedFrom),
    continuedTo: refOf(d.continuedTo),
    historyLength: d.historyLength,
  };
}

/** `redflow show <instanceId>`: everything about one execution (`Client.describeWorkflowInstance`). */
export const registerShow: CommandRegistration = (program, { output }) => {
  storeCommand(
    withExecutionOption(
      program
        .command('show')
        .summary('show one instance: state, outcome, parent and children, pending work, hold')
        .description(
          'Show one workflow instance: state, outcome (result or error), parent and children, pending work, and why ' +
            'it is held if it is. Exits 1 when the instance is not found.',
        )
        .argument('<instanceId>', 'the instance id'),
    ),
    'to read',
  ).action(async (instanceId: string, options: ShowCommandOptions) => {
    const description = await withClient(options, (client) => client.describeWorkflowInstance(instanceRef(instanceId, options.execution)));
    if (options.json === true) writeJson(output, describeJson(description));
    else for (const line of describeLines(description)) output.out(line);
  });
};
