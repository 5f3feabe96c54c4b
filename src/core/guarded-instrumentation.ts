import type { Logger } from 'pino';
import type {
  ActivityAttemptObserver,
  Instrumentation,
  WorkflowStartObserver,
  WorkflowTaskObserver,
} from './instrumentation.js';
import type { TraceCarrier } from './trace-carrier.js';

/**
 * Where the throws of an instrumentation's hooks are reported: the first throw of each hook as a warning, later
 * ones at debug (a hook that throws usually throws for every task). Without a logger, the first throw of each
 * hook becomes a process warning (`process.emitWarning`, code `REDFLOW_TELEMETRY_THREW`) and later ones are
 * dropped.
 */
class HookThrows {
  private readonly logger: Logger | undefined;
  private readonly seen = new Set<string>();

  constructor(logger: Logger | undefined) {
    this.logger = logger;
  }

  report(hook: string, err: unknown): void {
    const first = !this.seen.has(hook);
    this.seen.add(hook);
    const message = `telemetry hook ${hook} threw; ignored, the engine goes on as if it had not`;
    if (this.logger !== undefined) {
      if (first) this.logger.warn({ err, hook }, `${message} (later throws of this hook are logged at debug)`);
      else this.logger.debug({ err, hook }, message);
    } else if (first) {
      process.emitWarning(`${message}: ${err instanceof Error ? err.message : String(err)}`, { code: 'REDFLOW_TELEMETRY_THREW' });
    }
  }

  /**
   * `call()`'s value, or `fallback` (and the throw reported) when it throws. A promise it returns (an async hook)
   * that rejects is reported too, never left unhandled.
   */
  attempt<T>(hook: string, call: () => T, fallback: T): T {
    let value: T;
    try {
      value = call();
    } catch (err) {
      this.report(hook, err);
      return fallback;
    }
    if (isThenable(value)) value.then(undefined, (err: unknown) => this.report(hook, err));
    return value;
  }

  /** Calls a hook whose value the engine does not use: what it throws, or rejects with, is reported. */
  call(hook: string, call: () => unknown): void {
    this.attempt(hook, call, undefined);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Whether `value` can be stored as a trace context: a plain object of strings. */
function isTraceCarrier(value: unknown): value is TraceCarrier {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((field) => typeof field === 'string');
}

/**
 * An observer's trace context as the engine may store it: undefined (and reported) when reading it throws or it
 * is not a plain object of strings, which would fail the task's commit.
 */
function readTraceContext(throws: HookThrows, hook: string, read: () => unknown): TraceCarrier | undefined {
  const carrier = throws.attempt(hook, read, undefined);
  if (carrier === undefined || isTraceCarrier(carrier)) return carrier;
  throws.report(hook, new TypeError(`${hook} must be undefined or an object of strings, got ${typeof carrier}`));
  return undefined;
}

const NO_START_OBSERVER: WorkflowStartObserver = Object.freeze({ traceContext: undefined, end: () => undefined });

const NO_TASK_OBSERVER: WorkflowTaskObserver = Object.freeze({
  traceContext: undefined,
  timerFired: () => undefined,
  committed: () => undefined,
  failed: () => undefined,
});

const NO_ATTEMPT_OBSERVER: ActivityAttemptObserver = Object.freeze({
  runInContext: <T>(run: () => T): T => run(),
  ended: () => undefined,
});

function guardStartObserver(observer: WorkflowStartObserver, throws: HookThrows): WorkflowStartObserver {
  return {
    traceContext: readTraceContext(throws, 'workflowStarting().traceContext', () => observer.traceContext),
    end: (error?: unknown) => throws.call('workflowStarting().end', () => observer.end(error)),
  };
}

function guardTaskObserver(observer: WorkflowTaskObserver, throws: HookThrows): WorkflowTaskObserver {
  return {
    get traceContext(): TraceCarrier | undefined {
      return readTraceContext(throws, 'workflowTaskStarted().traceContext', () => observer.traceContext);
    },
    timerFired: (scheduleEventId, firesAt) => throws.call('workflowTaskStarted().timerFired', () => observer.timerFired(scheduleEventId, firesAt)),
    committed: (completion) => throws.call('workflowTaskStarted().committed', () => observer.committed(completion)),
    failed: (error) => throws.call('workflowTaskStarted().failed', () => observer.failed(error)),
  };
}

/**
 * Runs `run` once, through `observer.runInContext` when that works: what `run` returns or throws is what the
 * activity did, whatever the hook does around it. A hook that throws before calling `run`, or never calls it,
 * has `run` called outside its context; one that throws after it ran changes nothing; a second call of `run` by
 * the hook gets the first call's outcome, without running the activity again.
 */
function runInGuardedContext<T>(observer: ActivityAttemptObserver, throws: HookThrows, run: () => T): T {
  let outcome: { value: T } | { thrown: unknown } | undefined;
  const runOnce = (): T => {
    if (outcome === undefined) {
      try {
        outcome = { value: run() };
      } catch (thrown) {
        outcome = { thrown };
      }
    }
    if ('thrown' in outcome) throw outcome.thrown;
    return outcome.value;
  };
  const hook = 'activityAttemptStarted().runInContext';
  let returned: unknown;
  try {
    returned = observer.runInContext(runOnce);
  } catch (err) {
    if (outcome === undefined || !('thrown' in outcome) || outcome.thrown !== err) throws.report(hook, err);
  }
  const result = runOnce();
  // An async hook's promise settles as the activity's does, or rejects on its own: only the latter is the hook's.
  if (isThenable(returned) && returned !== result) {
    returned.then(undefined, (err: unknown) => {
      Promise.resolve(result).then(
        () => throws.report(hook, err),
        (activityError: unknown) => {
          if (activityError !== err) throws.report(hook, err);
        },
      );
    });
  }
  return result;
}

function guardAttemptObserver(observer: ActivityAttemptObserver, throws: HookThrows): ActivityAttemptObserver {
  return {
    runInContext: <T>(run: () => T): T => runInGuardedContext(observer, throws, run),
    ended: (outcome, error) => throws.call('activityAttemptStarted().ended', () => observer.ended(outcome, error)),
  };
}

/**
 * `instrumentation` made harmless to the engine: each call into it (its hooks, the observers they return, their
 * trace contexts) that throws is reported (see `HookThrows`: through `logger`, the first throw of each hook as a
 * warning, later ones at debug) and then ignored, as if the hook had done nothing: a hook that throws instead of
 * returning an observer gives one that does nothing, a trace context that cannot be read or stored is left out.
 * The worker and the client call user-supplied instrumentation only through this: a broken hook never holds,
 * fails or changes a task. A disabled instrumentation (`enabled` false) is returned as it is.
 */
export function guardInstrumentation(instrumentation: Instrumentation, logger: Logger | undefined): Instrumentation {
  if (!instrumentation.enabled) return instrumentation;
  const throws = new HookThrows(logger);
  return {
    enabled: true,
    workflowStarting: (instance, name, queue) => {
      const observer = throws.attempt('workflowStarting', () => instrumentation.workflowStarting(instance, name, queue), NO_START_OBSERVER);
      return observer === NO_START_OBSERVER ? observer : guardStartObserver(observer, throws);
    },
    workflowTaskStarted: (task, context, claimedAtMs) => {
      const observer = throws.attempt('workflowTaskStarted', () => instrumentation.workflowTaskStarted(task, context, claimedAtMs), NO_TASK_OBSERVER);
      return observer === NO_TASK_OBSERVER ? observer : guardTaskObserver(observer, throws);
    },
    activityAttemptStarted: (task, claimedAtMs) => {
      const observer = throws.attempt('activityAttemptStarted', () => instrumentation.activityAttemptStarted(task, claimedAtMs), NO_ATTEMPT_OBSERVER);
      return observer === NO_ATTEMPT_OBSERVER ? observer : guardAttemptObserver(observer, throws);
    },
    leaseLost: (kind, queue) => throws.call('leaseLost', () => instrumentation.leaseLost(kind, queue)),
    attach: (backend) => {
      const detach = throws.attempt('attach', () => instrumentation.attach(backend), undefined);
      return () => throws.call('attach() detach', () => (typeof detach === 'function' ? detach() : undefined));
    },
  };
}
