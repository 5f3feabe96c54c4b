import { pino, type Logger } from 'pino';
import { runInActivityContext, type ActivityContext } from '../activity/activity-context.js';
import { assertEncodable } from '../codec/codec.js';
import { DEFAULT_QUEUE, type WorkflowInstance } from '../core/instance.js';
import { InvalidArgumentError } from '../errors/errors.js';
import type { ActivityFunction } from '../workflow/activity.js';
import { assertKnownOptions } from './tester-types.js';

/** Options of `ActivityTester`: the attempt the activity believes it runs as. Another key throws `InvalidArgumentError`. */
export interface ActivityTesterOptions {
  /** @default 'test-activity' */
  activityId?: string;
  /** 0 for the first attempt. @default 0 */
  attempt?: number;
  /** @default 0 */
  redeliveries?: number;
  /** The workflow execution that scheduled it. @default { instanceId: 'test-instance', executionId: 'execution-1' } */
  instance?: WorkflowInstance;
  /** @default 'default' */
  queue?: string;
  /** @default a silent logger */
  logger?: Logger;
  /**
   * Called on every `heartbeat(details)` after the details are recorded; what it throws (or rejects with)
   * becomes the heartbeat's rejection, to simulate a lost lease. @default none
   */
  onHeartbeat?: (details: unknown) => void | Promise<void>;
}

const ACTIVITY_TESTER_OPTION_KEYS: ReadonlySet<string> = new Set(
  Object.keys({
    activityId: true,
    attempt: true,
    redeliveries: true,
    instance: true,
    queue: true,
    logger: true,
    onHeartbeat: true,
  } satisfies Record<keyof ActivityTesterOptions, true>),
);

/**
 * Runs an activity outside any worker with a controllable `activityContext()`: the attempt, instance and queue
 * it reports, heartbeats captured (`heartbeats`), and an abort signal the test fires (`abort`), as a worker
 * does when the lease is lost, it stops, or the attempt times out.
 */
export class ActivityTester {
  /** The context the activity sees through `activityContext()`. */
  readonly context: ActivityContext;
  /** The details of every `heartbeat(details)` call, in order (`undefined` for a call without details). */
  readonly heartbeats: unknown[] = [];
  private readonly controller = new AbortController();

  /** @throws InvalidArgumentError when `attempt` or `redeliveries` is not a whole number >= 0, or an option key is unknown. */
  constructor(options: ActivityTesterOptions = {}) {
    assertKnownOptions(options, ACTIVITY_TESTER_OPTION_KEYS, 'ActivityTester');
    const { attempt = 0, redeliveries = 0, onHeartbeat } = options;
    if (!Number.isSafeInteger(attempt) || attempt < 0) throw new InvalidArgumentError(`attempt must be a whole number >= 0, got ${attempt}`);
    if (!Number.isSafeInteger(redeliveries) || redeliveries < 0) {
      throw new InvalidArgumentError(`redeliveries must be a whole number >= 0, got ${redeliveries}`);
    }
    this.context = {
      activityId: options.activityId ?? 'test-activity',
      attempt,
      redeliveries,
      instance: { ...(options.instance ?? { instanceId: 'test-instance', executionId: 'execution-1' }) },
      queue: options.queue ?? DEFAULT_QUEUE,
      logger: options.logger ?? pino({ level: 'silent' }),
      signal: this.controller.signal,
      heartbeat: async (details?: unknown) => {
        if (details !== undefined) assertEncodable(details, 'heartbeat details');
        this.heartbeats.push(details);
        await onHeartbeat?.(details);
      },
    };
  }

  /**
   * Runs `activity` with `args` inside the context and resolves with its result.
   * @throws what the activity throws; InvalidArgumentError when its result could not be stored (a worker
   *   would fail the attempt for good).
   */
  async run<A extends ActivityFunction>(activity: A, ...args: Parameters<A>): Promise<Awaited<ReturnType<A>>> {
    const result = (await runInActivityContext(this.context, async () => await activity(...args))) as Awaited<ReturnType<A>>;
    assertEncodable(result, `result of activity ${activity.name}`);
    return result;
  }

  /** Aborts the context's `signal` with `reason` (default: an `Error` saying the test aborted it). */
  abort(reason: unknown = new Error('aborted by the test')): void {
    this.controller.abort(reason);
  }
}

