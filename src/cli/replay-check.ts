import { NonDeterminismError } from '../errors/errors.js';
import type { WorkflowFunction } from '../executor/workflow-function.js';
import { replayHistory } from '../testing/replay-history.js';
import type { HistoryItem } from './history-sources.js';

/** What checking one history found. */
export type CheckOutcome =
  | { kind: 'replayed'; workflowName: string }
  | { kind: 'diverged'; workflowName: string; message: string }
  | { kind: 'unknown-workflow'; workflowName: string }
  | { kind: 'unreadable'; message: string }
  | { kind: 'not-started' };

/**
 * Replays one history against the workflow the module exports under the name the history records. A history
 * still empty (its execution has not run a task) has nothing to check.
 */
export async function checkHistory(item: HistoryItem, workflows: ReadonlyMap<string, WorkflowFunction>): Promise<CheckOutcome> {
  if (item.problem !== undefined) return { kind: 'unreadable', message: item.problem };
  if (item.history.length === 0) return { kind: 'not-started' };
  const started = item.history[1];
  const workflowName = started?.type === 'WorkflowExecutionStarted' ? started.attributes.name : '';
  const fn = workflows.get(workflowName);
  if (fn === undefined) return { kind: 'unknown-workflow', workflowName };
  try {
    await replayHistory(fn, item.instance === undefined ? item.history : { instance: item.instance, history: item.history });
    return { kind: 'replayed', workflowName };
  } catch (err) {
    if (err instanceof NonDeterminismError) return { kind: 'diverged', workflowName, message: err.message };
    return { kind: 'unreadable', message: (err as Error).message };
  }
}
