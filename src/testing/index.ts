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
export { WorkflowTester, DEFAULT_TEST_TIMEOUT_MS, DEFAULT_TEST_INSTANCE_ID, DEFAULT_TEST_EXECUTION_ID } from './workflow-tester.js';
export {
  WorkflowTesterError,
  type WorkflowTesterFailure,
  type WorkflowTesterOptions,
  type WorkflowTestOutcome,
  type ActivityCall,
  type SubWorkflowCall,
  type TestedExecution,
} from './tester-types.js';
export { MockBehavior, anything, type AnythingMatcher } from './mocks.js';
export type { SubWorkflowListener } from './tester-engine.js';
export { ActivityTester, type ActivityTesterOptions } from './activity-tester.js';
