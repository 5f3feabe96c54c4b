import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeHistoryFile } from '../testing/history-file.js';
import { historyFileName } from './history-file-name.js';
import { storeSource } from './history-sources.js';
import type { Output } from './output.js';
import { PROGRESS_EVERY } from './replay-report.js';
import { describeStore, openStore } from './store.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './usage-error.js';

/** Options of `redflow export-histories`. */
export interface ExportCommandOptions {
  /** The folder to write to; created if missing. */
  out: string;
  redis?: string;
  prefix?: string;
  partitions?: number;
}

/**
 * Runs `redflow export-histories`: writes the history of every active instance in the store that has run a
 * task to `<out>/<instance id>.json` (see `historyFileName`, `writeHistoryFile`), for `redflow replay
 * --histories` or `replayHistory` in tests. Returns `EXIT_FAILED` when a history could not be read, else `EXIT_OK`.
 * @throws UsageError when the folder cannot be created.
 */
export async function runExport(options: ExportCommandOptions, output: Output): Promise<number> {
  try {
    await mkdir(options.out, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create the folder ${options.out}: ${(err as Error).message}`);
  }
  const storeOptions = { redis: options.redis, prefix: options.prefix, partitions: options.partitions };
  const store = await openStore(storeOptions);
  try {
    const source = await storeSource(store.client, describeStore(storeOptions));
    output.err(`Exporting the histories of ${source.description} to ${options.out}`);
    let seen = 0;
    let written = 0;
    let notStarted = 0;
    let unreadable = 0;
    for await (const item of source.items) {
      seen += 1;
      if (item.problem !== undefined) {
        unreadable += 1;
        output.out(`ERROR    ${item.label}: ${item.problem}`);
      } else if (item.history.length === 0 || item.instance === undefined) {
        notStarted += 1;
      } else {
        await writeHistoryFile(join(options.out, historyFileName(item.instance)), item.history, item.instance);
        written += 1;
      }
      if (seen % PROGRESS_EVERY === 0) output.err(`exported ${written} of ${source.total ?? '?'} histories ...`);
    }
    output.out(`Exported ${written} ${written === 1 ? 'history' : 'histories'} to ${options.out}: ${notStarted} not started yet, ${unreadable} unreadable`);
    return unreadable > 0 ? EXIT_FAILED : EXIT_OK;
  } finally {
    await store.close();
  }
}
