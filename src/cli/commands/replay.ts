import type { CommandRegistration } from '../command-context.js';
import { withStoreOptions } from '../command-context.js';
import { runReplay } from '../replay-command.js';

/** `redflow replay`: replays recorded histories against workflow code (see `runReplay`). */
export const registerReplay: CommandRegistration = (program, { output, exit }) => {
  withStoreOptions(
    program
      .command('replay')
      .summary('replay recorded histories against workflow code; exit 1 if any diverges')
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
};
