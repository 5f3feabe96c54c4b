import type { Logger } from 'pino';
import { FailureLog } from '../../core/failure-log.js';
import { ensureGroup, isMissingGroupError } from './consumer-groups.js';
import { outboxKey, relayLeaseKey } from './keys.js';
import { DeliveryLanes, type LaneResult } from './delivery-lanes.js';
import type { MessageDelivery } from './message-delivery.js';
import { isInfrastructureError, OutboxBackoff } from './outbox-backoff.js';
import type { OutboxRetryPolicy } from './outbox-retry-policy.js';
import type { RelayLeases } from './relay-leases.js';
import type { RelayScripts } from './relay-scripts.js';
import type { RedisClient } from './script-runner.js';
import { parseReadGroupReply, type StreamEntry } from './stream-replies.js';
import { WakeableSleep } from './wakeable-sleep.js';
import type { WakeSubscriber } from './wake-subscriber.js';

/** Options of `OutboxRelay`. */
export interface OutboxRelayOptions {
  client: RedisClient;
  /** Where the scripts' announcements of new outbox messages arrive (lua/lib/wake-owner.lua). */
  wakeups: WakeSubscriber;
  scripts: RelayScripts;
  delivery: MessageDelivery;
  prefix: string;
  partition: number;
  group: string;
  /** This relay's name: its consumer in the outbox group and the value of the lease it holds. */
  consumer: string;
  /** Takes and renews the relay lease, together with the other relays of the backend. */
  leases: RelayLeases;
  /** Backoff of messages whose delivery fails, and when they are parked. */
  retry: OutboxRetryPolicy;
  logger: Logger;
}

const BATCH = 100;
const RETRY_MS = 500;

// How often the outbox is read while the announcements of new messages do not arrive (not subscribed yet,
// or the subscriber connection is down): bounds how late a message goes out then.
const UNANNOUNCED_READ_MS = 250;
// How often it is read while they arrive: only a safety net, for an announcement lost without the
// subscriber noticing (on a Cluster, a sharded subscription ioredis failed to make again after a move).
const ANNOUNCED_READ_MS = 30_000;

/**
 * Delivers one partition's outbox (src/backend/redis/README.md, "Messages between partitions"). The partition's
 * owner runs it, and only the holder of the partition's relay lease reads, with a consumer group, so messages
 * go out in the order they were written; a relay that takes the lease over claims what its predecessor left
 * pending (XAUTOCLAIM) and delivers that first. It reads when a message is announced, every 250 ms while
 * announcements do not arrive, and every 30 s as a safety net; the lease is renewed with the backend's other
 * relays in one call (`RelayLeases`). Delivery is idempotent (deliver-message.lua records message ids).
 *
 * A message whose delivery fails backs off (`OutboxBackoff`) and stays pending, and so do later messages to
 * its target instance, until a pass over the pending entries, in order, delivers them; one that failed its
 * last attempt is parked as a dead letter. Messages to different target partitions go in lanes at once
 * (`#deliver`), so a Cluster node that is slow or cannot be reached holds up only the messages to its own
 * partitions (`DeliveryLanes`).
 */
export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  readonly #outbox: string;
  readonly #lease: string;
  /** When the lease is renewed next (ms since the epoch). */
  #renewAt = 0;
  /** Until when the lease is surely this relay's, by its own clock (ms since the epoch); 0 while it is not. */
  #leaseUntil = 0;
  /** The lease renewal in flight, which every lane that needs it awaits. */
  #renewing: Promise<boolean> | undefined;
  /** It took the partition over (claimed what a former holder left pending) since it last got the lease. */
  #tookOver = false;
  /** It delivered something since the lease's last renewal: an idle relay lets its lease run out. */
  #busy = false;
  /** When the outbox is read next if nothing is announced before (ms since the epoch). */
  #readAt = 0;
  readonly #backoff: OutboxBackoff;
  #running: Promise<void> | undefined;
  #stopped = false;
  /** Entries may be pending for this consumer (after a takeover or a failed batch): go through those first. */
  #backlog = true;
  /** Targets with a message backing off: their later messages stay pending behind it. */
  #heldTargets = new Set<string>();
  /** Target partitions whose messages must wait: a lane of theirs is still running, or a delivery failed. */
  readonly #lanes = new DeliveryLanes();
  /** When the soonest backing-off message is due (ms since the epoch): the pending entries are gone through again then. */
  #nextPassAt = Infinity;
  /** A message was announced since the last read began: read again before sleeping. */
  #announced = false;
  readonly #onAnnouncement = (): void => {
    this.#announced = true;
    this.#sleeper.wake();
  };
  readonly #sleeper = new WakeableSleep();
  readonly #failures: FailureLog;
  /** Deliveries to some partitions failing while others go on (not `forLoop`: a node that does not answer leaves the connection up). */
  readonly #laneFailures: FailureLog;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
    this.#failures = FailureLog.forLoop(options.logger, 'outbox relay', { partition: options.partition });
    this.#laneFailures = new FailureLog(options.logger, {
      failed: 'outbox relay: delivering to some partitions (targetPartitions) failed; their messages wait and are tried again, the others go on',
      recovered: 'outbox relay: delivering to every partition works again',
      bindings: { partition: options.partition },
    });
    this.#outbox = outboxKey(options.prefix, options.partition);
    this.#lease = relayLeaseKey(options.prefix, options.partition);
    const { client, scripts, prefix, partition, group, retry: policy, logger } = options;
    this.#backoff = new OutboxBackoff({ client, scripts, prefix, partition, group, policy, logger });
  }

  /** The outbox stream this relay reads. */
  get stream(): string {
    return this.#outbox;
  }

  /** Starts the loop (once). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops the loop, waits for the batch in flight and gives the lease up for another relay. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.wake();
    await this.#running;
    // Lanes that outlived their round stop at their next message (or after commandTimeoutMs); what they delivered is acknowledged first.
    await this.#lanes.settled();
    this.#options.wakeups.unsubscribe(this.#outbox, this.#onAnnouncement);
    // Also a lease let run out may still be this relay's for a moment: give it up for the next owner.
    if (this.#tookOver) await this.#options.scripts.releaseRelayLease(this.#lease, this.#options.consumer);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#step();
        this.#failures.succeeded();
      } catch (err) {
        if (this.#stopped) break;
        this.#backlog = true;
        // The failed step may have taken an announcement with it: read at the next one whatever happens.
        this.#readAt = 0;
        // Redis lost its data (and the group with it): take the partition over again, which recreates it.
        if (isMissingGroupError(err)) {
          this.#tookOver = false;
          continue;
        }
        this.#failures.failed(err);
        await this.#sleep(RETRY_MS);
      }
    }
  }

  async #step(): Promise<void> {
    const { wakeups } = this.#options;
    // Until the subscription is confirmed the relay reads every 250 ms; then at once (see `ensure`).
    wakeups.ensure(this.#outbox, this.#onAnnouncement);
    const announcing = wakeups.announces(this.#outbox);
    const now = Date.now();
    // A relay that has not taken the partition over yet tries to (its lease's holder may have died with
    // messages pending) at every renewal instant, with or without new messages.
    const work = !this.#tookOver || this.#announced || !announcing || this.#backlog || now >= this.#nextPassAt || now >= this.#readAt;
    if (!work) {
      // Woken to renew the lease. A relay that delivered nothing since the last renewal lets it run out instead:
      // renewing every partition's lease is what an idle owner would spend its commands on. The next message
      // takes it again (the same relay, unless another took it meanwhile: then it takes the partition over).
      if (this.#busy) await this.#holdsLease();
      else this.#leaseUntil = 0;
      this.#busy = false;
      await this.#sleepUntil(Math.min(this.#leaseUntil > 0 ? this.#renewAt : Infinity, this.#nextPassAt, this.#readAt));
      return;
    }
    if (!(await this.#holdsLease())) {
      // An announcement wakes this sleep too; the next step sleeps again until the renewal.
      await this.#sleepUntil(this.#renewAt);
      return;
    }
    if (!this.#tookOver) {
      await this.#takeOver();
      this.#tookOver = true;
    }
    if (this.#backlog || Date.now() >= this.#nextPassAt) {
      await this.#pendingPass();
      return;
    }
    if (this.#announced || !announcing || Date.now() >= this.#readAt) {
      this.#announced = false;
      this.#readAt = Date.now() + ANNOUNCED_READ_MS;
      const entries = await this.#readNew();
      await this.#deliver(entries);
      // A lane that ended meanwhile left messages for a pass (its wake-up found no sleep to end).
      if (entries.length === BATCH || this.#announced || this.#backlog) return;
    }
    const readAt = announcing ? this.#readAt : Date.now() + UNANNOUNCED_READ_MS;
    await this.#sleepUntil(Math.min(this.#renewAt, this.#nextPassAt, readAt));
  }

  /**
   * Whether this relay holds the lease now: renews it (with the backend's other relays) when its renewal is
   * due, else answers from the last renewal. Checked before every step and every delivery, so a relay whose
   * lease went to another never delivers, however long a batch takes.
   */
  async #holdsLease(): Promise<boolean> {
    // Between renewals the last one answers; a lease let run out (leaseUntil 0) is taken again at once.
    if (Date.now() < this.#renewAt && (this.#leaseUntil > 0 || !this.#tookOver)) return Date.now() < this.#leaseUntil;
    // Lanes running at once share one renewal.
    this.#renewing ??= this.#renewLease().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renewLease(): Promise<boolean> {
    const { leases } = this.#options;
    const sentAt = Date.now();
    const held = await leases.hold(this.#lease);
    // The lease runs from when Redis ran the call, after `sentAt`; a reply that took long leaves less of it.
    this.#renewAt = Math.min(leases.nextRenewalAt(Date.now()), sentAt + leases.renewalMs);
    this.#leaseUntil = held === 'other' ? 0 : sentAt + leases.leaseMs;
    // Taken afresh, it may have been another relay's meanwhile: claim what that one left pending.
    if (held !== 'renewed') this.#tookOver = false;
    return held !== 'other' && Date.now() < this.#leaseUntil;
  }

  /** Makes the group exist and moves every entry pending for another consumer (a dead relay) to this one. */
  async #takeOver(): Promise<void> {
    const { client, group, consumer } = this.#options;
    await ensureGroup(client, this.#outbox, group);
    let cursor = '0-0';
    do {
      const reply = await client.xautoclaim(this.#outbox, group, consumer, 0, cursor, 'COUNT', BATCH, 'JUSTID');
      cursor = String(reply[0]);
    } while (cursor !== '0-0');
    this.#backlog = true;
  }

  /** Goes through every entry pending for this relay, in order: delivers those due, leaves the others pending. */
  async #pendingPass(): Promise<void> {
    const { client, group, consumer } = this.#options;
    this.#heldTargets = new Set();
    // This pass goes through every pending entry in order: partitions blocked only until it came are free, and
    // whatever blocks one again from here on (a lane ending meanwhile included) asks for another pass.
    this.#nextPassAt = this.#lanes.beginPass();
    this.#backlog = false;
    await this.#backoff.load();
    let after = '0';
    for (;;) {
      // Left for the next step when the lease went meanwhile.
      if (!(await this.#holdsLease())) {
        this.#backlog = true;
        return;
      }
      const reply = await client.callBuffer('XREADGROUP', 'GROUP', group, consumer, 'COUNT', BATCH, 'STREAMS', this.#outbox, after);
      const entries = parseReadGroupReply(reply);
      const last = entries.at(-1);
      if (last === undefined) break;
      await this.#deliver(entries);
      after = last.id;
    }
  }

  async #readNew(): Promise<StreamEntry[]> {
    const { client, group, consumer } = this.#options;
    return parseReadGroupReply(await client.callBuffer('XREADGROUP', 'GROUP', group, consumer, 'COUNT', BATCH, 'STREAMS', this.#outbox, '>'));
  }

  /**
   * Delivers entries, in order for each target partition and the target partitions at once (a lane each), so a
   * node that is slow or cannot be reached holds up only the messages to its own partitions. Skips the entries
   * whose target has a message backing off, and those of a blocked partition or one whose lane still runs
   * (they stay pending for a later pass). Returns once every lane ended, or `SLOW_NODE_CUTOFF_MS` after they began: a lane
   * still running then goes on and acknowledges its own deliveries; the others' are acknowledged and deleted
   * together. Throws when every lane met a failure of the store (the whole store is likely down).
   */
  async #deliver(entries: StreamEntry[]): Promise<void> {
    const { delivery } = this.#options;
    const lanes = new Map<number, StreamEntry[]>();
    for (const entry of entries) {
      const p = delivery.partitionOf(entry.fields.get('i')?.toString() ?? '');
      if (!this.#lanes.admits(p)) continue;
      const lane = lanes.get(p);
      if (lane === undefined) lanes.set(p, [entry]);
      else lane.push(entry);
    }
    if (lanes.size === 0) return;
    // The held targets as they are now: a pass that starts while a lane outlives its round begins a set of its own.
    const held = this.#heldTargets;
    const { done, failures, lanes: count } = await this.#lanes.round(lanes, (p, laneEntries) => this.#lane(p, laneEntries, held), (late, p) => this.#finishLate(late, p));
    const failure = failures[0]?.error;
    await this.#acknowledge(done);
    if (failure !== undefined && failures.length === count) {
      throw failure instanceof Error ? failure : new Error('redflow: delivering outbox messages failed', { cause: failure });
    }
    if (failure !== undefined) this.#laneFailures.failed(failure, { targetPartitions: failures.map((f) => f.partition) });
    else if (this.#lanes.clear) this.#laneFailures.succeeded();
  }

  /**
   * Delivers `entries`, all to partition `p`, one after another, and never rejects. A failure of the store ends
   * the lane: the partition is blocked for `RETRY_MS` and the rest stays pending. So does a lost lease or the
   * relay stopping (blocked until the next pass). Any other failure backs its entry off (its target joins `held`).
   */
  async #lane(p: number, entries: StreamEntry[], held: Set<string>): Promise<LaneResult> {
    const { client, delivery, partition } = this.#options;
    const done: string[] = [];
    try {
      for (const entry of entries) {
        // The rest stays pending, for a later pass or the lease's next holder, and nothing newer overtakes it.
        if (this.#stopped || !(await this.#holdsLease())) {
          this.#lanes.block(p, 0);
          this.#backlog = true;
          break;
        }
        const target = entry.fields.get('i')?.toString() ?? '';
        if (held.has(target)) continue;
        const record = this.#backoff.recordOf(entry.id);
        if (record !== undefined && record.nextAttemptAt > Date.now()) {
          this.#hold(held, target, record.nextAttemptAt);
          continue;
        }
        this.#busy = true;
        try {
          await delivery.deliver(partition, entry.id, entry.fields);
          done.push(entry.id);
        } catch (err) {
          if (isInfrastructureError(err, client)) throw err;
          const nextAttemptAt = await this.#backoff.failed(entry, err);
          if (nextAttemptAt !== undefined) this.#hold(held, target, nextAttemptAt);
        }
      }
      return { done };
    } catch (err) {
      this.#block(p);
      return { done, error: err };
    }
  }

  /** After a lane outlived its round: acknowledges what it delivered, and has a pass deliver what waited behind it. */
  async #finishLate(lane: Promise<LaneResult>, p: number): Promise<void> {
    try {
      const result = await lane;
      if (result.error !== undefined) this.#laneFailures.failed(result.error, { targetPartitions: [p] });
      await this.#acknowledge(result.done);
    } catch (err) {
      this.#laneFailures.failed(err, { targetPartitions: [p] });
    } finally {
      this.#backlog = true;
      this.#sleeper.wake();
    }
  }

  /**
   * Acknowledges and deletes delivered entries. Their retry records are done with either way: also when the
   * acknowledgement's replicas lagged (replicaAcks) or it was lost (the entries are then delivered again, and
   * dropped as duplicates).
   */
  async #acknowledge(done: string[]): Promise<void> {
    if (done.length === 0) return;
    const { group, scripts } = this.#options;
    try {
      await scripts.ackRelayedEntries(this.#outbox, group, done);
    } finally {
      await this.#backoff.forget(done);
    }
  }

  /** Leaves the messages to partition `p` pending until a pass `RETRY_MS` from now. */
  #block(p: number): void {
    const untilMs = Date.now() + RETRY_MS;
    this.#lanes.block(p, untilMs);
    this.#nextPassAt = Math.min(this.#nextPassAt, untilMs);
  }

  #hold(held: Set<string>, target: string, untilMs: number): void {
    held.add(target);
    this.#nextPassAt = Math.min(this.#nextPassAt, untilMs);
  }

  async #sleep(ms: number): Promise<void> {
    await this.#sleepUntil(Date.now() + ms);
  }

  async #sleepUntil(untilMs: number): Promise<void> {
    if (!this.#stopped) await this.#sleeper.sleepUntil(untilMs);
  }
}
