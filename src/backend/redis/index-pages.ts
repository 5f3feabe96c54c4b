import { InvalidArgumentError } from '../../errors/errors.js';
import type { RedisContext } from './redis-context.js';

/** A place in a listing: newest first by score, ties broken by member, descending. */
export interface IndexPosition {
  score: number;
  member: string;
}

function before(a: IndexPosition, b: IndexPosition): boolean {
  return a.score > b.score || (a.score === b.score && a.member > b.member);
}

function compare(a: IndexPosition, b: IndexPosition): number {
  return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/** The opaque cursor of a page ending at `position`. */
function encodeCursor(position: IndexPosition): string {
  return Buffer.from(JSON.stringify([position.score, position.member])).toString('base64url');
}

function decodeCursor(cursor: string, operation: string): IndexPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || typeof parts[0] !== 'number' || typeof parts[1] !== 'string') {
    throw new InvalidArgumentError(`${operation}: cursor ${JSON.stringify(cursor)} was not issued by this backend`);
  }
  return { score: parts[0], member: parts[1] };
}

function pairs(flat: string[]): IndexPosition[] {
  const positions: IndexPosition[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) positions.push({ member: flat[i] as string, score: Number(flat[i + 1]) });
  return positions;
}

/** Options of `IndexPages`. */
export interface IndexPagesOptions<T> {
  /** The listed zset of partition `p`. */
  keyOf: (prefix: string, p: number) => string;
  /** What an entry stands for; undefined skips it (what it named is gone). */
  read: (position: IndexPosition) => Promise<T | undefined>;
  /** The operation named in a bad cursor's error. */
  operation: string;
}

/**
 * Pages through one zset per partition as a single listing, newest (highest score) first: each page merges the
 * partitions' next entries and reads each with `read`; its cursor is the last position returned.
 */
export class IndexPages<T> {
  readonly #context: RedisContext;
  readonly #options: IndexPagesOptions<T>;

  constructor(context: RedisContext, options: IndexPagesOptions<T>) {
    this.#context = context;
    this.#options = options;
  }

  /** One page of `count` entries after `cursor` (the newest when omitted). */
  async page(count: number, cursor: string | undefined): Promise<{ items: T[]; nextCursor?: string }> {
    const size = Math.max(1, Math.floor(count));
    let position = cursor === undefined ? undefined : decodeCursor(cursor, this.#options.operation);
    // One more than the page, to know whether another page follows.
    const found: Array<{ position: IndexPosition; item: T }> = [];
    while (found.length <= size) {
      const need = size + 1 - found.length;
      const candidates = await this.#candidates(position, need);
      const items = await Promise.all(candidates.map((c) => this.#options.read(c)));
      candidates.forEach((candidate, i) => {
        const item = items[i];
        if (item !== undefined) found.push({ position: candidate, item });
      });
      position = candidates.at(-1);
      if (candidates.length < need) break;
    }
    const page = found.slice(0, size);
    const last = page.at(-1);
    const items = page.map((entry) => entry.item);
    return found.length > size && last !== undefined ? { items, nextCursor: encodeCursor(last.position) } : { items };
  }

  /** The first `need` index entries after `position`, over all partitions. */
  async #candidates(position: IndexPosition | undefined, need: number): Promise<IndexPosition[]> {
    const { client, prefix, partitions } = this.#context;
    const perPartition = await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        const key = this.#options.keyOf(prefix, p);
        if (position === undefined) return pairs(await client.zrange(key, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, need, 'WITHSCORES'));
        const [tied, older] = await Promise.all([
          client.zrange(key, position.score, position.score, 'BYSCORE', 'WITHSCORES'),
          client.zrange(key, `(${position.score}`, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, need, 'WITHSCORES'),
        ]);
        return [...pairs(tied).filter((c) => before(position, c)), ...pairs(older)];
      }),
    );
    return perPartition.flat().sort(compare).slice(0, need);
  }
}
