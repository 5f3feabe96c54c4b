import type { Logger } from 'pino';
import { FailureLog } from '../../core/failure-log.js';
import { encodeEvent } from '../../codec/event-codec.js';
import { newEvent } from '../../history/events.js';
import { executionKey, executionTimersKey, inboxKey, timersKey, workflowTaskStreamKey } from './keys.js';
import type { DueTimer, RedisClient, RedisScripts } from './scripts.js';
import { parseActivityDeadlineMember } from './activity-deadline-member.js';
import { parseDeferredActivityMember } from './deferred-activity-member.js';
import { parseTimerMember } from './timer-member.js';
import { WakeableSleep } from './wakeable-sleep.js';
import type { WakeSubscriber } from './wake-subscriber.js';

/** Options of `TimerLoop`. */
export interface TimerLoopOptions {
  client: RedisClient;
  scripts: RedisScripts;
  prefix: string;
  partition: number;
  batchSize: number;
  logger: Logger;
  /** Fires due activity deadlines (members `parseActivityDeadlineMember` reads) still due by `dueByMs`. */
  fireActivityDeadlines: (members: string[], dueByMs: number) => Promise<void>;
  /** Queues again the activity tasks given back for later of these members (`parseDeferredActivityMember` reads them). */
  requeueDeferredActivities: (members: string[]) => Promise<void>;
  /** Where the scripts' announcements of new earliest timers arrive (lua/lib/wake-owner.lua). */
  wakeups: WakeSubscriber;
}

// Longest sleep between looks at the timers zset while the wake-ups do not arrive (not subscribed yet,
// or the subscriber connection is down): bounds how late a timer committed by another process fires.
const UNANNOUNCED_SLEEP_MS = 250;
// Longest sleep while they arrive: only a safety net, for an announcement lost without the subscriber
// noticing (on a Cluster, a sharded subscription ioredis failed to make again after a move).
const ANNOUNCED_SLEEP_MS = 30_000;

/**
 * Moves one partition's due timers into their executions' inboxes, in batches: immediately again while
 * batches come back full, else asleep until the earliest due time, or until a timer due sooner is committed:
 * by this process (`wake`) or by any other, which the committing script announces on the timers zset's
 * channel. While those announcements do not arrive it looks at the zset at least every 250 ms.
 */
export class TimerLoop {
  readonly #options: TimerLoopOptions;
  readonly #key: string;
  #running: Promise<void> | undefined;
  #stopped = false;
  /** The earliest due time (ms since the epoch) the loop knows of, from its last look or a wake since. */
  #earliestMs = Infinity;
  readonly #announced = (message: string | undefined): void => {
    // Without a message, announcements may have been lost: look at the zset now.
    const dueMs = Number(message);
    this.wake(message === undefined || !Number.isFinite(dueMs) ? 0 : dueMs);
  };
  readonly #sleeper = new WakeableSleep();
  readonly #failures: FailureLog;

  constructor(options: TimerLoopOptions) {
    this.#options = options;
    this.#key = timersKey(options.prefix, options.partition);
    this.#failures = FailureLog.forLoop(options.logger, 'timer loop', { partition: options.partition });
  }

  /** Starts the loop (once). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Tells the loop a timer is due at `dueMs` (0: look at the zset now), so it does not sleep past it. */
  wake(dueMs: number): void {
    // NaN would stick in every comparison: the loop would sleep on without ever looking again.
    if (Number.isNaN(dueMs)) dueMs = 0;
    this.#earliestMs = Math.min(this.#earliestMs, dueMs);
    if (dueMs < this.#sleeper.until) this.#sleeper.wake();
  }

  /** Stops the loop and waits for the batch in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.wake();
    await this.#running;
    this.#options.wakeups.unsubscribe(this.#key, this.#announced);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let delay: number;
      try {
        // Until the subscription is confirmed the loop looks every 250 ms; then at once (see `ensure`).
        this.#options.wakeups.ensure(this.#key, this.#announced);
        delay = await this.#tick();
        this.#failures.succeeded();
      } catch (err) {
        if (this.#stopped) break;
        this.#failures.failed(err);
        delay = UNANNOUNCED_SLEEP_MS;
      }
      if (delay > 0 && !this.#stopped) await this.#sleep(delay);
    }
  }

  /**
   * One look at the zset; returns how long to sleep before the next. When a timer it knows of is due, it reads
   * the due members straight away, and the earliest due time only after firing fewer than a batch (or none:
   * another owner fired them, or they were cancelled); a look that finds one due leaves it known for the next.
   */
  async #tick(): Promise<number> {
    const { client, batchSize, wakeups } = this.#options;
    const dueKnown = this.#earliestMs <= Date.now();
    this.#earliestMs = Infinity;
    if (dueKnown) {
      const now = Date.now();
      const members = await client.zrange(this.#key, '-inf', now, 'BYSCORE', 'LIMIT', 0, batchSize);
      if (members.length > 0) await this.#fire(members, now);
      if (members.length >= batchSize) {
        this.#earliestMs = 0;
        return 0;
      }
    }
    const longestSleepMs = wakeups.announces(this.#key) ? ANNOUNCED_SLEEP_MS : UNANNOUNCED_SLEEP_MS;
    const first = await client.zrange(this.#key, 0, 0, 'WITHSCORES');
    if (first.length < 2) return longestSleepMs;
    const earliest = Number(first[1]);
    this.#earliestMs = Math.min(this.#earliestMs, earliest);
    return Math.min(Math.max(0, earliest - Date.now()), longestSleepMs);
  }

  async #fire(members: string[], now: number): Promise<void> {
    const { client, scripts, prefix, partition, logger, fireActivityDeadlines, requeueDeferredActivities } = this.#options;
    const due: DueTimer[] = [];
    const malformed: string[] = [];
    const deadlines: string[] = [];
    const deferred: string[] = [];
    for (const member of members) {
      // Workflow timers are the common case: parsed first, they are parsed once.
      const ref = parseTimerMember(member);
      if (ref === undefined) {
        if (parseActivityDeadlineMember(member) !== undefined) deadlines.push(member);
        else if (parseDeferredActivityMember(member) !== undefined) deferred.push(member);
        else malformed.push(member);
        continue;
      }
      const { instanceId, executionId, scheduleEventId, queue } = ref;
      due.push({
        member,
        // A held task's retry delivers no event (see fire-timers.lua).
        event: scheduleEventId === 0 ? Buffer.alloc(0) : encodeEvent(newEvent('TimerFired', {}, scheduleEventId)),
        instanceId,
        executionId,
        execution: executionKey(prefix, partition, instanceId, executionId),
        inbox: inboxKey(prefix, partition, instanceId, executionId),
        workflowTasks: workflowTaskStreamKey(prefix, partition, queue),
        executionTimers: executionTimersKey(prefix, partition, instanceId, executionId),
      });
    }
    if (malformed.length > 0) {
      // Nothing could ever fire these; left in place they would keep the loop spinning.
      logger.error({ partition, members: malformed }, 'removing malformed timers');
      await client.zrem(this.#key, ...malformed);
    }
    if (due.length > 0) await scripts.fireTimers(this.#key, due);
    if (deadlines.length > 0) await fireActivityDeadlines(deadlines, now);
    if (deferred.length > 0) await requeueDeferredActivities(deferred);
  }

  /**
   * Sleeps `ms`, or until the earliest known due time. A wake for a timer due later than now (an announced new
   * earliest) only moves the end of the sleep earlier: the zset need not be read for it.
   */
  async #sleep(ms: number): Promise<void> {
    let untilMs = Math.min(Date.now() + ms, this.#earliestMs);
    for (;;) {
      await this.#sleeper.sleepUntil(untilMs);
      if (this.#stopped || this.#earliestMs <= Date.now()) return;
      // A timer may fire a millisecond before its time by the wall clock: sleep out the rest for a known due
      // time, or the look would find it not due yet and read the zset twice.
      if (this.#earliestMs === untilMs && Date.now() < untilMs) continue;
      if (this.#earliestMs >= untilMs) return;
      untilMs = this.#earliestMs;
    }
  }

}
