import { folderSource, storeSource, type HistorySource } from './history-sources.js';
import type { Output } from './output.js';
import { checkHistory } from './replay-check.js';
import { ReplayReport } from './replay-report.js';
import { describeStore, openStore, type Store, type StoreOptions } from './store.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './usage-error.js';
import { loadWorkflowModule } from './workflow-module.js';

/** Options of `redflow replay`. */
export interface ReplayCommandOptions {
  /** Path of the module whose exported functions are the workflows. */
  workflows: string;
  redis?: string;
  prefix?: string;
  partitions?: number;
  /** A folder of history files to replay instead of the store's active instances. */
  histories?: string;
  /** Histories whose workflow the module does not export are reported but do not fail the check. */
  allowUnknown?: boolean;
}

/**
 * Runs `redflow replay`: replays every history of the source (the store's active instances, or the history
 * files of a folder) against the module's workflows and reports on `output`. Returns `EXIT_FAILED` when a history
 * diverged, could not be read, or (unless `allowUnknown`) names a workflow the module does not export, else `EXIT_OK`.
 * @throws UsageError for conflicting options, a module that cannot be loaded, a folder that cannot be read.
 */
export async function runReplay(options: ReplayCommandOptions, output: Output): Promise<number> {
  if (options.histories !== undefined && (options.redis ?? options.prefix ?? options.partitions) !== undefined) {
    throw new UsageError('--histories replays files: it does not go with --redis, --prefix or --partitions');
  }
  const module = await loadWorkflowModule(options.workflows);
  let store: Store | undefined;
  try {
    let source: HistorySource;
    if (options.histories !== undefined) {
      source = await folderSource(options.histories);
    } else {
      const storeOptions: StoreOptions = { redis: options.redis, prefix: options.prefix, partitions: options.partitions };
      store = await openStore(storeOptions);
      source = await storeSource(store.client, describeStore(storeOptions));
    }
    // The module's exported functions include its activities and helpers: nothing tells them from workflows
    // until a history names one, so the line says what they are.
    const names = [...module.workflows.keys()].join(', ');
    output.err(`Replaying ${source.description} against ${module.path} (exported functions, matched to histories by workflow name: ${names})`);
    const report = new ReplayReport(output, source.total);
    for await (const item of source.items) report.record(item, await checkHistory(item, module.workflows));
    output.out(report.summary());
    return report.failed(options.allowUnknown === true) ? EXIT_FAILED : EXIT_OK;
  } finally {
    await store?.close();
  }
}
