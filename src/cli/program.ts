import { Command, CommanderError, InvalidArgumentError as InvalidOptionError } from 'commander';
import { redflowVersion } from '../core/redflow-version.js';
import { RedflowError } from '../errors/errors.js';
import { registerUiCommand } from './commands/ui-command.js';
import { runExport } from './export-command.js';
import type { Output } from './output.js';
import { runReplay } from './replay-command.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './usage-error.js';

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidOptionError('expected a positive integer');
  return value;
}

function storeOptions(command: Command, what: string): Command {
  return command
    .option('--redis <url>', `Redis URL of the store ${what} (default: $REDIS_URL, else redis://127.0.0.1:6379)`)
    .option('--prefix <prefix>', 'key prefix of the store (default: redflow)')
    .option('--partitions <n>', 'partition count the prefix is set up with (default: 1)', positiveInteger);
}

/** The `redflow` command line; each command's action sets `exit.code`. */
function buildProgram(output: Output, exit: { code: number }): Command {
  const program = new Command('redflow')
    .description('Command line tools of redflow, durable workflows on Redis')
    .version(redflowVersion())
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) });
  storeOptions(
    program
      .command('replay')
      .description(
        'Replay recorded histories against workflow code before deploying it: the history of every active ' +
          'instance in the store, or every *.json history file of a folder. Exits 1 if any diverges.',
      )
      .requiredOption('--workflows <module>', 'module whose exported functions are the workflows (by export name and function name)')
      .option('--histories <dir>', 'replay the history files (*.json) of this folder instead of the store')
      .option('--allow-unknown', 'do not fail for histories whose workflow the module does not export (they are still listed)'),
    'to read',
  ).action(async (options: Parameters<typeof runReplay>[0]) => {
    exit.code = await runReplay(options, output);
  });
  storeOptions(
    program
      .command('export-histories')
      .description('Write the history of every active instance in the store to <dir>/<instance id>.json')
      .requiredOption('--out <dir>', 'folder to write the history files to (created if missing)'),
    'to read',
  ).action(async (options: Parameters<typeof runExport>[0]) => {
    exit.code = await runExport(options, output);
  });
  registerUiCommand(program, storeOptions, output, exit);
  return program;
}

/**
 * Runs the `redflow` command line on `argv` (as `process.argv`: node, script, arguments) and returns its exit
 * status: 0 success, 1 a check failed (see `runReplay`), 2 the command could not run (bad arguments, a module
 * not found, an unreachable store), with a one-line message on standard error.
 */
export async function runCli(argv: readonly string[], output: Output): Promise<number> {
  const exit = { code: EXIT_OK };
  try {
    await buildProgram(output, exit).parseAsync([...argv]);
    return exit.code;
  } catch (err) {
    // Commander has written its own message (or the help) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const message = err instanceof UsageError || err instanceof RedflowError ? err.message : `unexpected error: ${String(err)}`;
    output.err(`redflow: ${message}`);
    return EXIT_USAGE;
  }
}
