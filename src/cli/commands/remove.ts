import { storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { parseTimeArgument, TIME_ARGUMENT_HELP } from '../format/time-argument.js';
import { formatDate } from '../format/values.js';
import { instanceRef, withExecutionOption } from '../instance-argument.js';
import { UsageError } from '../usage-error.js';

/** Options of `redflow remove`. */
export interface RemoveCommandOptions extends StoreCommandOptions {
  execution?: string;
  finishedBefore?: Date;
}

/** `redflow remove <instanceId>` or `redflow remove --finished-before <time>`: deletes finished instances. */
export const registerRemove: CommandRegistration = (program, { output }) => {
  storeCommand(
    withExecutionOption(
      program
        .command('remove')
        .summary('delete a finished instance, or every instance finished before a time')
        .description(
          'Delete a finished workflow instance (with every execution of its continue-as-new chain and their histories), ' +
            `or, with --finished-before, every instance that finished before a time: ${TIME_ARGUMENT_HELP}. Exits 1` +
            ' when the instance is not ' +
            'found or is still active (nothing is deleted then).',
        )
        .argument('[instanceId]', 'the instance id')
        .option('--finished-before <time>', 'remove every instance finished before this ISO time (UTC unless it has an offset) or duration ago (7d)', (text) => parseTimeArgument(text)),
    ),
    'to delete from',
  ).action(async (instanceId: string | undefined, options: RemoveCommandOptions) => {
    const { finishedBefore } = options;
    if ((instanceId === undefined) === (finishedBefore === undefined)) {
      throw new UsageError('remove takes an instance id or --finished-before <time>, not both and not neither');
    }
    if (finishedBefore !== undefined) {
      if (options.execution !== undefined) throw new UsageError('--execution goes with an instance id, not with --finished-before');
      const removed = await withClient(options, (client) => client.removeWorkflowInstances({ finishedBefore }));
      if (options.json === true) writeJson(output, { finishedBefore, removedExecutions: removed });
      else output.out(`Removed ${removed} ${removed === 1 ? 'execution' : 'executions'} finished before ${formatDate(finishedBefore)}.`);
      return;
    }
    const id = instanceId as string;
    await withClient(options, (client) => client.removeWorkflowInstance(instanceRef(id, options.execution)));
    if (options.json === true) writeJson(output, { instanceId: id, removed: true });
    else output.out(`Removed ${id}.`);
  });
};
