import type { CommandRegistration } from '../command-context.js';
import { withStoreOptions } from '../command-context.js';
import { runExport } from '../export-command.js';

/** `redflow export-histories`: writes the active instances' histories to files (see `runExport`). */
export const registerExportHistories: CommandRegistration = (program, { output, exit }) => {
  withStoreOptions(
    program
      .command('export-histories')
      .summary('write the active instances\' histories to files')
      .description('Write the history of every active instance in the store to <dir>/<instance id>.json')
      .requiredOption('--out <dir>', 'folder to write the history files to (created if missing)'),
    'to read',
  ).action(async (options: Parameters<typeof runExport>[0]) => {
    exit.code = await runExport(options, output);
  });
};
