import type { Logger } from 'pino';
import type { WorkflowInstance } from '../core/instance.js';
import type { CancelScope } from './cancel-scope.js';
import type { Future } from './future.js';

/** One activity attempt as workflow code asks for it. */
export interface ActivityAttempt {
  name: string;
  queue: string;
  inputs: unknown[];
  attempt: number;
}

/**
 * What workflow code needs from the engine that runs it. The executor implements it; workflow code
 * reaches it only through its `WorkflowContext`, never through a global, so instances sharing a process
 * cannot see each other.
 */
export interface WorkflowRuntime {
  readonly instance: WorkflowInstance;
  readonly queue: string;
  readonly logger: Logger;
  now(): Date;
  random(): number;
  isReplaying(): boolean;
  scheduleActivity(scope: CancelScope, attempt: ActivityAttempt): Future<unknown>;
  scheduleTimer(scope: CancelScope, delayMs: number, name: string | undefined): Future<void>;
  sideEffect<T>(fn: () => T): Future<T>;
}
