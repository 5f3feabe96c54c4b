import { readFile, writeFile } from 'node:fs/promises';
import type { WorkflowInstance } from '../core/instance.js';
import type { HistoryEvent } from '../history/events.js';
import { historyFromJson, historyToJson } from './history-json.js';
import type { RecordedHistory } from './replay-history.js';

/**
 * Writes `history` (and the execution that recorded it, when given) to the file at `path` as `historyToJson`
 * does, replacing the file if it exists.
 * @throws InvalidArgumentError like `historyToJson`; the file system's error when the file cannot be written.
 */
export async function writeHistoryFile(path: string, history: HistoryEvent[], instance?: WorkflowInstance): Promise<void> {
  await writeFile(path, historyToJson(history, instance));
}

/**
 * Reads the history file at `path` (see `historyFromJson`); error messages name the path.
 * @throws InvalidArgumentError like `historyFromJson`; the file system's error when the file cannot be read.
 */
export async function readHistoryFile(path: string): Promise<RecordedHistory> {
  return historyFromJson(await readFile(path, 'utf8'), `history file ${path}`);
}
