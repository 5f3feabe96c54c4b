import type { Logger } from 'pino';
import type { ActivityTimeouts } from '../core/activity-timeouts.js';
import type { WorkflowInstance } from '../core/instance.js';
import type { CancelScope } from './cancel-scope.js';
import type { Channel } from './channel.js';
import type { Future } from './future.js';

/** One activity attempt as workflow code asks for it. */
export interface ActivityAttempt {
  name: string;
  queue: string;
  inputs: unknown[];
  attempt: number;
  /** Absent when the activity has none. */
  timeouts?: ActivityTimeouts;
}

/** One attempt of a sub-workflow as workflow code asks for it. */
export interface SubWorkflowAttempt {
  instanceId: string;
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
  /** True once the engine gave the execution up (its task did not commit): workflow calls then throw. */
  readonly abandoned: boolean;
  now(): Date;
  random(): number;
  isReplaying(): boolean;
  scheduleActivity(scope: CancelScope, attempt: ActivityAttempt): Future<unknown>;
  scheduleTimer(scope: CancelScope, delayMs: number, name: string | undefined): Future<void>;
  sideEffect<T>(fn: () => T): Future<T>;
  /** Whether to take the patched branch (see `workflow.patched`); records the patch when running live. */
  patched(patchId: string): boolean;
  /** Records the patch as deprecated when running live (see `workflow.deprecatePatch`). */
  deprecatePatch(patchId: string): void;
  /** Starts a sub-workflow when the task commits; settles with the child's outcome. */
  scheduleSubWorkflow(scope: CancelScope, attempt: SubWorkflowAttempt): Future<unknown>;
  /** A fresh instance id for a sub-workflow started without one, the same on replay. */
  nextSubWorkflowInstanceId(): string;
  /** Sends a signal when the task commits; rejects with `InstanceNotFoundError` info if no one received it. */
  signalWorkflow(scope: CancelScope, instanceId: string, name: string, arg: unknown): Future<void>;
  /** The channel of the signals sent to this instance under `name` (one channel per name). */
  signalChannel(name: string): Channel<unknown>;
}
