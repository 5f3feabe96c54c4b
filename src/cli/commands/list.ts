import { Option } from 'commander';
import type { WorkflowInstanceInfo } from '../../backend/backend.js';
import type { ListFilteredWorkflowInstancesOptions } from '../../client/client.js';
import type { WorkflowInstanceState } from '../../core/instance.js';
import { positiveInteger, storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { renderTable } from '../format/table.js';
import { parseTimeArgument, TIME_ARGUMENT_HELP } from '../format/time-argument.js';
import { formatDate } from '../format/values.js';
import { UsageError } from '../usage-error.js';

/** Options of `redflow list`. */
export interface ListCommandOptions extends StoreCommandOptions {
  state?: WorkflowInstanceState;
  workflow?: string;
  queue?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

/** The most executions `redflow list` shows at once: the largest page of `listWorkflowInstances`. */
export const MAX_LIST_LIMIT = 1000;
/**
 * Pages `redflow list` reads at most to fill `--limit` when filtering leaves pages short (each reads at most
 * about 1000 index entries on Redis); then it shows what it found and the cursor to go on from.
 */
export const MAX_PAGES_PER_LIST = 10;

/** One execution as `redflow list --json` writes it. */
function listed(info: WorkflowInstanceInfo): Record<string, unknown> {
  return {
    instanceId: info.instance.instanceId,
    executionId: info.instance.executionId,
    workflow: info.name,
    queue: info.queue,
    state: info.state,
    createdAt: info.createdAt,
    finishedAt: info.finishedAt ?? null,
  };
}

/** `redflow list`: executions newest first, filtered, a page at a time. */
export const registerList: CommandRegistration = (program, { output }) => {
  storeCommand(
    program
      .command('list')
      .summary('list workflow executions, newest first (filters, paging)')
      .description(
        `List workflow executions, newest first. Filters combine; --since/--until take ${TIME_ARGUMENT_HELP}. When` +
          ' more match than --limit, the last line (or "nextCursor" in JSON) is the cursor for ' +
          'the next page: pass it with --cursor and the same filters.',
      )
      .addOption(new Option('--state <state>', 'only executions in this state').choices(['active', 'continued-as-new', 'finished']))
      .option('--workflow <name>', 'only executions of this workflow name')
      .option('--queue <queue>', 'only executions on this queue')
      .option('--since <time>', 'only executions created at or after this time', (text) => parseTimeArgument(text))
      .option('--until <time>', 'only executions created before this time', (text) => parseTimeArgument(text))
      .option('--limit <n>', `show at most this many (1 to ${MAX_LIST_LIMIT})`, positiveInteger, 25)
      .option('--cursor <cursor>', 'go on after the page that printed this cursor'),
    'to read',
  ).action(async (options: ListCommandOptions) => {
    if (options.limit > MAX_LIST_LIMIT) throw new UsageError(`--limit must be at most ${MAX_LIST_LIMIT}`);
    const filter: ListFilteredWorkflowInstancesOptions = {};
    if (options.state !== undefined) filter.state = options.state;
    if (options.workflow !== undefined) filter.name = options.workflow;
    if (options.queue !== undefined) filter.queue = options.queue;
    if (options.since !== undefined) filter.createdAfter = options.since;
    if (options.until !== undefined) filter.createdBefore = options.until;
    const { instances, nextCursor } = await withClient(options, async (client) => {
      const found: WorkflowInstanceInfo[] = [];
      let cursor = options.cursor;
      for (let pages = 0; pages < MAX_PAGES_PER_LIST && found.length < options.limit; pages++) {
        const page = await client.listWorkflowInstances(Object.assign({ count: options.limit - found.length }, filter, cursor === undefined ? {} : { cursor }));
        found.push(...page.instances);
        cursor = page.nextCursor;
        if (cursor === undefined) break;
      }
      return { instances: found, nextCursor: cursor };
    });
    if (options.json === true) {
      writeJson(output, { instances: instances.map(listed), nextCursor: nextCursor ?? null });
    } else {
      if (instances.length === 0) output.out('No workflow executions match.');
      else {
        const rows = instances.map((info) => [
          info.instance.instanceId,
          info.instance.executionId,
          info.name,
          info.queue,
          info.state,
          formatDate(info.createdAt),
          formatDate(info.finishedAt),
        ]);
        for (const line of renderTable(['INSTANCE', 'EXECUTION', 'WORKFLOW', 'QUEUE', 'STATE', 'CREATED', 'FINISHED'], rows)) output.out(line);
      }
      if (nextCursor !== undefined) output.out(`More: --cursor ${nextCursor}`);
    }
  });
};
