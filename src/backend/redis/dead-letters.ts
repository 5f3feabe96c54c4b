import type { DeadLetterMessage, DeadLetterPage, ListDeadLetterMessagesQuery } from '../backend.js';
import { DeadLetterNotFoundError, InvalidArgumentError } from '../../errors/errors.js';
import { deadLettersKey, outboxKey } from './keys.js';
import type { RedisContext } from './redis-context.js';
import type { RelayScripts } from './relay-scripts.js';

const ENTRY_ID = /^\d+-\d+$/;

/** A position in the dead letters: a partition and an entry id of its dead-letters stream. */
interface Position {
  partition: number;
  entryId: string;
}

/** `<partition>-<entry id>`: the id of a dead letter, and the list cursor (the last position returned). */
function positionId(position: Position): string {
  return `${position.partition}-${position.entryId}`;
}

/** The position an id or cursor names; undefined when it names none in `partitions` partitions. */
function parsePosition(value: string, partitions: number): Position | undefined {
  const at = value.indexOf('-');
  const partition = Number(value.slice(0, at));
  const entryId = value.slice(at + 1);
  if (at <= 0 || !Number.isInteger(partition) || partition < 0 || partition >= partitions || !ENTRY_ID.test(entryId)) return undefined;
  return { partition, entryId };
}

function toMessage(partition: number, entryId: string, raw: string[]): DeadLetterMessage {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) fields.set(raw[i] ?? '', raw[i + 1] ?? '');
  const fromId = fields.get('ri');
  const fromExecution = fields.get('re');
  return {
    id: positionId({ partition, entryId }),
    partition,
    kind: fields.get('k') ?? '',
    ...(fromId !== undefined && fromExecution !== undefined ? { from: { instanceId: fromId, executionId: fromExecution } } : {}),
    target: fields.get('i') ?? '',
    error: { type: fields.get('dl:type') ?? 'Error', message: fields.get('dl:message') ?? '' },
    attempts: Number(fields.get('dl:attempts') ?? 0),
    deadLetteredAt: new Date(Number(fields.get('dl:at') ?? 0)),
  };
}

/**
 * Outbox messages parked after their last delivery attempt failed (see `OutboxBackoff`): one
 * dead-letters stream per partition, listed partition by partition, oldest first, and put back into
 * their outbox one at a time by an operator.
 */
export class DeadLetters {
  readonly #context: RedisContext;
  readonly #scripts: RelayScripts;

  constructor(context: RedisContext, scripts: RelayScripts) {
    this.#context = context;
    this.#scripts = scripts;
  }

  /** `Backend.listDeadLetterMessages`; `InvalidArgumentError` for a cursor no page returned. */
  async list(query: ListDeadLetterMessagesQuery): Promise<DeadLetterPage> {
    const { client, prefix, partitions } = this.#context;
    const after = query.cursor === undefined ? undefined : parsePosition(query.cursor, partitions);
    if (query.cursor !== undefined && after === undefined) {
      throw new InvalidArgumentError('cursor must be the nextCursor of a previous page');
    }
    // One more than a page, to tell whether another page follows.
    const messages: DeadLetterMessage[] = [];
    for (let p = after?.partition ?? 0; p < partitions && messages.length <= query.count; p++) {
      const start = after !== undefined && p === after.partition ? `(${after.entryId}` : '-';
      const entries = await client.xrange(deadLettersKey(prefix, p), start, '+', 'COUNT', query.count + 1 - messages.length);
      for (const [entryId, raw] of entries) messages.push(toMessage(p, entryId, raw));
    }
    if (messages.length <= query.count) return { messages };
    const page = messages.slice(0, query.count);
    const last = page[page.length - 1];
    return last === undefined ? { messages: page } : { messages: page, nextCursor: last.id };
  }

  /** `Backend.retryDeadLetterMessage`: `DeadLetterNotFoundError` when `id` names no dead letter. */
  async retry(id: string): Promise<void> {
    const { prefix, partitions } = this.#context;
    const position = typeof id === 'string' ? parsePosition(id, partitions) : undefined;
    if (position === undefined) throw new DeadLetterNotFoundError(String(id));
    const { partition, entryId } = position;
    const moved = await this.#scripts.retryDeadLetter(deadLettersKey(prefix, partition), outboxKey(prefix, partition), entryId);
    if (moved === undefined) throw new DeadLetterNotFoundError(id);
  }

  /** Dead letters in every partition. */
  async count(): Promise<number> {
    const { client, prefix, partitions } = this.#context;
    const lengths = await Promise.all(Array.from({ length: partitions }, (_, p) => client.xlen(deadLettersKey(prefix, p))));
    return lengths.reduce((sum, n) => sum + n, 0);
  }
}
