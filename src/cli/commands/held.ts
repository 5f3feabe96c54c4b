import type { HeldWorkflowInstanceInfo } from '../../backend/backend.js';
import { positiveInteger, storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { renderTable } from '../format/table.js';
import { formatDate } from '../format/values.js';
import { instanceRef, withExecutionOption } from '../instance-argument.js';
import { EXIT_FAILED, UsageError } from '../usage-error.js';

/** Options of `redflow held list`. */
export interface HeldListOptions extends StoreCommandOptions {
  limit: number;
  cursor?: string;
}

/** Options of `redflow held retry`. */
export interface HeldRetryOptions extends StoreCommandOptions {
  execution?: string;
}

/** One held execution as `redflow held --json` writes it. */
function heldJson(h: HeldWorkflowInstanceInfo): Record<string, unknown> {
  return {
    instanceId: h.instance.instanceId,
    executionId: h.instance.executionId,
    workflow: h.name,
    queue: h.queue,
    reason: h.reason,
    error: h.error,
    since: h.since,
    attempts: h.attempts,
    retryAt: h.retryAt ?? null,
    parked: h.parked,
  };
}

/** `redflow held` (`held list`) and `redflow held retry <instanceId>`: held workflow tasks. */
export const registerHeld: CommandRegistration = (program, { output, exit }) => {
  const held = program
    .command('held')
    .summary('list held instances, or retry one (held retry <instanceId>)')
    .description('Workflow instances whose workflow task is held (a failure outside the workflow code): list them (the default), or retry one');
  storeCommand(
    held
      .command('list', { isDefault: true })
      .description('List held instances, newest hold first: reason, attempts, next attempt (or parked), and the error')
      .option('--limit <n>', 'show at most this many (1 to 1000)', positiveInteger, 25)
      .option('--cursor <cursor>', 'go on after the page that printed this cursor'),
    'to read',
  ).action(async (options: HeldListOptions) => {
    if (options.limit > 1000) throw new UsageError('--limit must be at most 1000');
    const page = await withClient(options, (client) =>
      client.listHeldWorkflowInstances(options.cursor === undefined ? { count: options.limit } : { count: options.limit, cursor: options.cursor }),
    );
    if (options.json === true) {
      writeJson(output, { instances: page.instances.map(heldJson), nextCursor: page.nextCursor ?? null });
      return;
    }
    if (page.instances.length === 0) output.out('No held instances.');
    else {
      const rows = page.instances.map((h) => [
        h.instance.instanceId,
        h.name,
        h.queue,
        h.reason,
        String(h.attempts),
        formatDate(h.since),
        h.parked ? 'parked' : formatDate(h.retryAt),
        `${h.error.type}: ${h.error.message}`,
      ]);
      for (const line of renderTable(['INSTANCE', 'WORKFLOW', 'QUEUE', 'REASON', 'ATTEMPTS', 'SINCE', 'NEXT ATTEMPT', 'ERROR'], rows)) output.out(line);
    }
    if (page.nextCursor !== undefined) output.out(`More: --cursor ${page.nextCursor}`);
  });
  storeCommand(
    withExecutionOption(
      held
        .command('retry')
        .description('Run a held instance\'s workflow task again now, parked or not (fix the cause first). Exits 1 when it is not held or not found.')
        .argument('<instanceId>', 'the instance id'),
    ),
    'to write to',
  ).action(async (instanceId: string, options: HeldRetryOptions) => {
    const retried = await withClient(options, (client) => client.retryHeldWorkflowInstance(instanceRef(instanceId, options.execution)));
    if (options.json === true) writeJson(output, { instanceId, retried });
    else if (retried) output.out(`Retrying ${instanceId} now.`);
    else output.err(`redflow: ${instanceId} is not held: nothing to retry`);
    if (!retried) exit.code = EXIT_FAILED;
  });
};
