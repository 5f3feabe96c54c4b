import type { TaskCounts } from './task-count.js';

/** What a worker process measured about itself since the last reset. */
export interface WorkerReport {
  cpuSec: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Largest resident set size the process ever had. */
  peakRssBytes: number;
  /** Starts of measured steps, wall-clock ms. */
  stepMarks: number[];
  /** Redis commands the process sent, by name. */
  redisCalls: Record<string, number>;
  /** Tasks (redflow) or jobs (BullMQ) the process ran. */
  tasks: TaskCounts;
}

/** A look at a worker process in the middle of a run, which (unlike a report) resets nothing. */
export interface WorkerSample {
  rssBytes: number;
  heapUsedBytes: number;
  tasks: TaskCounts;
}

/** Requests from the harness to a worker process. */
export type ParentMessage = { type: 'reset' } | { type: 'report'; collectGarbage?: boolean } | { type: 'sample'; collectGarbage?: boolean } | { type: 'stop' };

/** Replies and notices from a worker process. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'reset' }
  | { type: 'report'; report: WorkerReport }
  | { type: 'sample'; sample: WorkerSample }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

/** Whether `value` is a message the harness sends. */
export function isParentMessage(value: unknown): value is ParentMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'reset' || type === 'report' || type === 'sample' || type === 'stop';
}

/** Whether `value` is a message a worker process sends. */
export function isChildMessage(value: unknown): value is ChildMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'ready' || type === 'reset' || type === 'report' || type === 'sample' || type === 'stopped' || type === 'failed';
}
