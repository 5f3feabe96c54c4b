import { ScriptRunner, type RedisClient } from './script-runner.js';

/** What an attempt at a relay lease found: see `RelayScripts.holdRelayLeases`. */
export type RelayLeaseHold = 'renewed' | 'taken' | 'other';

/** Keys of `deliverMessage`: the target's partition, where every key of the call lives. */
export interface DeliverMessageKeys {
  relayed: string;
  instance: string;
  execution: string;
  inbox: string;
  workflowTasks: string;
  instances: string;
  active: string;
  workflowQueues: string;
  outbox: string;
  /** The sender's execution keys when the answer is local; any key of the partition otherwise. */
  senderExecution: string;
  senderInbox: string;
  senderWorkflowTasks: string;
}

/** Arguments of `deliverMessage`; see lua/deliver-message.lua. */
export interface DeliverMessageArgs {
  messageId: string;
  dedupWindowMs: number;
  kind: 'start' | 'signal' | 'event';
  instanceId: string;
  executionId: string;
  queue: string;
  event: Buffer;
  eventType: string;
  name: string;
  createdAt: number;
  answer: '' | 'local' | 'outbox';
  senderInstanceId: string;
  senderExecutionId: string;
  senderQueue: string;
  onSuccess: Buffer | string;
  onFailure: Buffer | string;
}

/**
 * What a parent's cancellation request for its child (an 'event') adds to `deliverMessage` so that it ends
 * the child at once if no worker has started it; `onFailure` is then the parent's `SubWorkflowFailed`.
 */
export interface BeforeStartDelivery {
  /** The target's history and execution-timers set, and the target partition's indexes. */
  history: string;
  executionTimers: string;
  timers: string;
  finished: string;
  expiring: string;
  chains: string;
  /** The held index: ending the child clears a hold. */
  held: string;
  /** Encoded `WorkflowExecutionFinished` that ends the child. */
  finishedEvent: Buffer;
  finishedChannel: string;
  /** How long (ms) the ended child's keys are kept; 0 = until removed. */
  retentionMs: number;
}

/** Keys of `deadLetterMessage`: one partition's outbox, its backoff records and its dead letters. */
export interface DeadLetterKeys {
  outbox: string;
  retries: string;
  deadLetters: string;
}

/** What `deadLetterMessage` records with a parked message. */
export interface DeadLetterArgs {
  group: string;
  entryId: string;
  errorType: string;
  errorMessage: string;
  attempts: number;
}

/** What became of a message. */
export type DeliveryResult = 'delivered' | 'duplicate' | 'moved';

/** Typed calls of the outbox relay's Lua scripts. */
export class RelayScripts {
  readonly #runner: ScriptRunner;

  constructor(client: RedisClient) {
    this.#runner = new ScriptRunner(client);
  }

  /** Runs deliver-message.lua. */
  async deliverMessage(keys: DeliverMessageKeys, args: DeliverMessageArgs, beforeStart?: BeforeStartDelivery): Promise<DeliveryResult> {
    const k = [
      keys.relayed,
      keys.instance,
      keys.execution,
      keys.inbox,
      keys.workflowTasks,
      keys.instances,
      keys.active,
      keys.workflowQueues,
      keys.outbox,
      keys.senderExecution,
      keys.senderInbox,
      keys.senderWorkflowTasks,
    ];
    const a = [
      args.messageId,
      args.dedupWindowMs,
      args.kind,
      args.instanceId,
      args.executionId,
      args.queue,
      args.event,
      args.eventType,
      args.name,
      args.createdAt,
      args.answer,
      args.senderInstanceId,
      args.senderExecutionId,
      args.senderQueue,
      args.onSuccess,
      args.onFailure,
    ];
    if (beforeStart !== undefined) {
      k.push(beforeStart.history, beforeStart.executionTimers, beforeStart.timers, beforeStart.finished, beforeStart.expiring, beforeStart.chains, beforeStart.held);
      a.push(beforeStart.finishedEvent, beforeStart.finishedChannel, beforeStart.retentionMs);
    }
    const reply = await this.#runner.run('deliver-message', k, a);
    return reply === 1 ? 'delivered' : reply === 0 ? 'duplicate' : 'moved';
  }

  /** Runs dead-letter-message.lua; the dead letter's id, or undefined when the entry had left the outbox. */
  async deadLetterMessage(keys: DeadLetterKeys, args: DeadLetterArgs): Promise<string | undefined> {
    const reply = await this.#runner.run(
      'dead-letter-message',
      [keys.outbox, keys.retries, keys.deadLetters],
      [args.group, args.entryId, args.errorType, args.errorMessage, args.attempts],
    );
    return typeof reply === 'string' ? reply : undefined;
  }

  /** Runs retry-dead-letter.lua; the new outbox entry's id, or undefined when there is no such dead letter. */
  async retryDeadLetter(deadLetters: string, outbox: string, id: string): Promise<string | undefined> {
    const reply = await this.#runner.run('retry-dead-letter', [deadLetters, outbox], [id]);
    return typeof reply === 'string' ? reply : undefined;
  }

  /**
   * Runs hold-relay-lease.lua: for each of `leases` (keys of one slot on a Cluster), whether `owner` renewed it
   * (`'renewed'`: it held it), took it (`'taken'`: it was free) or another relay holds it (`'other'`). A lease
   * held or taken lasts `leaseMs` from now.
   */
  async holdRelayLeases(leases: readonly string[], owner: string, leaseMs: number): Promise<RelayLeaseHold[]> {
    const reply = await this.#runner.run('hold-relay-lease', leases, [owner, leaseMs]);
    if (!Array.isArray(reply) || reply.length !== leases.length) throw new Error(`hold-relay-lease: unexpected reply ${String(reply)}`);
    return reply.map((held) => (held === 2 ? 'renewed' : held === 1 ? 'taken' : 'other'));
  }

  /** Runs ack-relayed-entries.lua: acknowledges and deletes delivered entries `ids` of `outbox`; resolves with how many were deleted. */
  async ackRelayedEntries(outbox: string, group: string, ids: readonly string[]): Promise<number> {
    return Number(await this.#runner.run('ack-relayed-entries', [outbox], [group, ...ids]));
  }

  /** Runs release-relay-lease.lua; true when `owner` held the lease and gave it up. */
  async releaseRelayLease(lease: string, owner: string): Promise<boolean> {
    return (await this.#runner.run('release-relay-lease', [lease], [owner])) === 1;
  }
}
