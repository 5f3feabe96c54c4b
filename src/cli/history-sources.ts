import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '../client/client.js';
import type { WorkflowInstance } from '../core/instance.js';
import { InstanceNotFoundError } from '../errors/errors.js';
import type { HistoryEvent } from '../history/events.js';
import { readHistoryFile } from '../testing/history-file.js';
import { activeInstances } from './store.js';
import { UsageError } from './usage-error.js';

/** One history to check, or why it could not be read. */
export interface HistoryItem {
  /** How the report names it: the instance, or the file and the instance it names. */
  label: string;
  instance?: WorkflowInstance;
  /** Empty when the execution has not run its first task yet (there is nothing to replay). */
  history: HistoryEvent[];
  /** Why the history could not be read; `history` is then empty. */
  problem?: string;
}

/** Where histories come from, and how many there are when that is known in advance. */
export interface HistorySource {
  /** Says where the histories come from, for the report's first line. */
  description: string;
  total?: number;
  items: AsyncIterable<HistoryItem>;
}

/** The names the report gives an execution. */
function describeInstance(instance: WorkflowInstance): string {
  return `${instance.instanceId} (execution ${instance.executionId})`;
}

/**
 * The histories of the store's active executions (`description` names them). An execution removed between the listing and the read is
 * passed over; one whose history cannot be read is an item with a `problem`.
 * @throws UsageError when the store cannot be read at all (unreachable, set up with other partitions).
 */
export async function storeSource(client: Client, description: string): Promise<HistorySource> {
  let total: number;
  try {
    total = (await client.getStats()).activeWorkflowInstances;
  } catch (err) {
    throw new UsageError(`cannot read ${description}: ${(err as Error).message}`);
  }
  async function* items(): AsyncGenerator<HistoryItem> {
    for await (const instance of activeInstances(client)) {
      const label = describeInstance(instance);
      try {
        yield { label, instance, history: await client.getWorkflowInstanceHistory(instance) };
      } catch (err) {
        if (err instanceof InstanceNotFoundError) continue;
        yield { label, instance, history: [], problem: (err as Error).message };
      }
    }
  }
  return { description, total, items: items() };
}

/**
 * The history files (`*.json`, in name order) of the folder `dir`; a file that is not a history file is an
 * item with a `problem`.
 * @throws UsageError when the folder cannot be read or holds no `*.json` file.
 */
export async function folderSource(dir: string): Promise<HistorySource> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (err) {
    throw new UsageError(`cannot read the histories folder ${dir}: ${(err as Error).message}`);
  }
  // A gate pointed at the wrong folder must not pass by checking nothing.
  if (names.length === 0) throw new UsageError(`the histories folder ${dir} has no history files (*.json)`);
  async function* items(): AsyncGenerator<HistoryItem> {
    for (const name of names) {
      const path = join(dir, name);
      try {
        const { instance, history } = await readHistoryFile(path);
        const label = instance === undefined ? path : `${path}: ${describeInstance(instance)}`;
        yield instance === undefined ? { label, history } : { label, instance, history };
      } catch (err) {
        yield { label: path, history: [], problem: (err as Error).message };
      }
    }
  }
  return { description: `the history files in ${dir}`, total: names.length, items: items() };
}
