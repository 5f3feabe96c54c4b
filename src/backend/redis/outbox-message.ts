import { InvalidArgumentError } from '../../errors/errors.js';
import type { NewExecution } from './new-execution.js';

/** The execution that sent a message and receives its answer. */
export interface MessageSender {
  instanceId: string;
  executionId: string;
  queue: string;
}

/** Starts a sub-workflow's execution; the sender gets `clash` (SubWorkflowFailed) if its id is active. */
export interface StartMessage extends NewExecution {
  kind: 'start';
  sender: MessageSender;
  clash: Buffer;
}

/** A signal to an instance id's active execution; the sender gets `delivered` or `failed`. */
export interface SignalMessage {
  kind: 'signal';
  instanceId: string;
  /** Encoded `SignalReceived`. */
  signal: Buffer;
  sender: MessageSender;
  delivered: Buffer;
  failed: Buffer;
}

/**
 * What a parent's cancellation request for its child carries to end the child at once, cancelled, if no
 * worker has started it.
 */
export interface BeforeStartCancellation {
  /** The parent, which receives `parentFailed` then. */
  sender: MessageSender;
  /** Encoded `WorkflowExecutionFinished` that ends the child. */
  finished: Buffer;
  /** Encoded `SubWorkflowFailed` (a `CanceledError`). */
  parentFailed: Buffer;
  /** How long (ms) the ended child's keys are kept, as the parent's backend keeps those it ends; 0 = until removed. */
  retentionMs: number;
}

/**
 * An event for one execution, dropped if it has ended; but a cancellation request for an execution that
 * has continued as new goes to its chain's active execution.
 */
export interface EventMessage {
  kind: 'event';
  instanceId: string;
  executionId: string;
  /** The target's queue when the sender knows it (answers, and outcomes to a parent whose task ran there); the relay looks it up otherwise. */
  queue?: string;
  event: Buffer;
  eventType: string;
  /** With a parent's `WorkflowExecutionCanceled` for its child. */
  beforeStart?: BeforeStartCancellation;
}

/** What a workflow task (or a delivery answering it) sends through an outbox. */
export type OutboxMessage = StartMessage | SignalMessage | EventMessage;

/** One field of an outbox entry. */
export type OutboxField = [name: string, value: string | Buffer];

function senderFields(sender: MessageSender): OutboxField[] {
  return [
    ['ri', sender.instanceId],
    ['re', sender.executionId],
    ['rq', sender.queue],
  ];
}

function beforeStartFields(beforeStart: BeforeStartCancellation): OutboxField[] {
  const { sender, finished, parentFailed, retentionMs } = beforeStart;
  return [...senderFields(sender), ['x', finished], ['f', parentFailed], ['r', String(retentionMs)]];
}

/**
 * The fields of an outbox entry for `message`. Plain fields rather than one blob, because
 * deliver-message.lua writes answers in the same shape (field names mirrored there).
 */
export function outboxFields(message: OutboxMessage): OutboxField[] {
  switch (message.kind) {
    case 'start':
      return [
        ['k', 'start'],
        ['i', message.instanceId],
        ['e', message.executionId],
        ['q', message.queue],
        ['n', message.name],
        ['c', String(message.createdAt)],
        ['b', message.started],
        ...senderFields(message.sender),
        ['f', message.clash],
      ];
    case 'signal':
      return [
        ['k', 'signal'],
        ['i', message.instanceId],
        ['b', message.signal],
        ...senderFields(message.sender),
        ['ok', message.delivered],
        ['f', message.failed],
      ];
    case 'event':
      return [
        ['k', 'event'],
        ['i', message.instanceId],
        ['e', message.executionId],
        ...(message.queue === undefined ? [] : [['q', message.queue] as OutboxField]),
        ['b', message.event],
        ['t', message.eventType],
        ...(message.beforeStart === undefined ? [] : beforeStartFields(message.beforeStart)),
      ];
  }
}

function reader(fields: ReadonlyMap<string, Buffer>): { text: (name: string) => string; blob: (name: string) => Buffer } {
  const blob = (name: string): Buffer => {
    const value = fields.get(name);
    if (value === undefined) throw new InvalidArgumentError(`outbox entry has no field ${name}`);
    return value;
  };
  return { blob, text: (name) => blob(name).toString() };
}

function retention(text: string): number {
  const ms = Number(text);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidArgumentError(`outbox entry has retention ${JSON.stringify(text)}, not a count of ms`);
  return ms;
}

/** The message of an outbox entry; throws `InvalidArgumentError` for an entry that is not one. */
export function parseOutboxEntry(fields: ReadonlyMap<string, Buffer>): OutboxMessage {
  const { text, blob } = reader(fields);
  const sender = (): MessageSender => ({ instanceId: text('ri'), executionId: text('re'), queue: text('rq') });
  const kind = text('k');
  if (kind === 'start') {
    const createdAt = Number(text('c'));
    return {
      kind,
      instanceId: text('i'),
      executionId: text('e'),
      name: text('n'),
      queue: text('q'),
      createdAt,
      started: blob('b'),
      sender: sender(),
      clash: blob('f'),
    };
  }
  if (kind === 'signal') {
    return { kind, instanceId: text('i'), signal: blob('b'), sender: sender(), delivered: blob('ok'), failed: blob('f') };
  }
  if (kind === 'event') {
    const queue = fields.get('q')?.toString();
    return {
      kind,
      instanceId: text('i'),
      executionId: text('e'),
      ...(queue === undefined ? {} : { queue }),
      event: blob('b'),
      eventType: text('t'),
      ...(fields.has('x') ? { beforeStart: { sender: sender(), finished: blob('x'), parentFailed: blob('f'), retentionMs: retention(text('r')) } } : {}),
    };
  }
  throw new InvalidArgumentError(`outbox entry has unknown kind ${JSON.stringify(kind)}`);
}
