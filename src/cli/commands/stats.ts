import type { BackendStats } from '../../backend/backend.js';
import { storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { renderFields, renderTable } from '../format/table.js';
import { formatDate } from '../format/values.js';

/** The lines `redflow stats` writes for `stats`. */
export function statsLines(stats: BackendStats): string[] {
  const lines = renderFields([
    ['Active instances', String(stats.activeWorkflowInstances)],
    ['Held instances', String(stats.heldWorkflowInstances)],
    ['Dead letters', String(stats.deadLetterMessages)],
    ['Live workers', String(stats.liveWorkers)],
  ]);
  const queues = [...new Set([...Object.keys(stats.pendingWorkflowTasks), ...Object.keys(stats.pendingActivityTasks)])].sort();
  const unserved = (queue: string, kind: 'workflow' | 'activity'): boolean => stats.unservedQueues.some((u) => u.queue === queue && u.kind === kind);
  if (queues.length > 0) {
    lines.push('');
    const rows = queues.map((queue) => [
      queue,
      String(stats.pendingWorkflowTasks[queue] ?? 0),
      String(stats.pendingActivityTasks[queue] ?? 0),
      [unserved(queue, 'workflow') ? 'workflow tasks' : '', unserved(queue, 'activity') ? 'activity tasks' : ''].filter(Boolean).join(', ') || '-',
    ]);
    lines.push(...renderTable(['QUEUE', 'WORKFLOW TASKS', 'ACTIVITY TASKS', 'NO WORKER FOR'], rows));
  }
  if (stats.unservedNames.length > 0) {
    lines.push('', 'Names no live worker has registered (their tasks wait for a deploy that has them):');
    const rows = stats.unservedNames.map((u) => [u.kind, u.queue, u.name, formatDate(u.lastSeenAt)]);
    lines.push(...renderTable(['KIND', 'QUEUE', 'NAME', 'LAST SEEN'], rows).map((line) => `  ${line}`));
  }
  return lines;
}

/** `redflow stats`: the counts of `getStats`. */
export const registerStats: CommandRegistration = (program, { output }) => {
  storeCommand(
    program
      .command('stats')
      .summary('counts, backlog per queue, unserved queues and names')
      .description(
        'Show the counts of the store: active, held and dead-lettered work, live workers, pending tasks per queue, and ' +
          'the queues and names no live worker serves.',
      ),
    'to read',
  ).action(async (options: StoreCommandOptions) => {
    const stats = await withClient(options, (client) => client.getStats());
    if (options.json === true) writeJson(output, stats);
    else for (const line of statsLines(stats)) output.out(line);
  });
};
