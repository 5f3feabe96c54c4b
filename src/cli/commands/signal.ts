import { storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { UsageError } from '../usage-error.js';

/** Options of `redflow signal`. */
export interface SignalCommandOptions extends StoreCommandOptions {
  /** The signal's argument, as JSON text. */
  arg?: string;
}

/** `redflow signal <instanceId> <name>`: sends a signal to the instance's active execution. */
export const registerSignal: CommandRegistration = (program, { output }) => {
  storeCommand(
    program
      .command('signal')
      .summary('send a signal to an instance')
      .description('Send a signal to the active execution of a workflow instance. Exits 1 when it has none (not found or finished).')
      .argument('<instanceId>', 'the instance id')
      .argument('<name>', 'the signal name')
      .option('--arg <json>', 'the argument of the signal, as JSON (e.g. \'{"approved":true}\'); none when omitted'),
    'to write to',
  ).action(async (instanceId: string, name: string, options: SignalCommandOptions) => {
    let arg: unknown;
    if (options.arg !== undefined) {
      try {
        arg = JSON.parse(options.arg);
      } catch (err) {
        throw new UsageError(`--arg is not JSON: ${(err as Error).message}`);
      }
    }
    await withClient(options, (client) => client.signalWorkflow(instanceId, name, arg));
    if (options.json === true) writeJson(output, { instanceId, signal: name, sent: true });
    else output.out(`Sent signal ${name} to ${instanceId}.`);
  });
};
