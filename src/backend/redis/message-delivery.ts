import type { Logger } from 'pino';
import { activeExecutionOf } from './active-execution.js';
import {
  activeKey,
  chainsKey,
  heldKey,
  executionKey,
  executionTimersKey,
  expiringKey,
  finishedChannel,
  finishedKey,
  historyKey,
  inboxKey,
  instanceKey,
  instancesKey,
  outboxKey,
  relayedKey,
  timersKey,
  workflowQueuesKey,
  workflowTaskStreamKey,
} from './keys.js';
import { parseOutboxEntry, type BeforeStartCancellation, type EventMessage, type MessageSender, type OutboxMessage } from './outbox-message.js';
import { partitionIn, type RedisContext } from './redis-context.js';
import type { BeforeStartDelivery, DeliverMessageArgs, DeliverMessageKeys, DeliveryResult, RelayScripts } from './relay-scripts.js';

/**
 * How long (ms) a partition remembers the id of a message delivered into it. A message is delivered
 * again only when its relay died between delivering and acknowledging it, and another relay takes the
 * entry over after the relay lease (seconds) ran out; a day covers any outage a relay would survive
 * while keeping the record set to one day of cross-execution messages.
 */
export const DELIVERED_MESSAGE_RETENTION_MS = 24 * 60 * 60 * 1000;

// A signal's target execution read before the script may have ended by the time it runs (continue-as-new),
// and so may a cancellation request's; each retry reads it again. A chain that outruns the relay this often
// means something is wrong.
const MAX_ATTEMPTS = 50;

/** What became of an outbox entry. */
export type EntryResult = DeliveryResult | 'malformed';

type Common = Pick<DeliverMessageArgs, 'messageId' | 'dedupWindowMs'>;

const NO_ANSWER = {
  answer: '',
  senderInstanceId: '',
  senderExecutionId: '',
  senderQueue: '',
  onSuccess: '',
  onFailure: '',
} as const;

/**
 * Delivers outbox entries on their target's partition with deliver-message.lua, which records each
 * message id so that a second delivery of the same entry changes nothing.
 */
export class MessageDelivery {
  readonly #context: RedisContext;
  readonly #scripts: RelayScripts;
  readonly #logger: Logger;

  constructor(context: RedisContext, scripts: RelayScripts, logger: Logger) {
    this.#context = context;
    this.#scripts = scripts;
    this.#logger = logger;
  }

  /** The partition of `instanceId`: where a message to it is delivered. */
  partitionOf(instanceId: string): number {
    return partitionIn(this.#context, instanceId);
  }

  /** Delivers entry `entryId` of partition `source`'s outbox; 'malformed' entries can never be delivered. */
  async deliver(source: number, entryId: string, fields: ReadonlyMap<string, Buffer>): Promise<EntryResult> {
    let message: OutboxMessage;
    try {
      message = parseOutboxEntry(fields);
    } catch (err) {
      this.#logger.error({ err, partition: source, entryId }, 'dropping malformed outbox entry');
      return 'malformed';
    }
    const common: Common = { messageId: `${source}-${entryId}`, dedupWindowMs: DELIVERED_MESSAGE_RETENTION_MS };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await this.#attempt(message, common, attempt > 0);
      if (result !== 'moved') return result;
    }
    throw new Error(`redflow: could not deliver a ${message.kind} message to ${message.instanceId}: its active execution kept changing`);
  }

  /** One delivery; `moved`: the previous attempt found that the target execution had moved on. */
  async #attempt(message: OutboxMessage, common: Common, moved: boolean): Promise<DeliveryResult> {
    const p = partitionIn(this.#context, message.instanceId);
    if (message.kind === 'start') {
      const { instanceId, executionId, queue, name, createdAt } = message;
      const keys = this.#keys(p, instanceId, executionId, queue, message.sender);
      const answer = this.#answer(p, message.sender, '', message.clash);
      const args = { kind: 'start', instanceId, executionId, queue, event: message.started, eventType: '', name, createdAt, ...common } as const;
      return this.#scripts.deliverMessage(keys, Object.assign({}, args, answer));
    }
    if (message.kind === 'signal') {
      const { instanceId } = message;
      const { executionId, queue } = (await activeExecutionOf(this.#context, instanceId)) ?? { executionId: '', queue: '' };
      const keys = this.#keys(p, instanceId, executionId, queue, message.sender);
      const answer = this.#answer(p, message.sender, message.delivered, message.failed);
      const args = { kind: 'signal', instanceId, executionId, queue: '', event: message.signal, eventType: 'SignalReceived', name: '', createdAt: 0, ...common } as const;
      return this.#scripts.deliverMessage(keys, Object.assign({}, args, answer));
    }
    const { instanceId, event, eventType } = message;
    const { executionId, queue } = await this.#eventTarget(p, message, moved);
    // Ending a child before it started is for the execution its parent started; a request that moved on to
    // a continuation (which has run before) is delivered as it is.
    const beforeStart = executionId === message.executionId ? message.beforeStart : undefined;
    const keys = this.#keys(p, instanceId, executionId, queue, beforeStart?.sender);
    const args = { kind: 'event', instanceId, executionId, queue, event, eventType, name: '', createdAt: 0, ...common } as const;
    if (beforeStart === undefined) return this.#scripts.deliverMessage(keys, Object.assign({}, args, NO_ANSWER));
    const answer = this.#answer(p, beforeStart.sender, '', beforeStart.parentFailed);
    return this.#scripts.deliverMessage(keys, Object.assign({}, args, answer), this.#beforeStart(p, instanceId, executionId, beforeStart));
  }

  /** What ending a child of partition `p` that has not started takes, for a cancellation request from its parent. */
  #beforeStart(p: number, instanceId: string, executionId: string, cancellation: BeforeStartCancellation): BeforeStartDelivery {
    const { prefix } = this.#context;
    return {
      history: historyKey(prefix, p, instanceId, executionId),
      executionTimers: executionTimersKey(prefix, p, instanceId, executionId),
      timers: timersKey(prefix, p),
      finished: finishedKey(prefix, p),
      expiring: expiringKey(prefix, p),
      chains: chainsKey(prefix, p),
      held: heldKey(prefix, p),
      finishedEvent: cancellation.finished,
      finishedChannel: finishedChannel(prefix, p),
      retentionMs: cancellation.retentionMs,
    };
  }

  /**
   * The execution an event goes to: the one the message names until the script answers that it has
   * continued as new (a cancellation request, which is for the instance), then the instance's active one.
   * Without an active one left, the named one again: the script drops the event there.
   */
  async #eventTarget(p: number, message: EventMessage, moved: boolean): Promise<{ executionId: string; queue: string }> {
    const active = moved ? await activeExecutionOf(this.#context, message.instanceId) : undefined;
    if (active !== undefined) return active;
    const { client, prefix } = this.#context;
    const queue = message.queue ?? (await client.hget(executionKey(prefix, p, message.instanceId, message.executionId), 'queue'));
    return { executionId: message.executionId, queue: queue ?? '' };
  }

  /**
   * Keys of a delivery into partition `p`. A target that does not exist gets keys that exist nowhere
   * (empty execution id or queue), which the script checks before it writes anything.
   */
  #keys(p: number, instanceId: string, executionId: string, queue: string, sender: MessageSender | undefined): DeliverMessageKeys {
    const { prefix } = this.#context;
    const instance = instanceKey(prefix, p, instanceId);
    const local = sender !== undefined && partitionIn(this.#context, sender.instanceId) === p;
    return {
      relayed: relayedKey(prefix, p),
      instance,
      execution: executionKey(prefix, p, instanceId, executionId),
      inbox: inboxKey(prefix, p, instanceId, executionId),
      workflowTasks: workflowTaskStreamKey(prefix, p, queue),
      instances: instancesKey(prefix, p),
      active: activeKey(prefix, p),
      workflowQueues: workflowQueuesKey(prefix, p),
      outbox: outboxKey(prefix, p),
      senderExecution: local ? executionKey(prefix, p, sender.instanceId, sender.executionId) : instance,
      senderInbox: local ? inboxKey(prefix, p, sender.instanceId, sender.executionId) : instance,
      senderWorkflowTasks: local ? workflowTaskStreamKey(prefix, p, sender.queue) : instance,
    };
  }

  #answer(p: number, sender: MessageSender, onSuccess: Buffer | '', onFailure: Buffer): Pick<DeliverMessageArgs, keyof typeof NO_ANSWER> {
    return {
      answer: partitionIn(this.#context, sender.instanceId) === p ? 'local' : 'outbox',
      senderInstanceId: sender.instanceId,
      senderExecutionId: sender.executionId,
      senderQueue: sender.queue,
      onSuccess,
      onFailure,
    };
  }
}
