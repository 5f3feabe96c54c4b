import type { Logger } from 'pino';
import type { WorkflowInstance } from '../core/instance.js';
import { InvalidArgumentError, RedflowError } from '../errors/errors.js';
import type { HistoryEvent } from '../history/events.js';

/** Options of `WorkflowTester`; another key throws `InvalidArgumentError`. */
export interface WorkflowTesterOptions {
  /**
   * Longest real (wall-clock) time `execute` may take before it fails with a `WorkflowTesterError` of reason
   * `'timeout'` that says what the workflow waits on. Virtual time does not count. @default 10_000
   */
  testTimeoutMs?: number;
  /** Virtual time the test starts at (`workflow.now` of the first task). @default the real time the tester was created */
  initialTime?: Date;
  /** Instance id of the workflow under test. @default 'test-instance' */
  instanceId?: string;
  /** Queue the workflow runs on (activities and sub-workflows inherit it). @default 'default' */
  queue?: string;
  /** Receives what workflow code and activities log. @default a silent logger */
  logger?: Logger;
  /** Events an execution's history may hold before it fails, as the worker option. @default 10_000 */
  maxHistorySize?: number;
  /**
   * True (the default): every workflow task runs in a new executor that first replays the execution's whole
   * history, as a worker that restarted would, so code whose commands differ between replays (mutable module
   * state steering them; randomness when a replay draws differently) fails `execute` with `NonDeterminismError`.
   * False: one executor per execution, kept between tasks as a worker's cache does (faster for very long histories).
   */
  replayEveryTask?: boolean;
}

/** One call of an activity (real or mocked) the tester recorded. */
export interface ActivityCall {
  name: string;
  /** The arguments, as the activity received them (after a round trip through the store's encoding). */
  args: unknown[];
  /** 0 for the first attempt (retries are new calls). */
  attempt: number;
  /** The calling workflow execution. */
  instance: WorkflowInstance;
  /** The virtual time of the call. */
  at: Date;
  /** True when a mock answered it, false when the registered function ran. */
  mocked: boolean;
  /** Details of every `heartbeat(details)` the attempt made, in order. */
  heartbeats: unknown[];
}

/** One sub-workflow start (real or mocked) the tester recorded. */
export interface SubWorkflowCall {
  name: string;
  args: unknown[];
  /** The child's instance and execution ids. */
  instance: WorkflowInstance;
  /** The parent execution. */
  parent: WorkflowInstance;
  /** The virtual time of the start. */
  at: Date;
  mocked: boolean;
}

/** One execution the tester ran, with its recorded history. */
export interface TestedExecution {
  instance: WorkflowInstance;
  /** The workflow name. */
  name: string;
  state: 'active' | 'continued-as-new' | 'finished';
  history: HistoryEvent[];
}

/** What `execute` resolves with once the workflow under test has finished. */
export interface WorkflowTestOutcome<R> {
  /** The result, when the workflow returned. */
  result?: R;
  /** The error, when it failed: a `WorkflowError` as a client's `getWorkflowResult` would throw it. */
  error?: Error;
  /** The history of the final execution (the last one of a continue-as-new chain). */
  history: HistoryEvent[];
  /** Every execution of the workflow's instance, first to last (more than one after continue-as-new). */
  executions: TestedExecution[];
}

/** Why a `WorkflowTesterError` was raised. */
export type WorkflowTesterFailure = 'timeout' | 'blocked' | 'not-registered' | 'callback-failed' | 'already-executed' | 'not-finished';

/**
 * The test itself could not run to its end: the workflow did not finish within `testTimeoutMs` of real time
 * (`'timeout'`), nothing left could ever wake it (`'blocked'`: it waits for a signal or cancellation nothing
 * will send, and no timer, activity or callback is pending), it called an activity or sub-workflow that is
 * neither registered nor mocked (`'not-registered'`), a callback threw (`'callback-failed'`, with `cause`), or
 * `execute` or `resume` was called a second time (`'already-executed'`); or a result was asked of a workflow that
 * has not finished (`'not-finished'`). The messages of `'timeout'` and `'blocked'` name what each active
 * execution waits on.
 */
export class WorkflowTesterError extends RedflowError {
  override readonly name = 'WorkflowTesterError';
  readonly code = 'WORKFLOW_TESTER';
  readonly reason: WorkflowTesterFailure;
  constructor(reason: WorkflowTesterFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The keys `WorkflowTesterOptions` has, to refuse a misspelt one. */
export const WORKFLOW_TESTER_OPTION_KEYS: ReadonlySet<string> = new Set(
  Object.keys({
    testTimeoutMs: true,
    initialTime: true,
    instanceId: true,
    queue: true,
    logger: true,
    maxHistorySize: true,
    replayEveryTask: true,
  } satisfies Record<keyof WorkflowTesterOptions, true>),
);

/**
 * Throws `InvalidArgumentError` naming the first key of `options` not in `known` (a misspelt option would
 * otherwise be ignored in silence); `what` names the options in the message.
 */
export function assertKnownOptions(options: object, known: ReadonlySet<string>, what: string): void {
  const unknown = Object.keys(options).find((key) => !known.has(key));
  if (unknown !== undefined) throw new InvalidArgumentError(`${what}: unknown option ${JSON.stringify(unknown)} (known: ${[...known].join(', ')})`);
}
