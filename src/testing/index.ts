export { replayHistory, DEFAULT_REPLAY_INSTANCE, type RecordedHistory, type ReplayOptions } from './replay-history.js';
export { assertRecordedHistory } from './history-check.js';
export {
  historyToJson,
  historyFromJson,
  HISTORY_FILE_FORMAT,
  HISTORY_FILE_VERSION,
  type HistoryFile,
  type HistoryFileEvent,
} from './history-json.js';
export { readHistoryFile, writeHistoryFile } from './history-file.js';
