import { storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { instanceRef, withExecutionOption } from '../instance-argument.js';

/** Options of `redflow cancel`. */
export interface CancelCommandOptions extends StoreCommandOptions {
  execution?: string;
}

/** `redflow cancel <instanceId>`: asks a workflow to cancel. */
export const registerCancel: CommandRegistration = (program, { output }) => {
  storeCommand(
    withExecutionOption(
      program
        .command('cancel')
        .summary('ask an instance to cancel')
        .description(
          'Ask a workflow instance to cancel: its code sees its context cancelled, may clean up, then ends. An instance ' +
            'that has finished is left alone (and says so). Exits 1 when the instance is not found.',
        )
        .argument('<instanceId>', 'the instance id'),
    ),
    'to write to',
  ).action(async (instanceId: string, options: CancelCommandOptions) => {
    const ref = instanceRef(instanceId, options.execution);
    // The state before the request: read after it, a quick cancellation would look like an instance long done.
    const state = await withClient(options, async (client) => {
      const before = await client.getWorkflowInstanceState(ref);
      await client.cancelWorkflowInstance(ref);
      return before;
    });
    if (options.json === true) writeJson(output, { instanceId, cancelRequested: state === 'active', state });
    else if (state === 'active') output.out(`Asked ${instanceId} to cancel.`);
    else output.out(`${instanceId} has already ended (${state}): nothing to cancel.`);
  });
};
