import type { WorkflowTask } from '../backend.js';
import { decodeEvent, decodeHistoryEvent } from '../../codec/event-codec.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { UndecodableDataError } from '../../errors/errors.js';
import type { LockedExecution } from './scripts.js';

/**
 * Most inbox events one claim of a workflow task takes (a poll's lock and an activity completion's
 * hand-over alike): a signal flood must not make one workflow task unbounded; the rest waits for the next task.
 */
export const MAX_INBOX_EVENTS_PER_TASK = 1000;

/** A workflow-task entry whose execution the caller locked. */
export interface ClaimedWorkflowEntry {
  /** The task stream entry id, which becomes the task's id. */
  entryId: string;
  instance: WorkflowInstance;
  /** The queue the task was claimed from. */
  queue: string;
  /** History length the claimer said it holds; `locked.history` holds the events after it. */
  knownHistoryLength: number;
  /** What the lock returned. */
  locked: LockedExecution;
}

/**
 * The task of a locked execution. One whose events cannot be decoded comes without events, with `undecodable`
 * set, for the claimer to hold (`holdWorkflowTask`): only this instance waits, the rest of a batch goes on.
 * Errors other than `UndecodableDataError` are thrown.
 */
export function workflowTaskOf(claim: ClaimedWorkflowEntry): WorkflowTask {
  const { entryId, instance, queue, knownHistoryLength, locked } = claim;
  // The commit removes what the task consumed from the front of the inbox: the cursor is a count.
  const consumed = locked.inbox.length;
  const task = { id: entryId, instance, queue, lockToken: locked.lockToken, historyLength: locked.historyLength, inboxCursor: consumed === 0 ? '' : String(consumed) };
  try {
    return {
      history: locked.history.map((blob, i) => decodeHistoryEvent(blob, knownHistoryLength + i + 1, instance)),
      newEvents: locked.inbox.map((event) => decodeEvent(event, instance)),
      ...task,
    };
  } catch (err) {
    if (!(err instanceof UndecodableDataError)) throw err;
    return { history: [], newEvents: [], undecodable: err, ...task };
  }
}
