import { Command, CommanderError } from 'commander';
import { redflowVersion } from '../core/redflow-version.js';
import {
  BackendUnavailableError,
  DeadLetterNotFoundError,
  InstanceAlreadyExistsError,
  InstanceNotFinishedError,
  InstanceNotFoundError,
  RedflowError,
} from '../errors/errors.js';
import type { CommandContext, CommandRegistration } from './command-context.js';
import { registerCancel } from './commands/cancel.js';
import { registerExportHistories } from './commands/export-histories.js';
import { registerHeld } from './commands/held.js';
import { registerHistory } from './commands/history.js';
import { registerList } from './commands/list.js';
import { registerRemove } from './commands/remove.js';
import { registerReplay } from './commands/replay.js';
import { registerShow } from './commands/show.js';
import { registerSignal } from './commands/signal.js';
import { registerStats } from './commands/stats.js';
import { registerUi } from './commands/ui.js';
import { registerWorkers } from './commands/workers.js';
import type { Output } from './output.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './usage-error.js';

/**
 * The commands of `redflow`, in the order `--help` lists them: one line per command, each defined in its own
 * file under `commands/` (a `CommandRegistration`). Add a command by adding its line here.
 */
const COMMANDS: readonly CommandRegistration[] = [
  registerList,
  registerShow,
  registerHistory,
  registerSignal,
  registerCancel,
  registerRemove,
  registerStats,
  registerWorkers,
  registerHeld,
  registerReplay,
  registerExportHistories,
  registerUi,
];

/** What `--help` says about exit statuses. */
export const EXIT_STATUS_HELP = `
Exit status:
  0  done
  1  not found or refused: the instance does not exist, is still active (remove), is not held (held retry), or a
     replayed history diverged (replay)
  2  could not run: bad arguments, the store cannot be reached, a module cannot be loaded

Connection: --redis <url> (default $REDIS_URL, else redis://127.0.0.1:6379), --prefix, --partitions.
Output: tables; --json writes one JSON document (dates as ISO 8601 strings) for scripts.`;

/** The `redflow` command line; each command's action sets `context.exit.code`. */
function buildProgram(context: CommandContext): Command {
  const { output } = context;
  const program = new Command('redflow')
    .description('Command line tools of redflow, durable workflows on Redis: inspect and operate workflow instances, check code against histories')
    .version(redflowVersion())
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .addHelpText('after', EXIT_STATUS_HELP);
  for (const register of COMMANDS) register(program, context);
  const withExitStatus = (command: Command): void => {
    for (const sub of command.commands) {
      sub.addHelpText('after', EXIT_STATUS_HELP);
      withExitStatus(sub);
    }
  };
  withExitStatus(program);
  return program;
}

/** The exit status and the one-line message for an error a command threw. */
function failureOf(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: EXIT_USAGE, message: err.message };
  if (err instanceof BackendUnavailableError) return { code: EXIT_USAGE, message: `cannot reach the store: ${err.message}` };
  const refused = [InstanceNotFoundError, InstanceNotFinishedError, InstanceAlreadyExistsError, DeadLetterNotFoundError];
  if (refused.some((type) => err instanceof type)) return { code: EXIT_FAILED, message: (err as Error).message };
  if (err instanceof RedflowError) return { code: EXIT_USAGE, message: err.message };
  return { code: EXIT_USAGE, message: `unexpected error: ${err instanceof Error ? err.message : String(err)}` };
}

/**
 * Runs the `redflow` command line on `argv` (as `process.argv`: node, script, arguments) and returns its exit
 * status: 0 success; 1 not found or refused (an unknown instance, removing an active one, retrying one not held)
 * or a failed check (a replayed history diverged); 2 the command could not run (bad arguments, a module not
 * found, an unreachable store), with a one-line message on standard error and no stack trace.
 */
export async function runCli(argv: readonly string[], output: Output): Promise<number> {
  const context: CommandContext = { output, exit: { code: EXIT_OK } };
  try {
    await buildProgram(context).parseAsync([...argv]);
    return context.exit.code;
  } catch (err) {
    // Commander has written its own message (or the help) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const { code, message } = failureOf(err);
    output.err(`redflow: ${message}`);
    return code;
  }
}
