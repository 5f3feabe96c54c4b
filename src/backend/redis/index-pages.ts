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

/** What one call of `IndexPages.page` asks for beyond the page size and cursor. */
export interface PageLimits<T> {
  /** Only entries scored at or above this (inclusive). */
  minScore?: number;
  /** Only entries scored below this (exclusive). */
  maxScore?: number;
  /** Entries `read` gives that this refuses are passed over. */
  keep?: (item: T) => boolean;
  /**
   * At most this many index entries are read in the call (at least the page size plus one); when they run out
   * the page holds what matched so far, and its cursor is the last entry read. Unbounded when omitted.
   */
  scanLimit?: number;
}

/**
 * Pages through one zset per partition as a single listing, newest (highest score) first: each page merges the
 * partitions' next entries and reads each with `read`; its cursor is the last position returned, or, when the
 * call's `scanLimit` ran out first, the last position read.
 */
export class IndexPages<T> {
  readonly #context: RedisContext;
  readonly #options: IndexPagesOptions<T>;

  constructor(context: RedisContext, options: IndexPagesOptions<T>) {
    this.#context = context;
    this.#options = options;
  }

  /** One page of `count` entries after `cursor` (the newest when omitted), within `limits`. */
  async page(count: number, cursor: string | undefined, limits: PageLimits<T> = {}): Promise<{ items: T[]; nextCursor?: string }> {
    const size = Math.max(1, Math.floor(count));
    const scanLimit = limits.scanLimit === undefined ? Infinity : Math.max(size + 1, limits.scanLimit);
    let position = cursor === undefined ? undefined : decodeCursor(cursor, this.#options.operation);
    // One more than the page, to know whether another page follows.
    const found: Array<{ position: IndexPosition; item: T }> = [];
    let scanned = 0;
    while (found.length <= size) {
      const need = Math.min(size + 1 - found.length, scanLimit - scanned);
      if (need <= 0) {
        // Out of budget: what matched so far, and the place to go on from.
        const items = found.map((entry) => entry.item);
        return position === undefined ? { items } : { items, nextCursor: encodeCursor(position) };
      }
      const candidates = await this.#candidates(position, need, limits);
      scanned += candidates.length;
      const items = await Promise.all(candidates.map((c) => this.#options.read(c)));
      candidates.forEach((candidate, i) => {
        const item = items[i];
        if (item !== undefined && (limits.keep === undefined || limits.keep(item))) found.push({ position: candidate, item });
      });
      position = candidates.at(-1) ?? position;
      if (candidates.length < need) break;
    }
    const page = found.slice(0, size);
    const last = page.at(-1);
    const items = page.map((entry) => entry.item);
    return found.length > size && last !== undefined ? { items, nextCursor: encodeCursor(last.position) } : { items };
  }

  /** The first `need` index entries after `position` within the score bounds of `limits`, over all partitions. */
  async #candidates(position: IndexPosition | undefined, need: number, limits: PageLimits<T>): Promise<IndexPosition[]> {
    const { client, prefix, partitions } = this.#context;
    const max = limits.maxScore === undefined ? '+inf' : `(${limits.maxScore}`;
    const min = limits.minScore === undefined ? '-inf' : String(limits.minScore);
    const inBounds = (c: IndexPosition): boolean =>
      (limits.minScore === undefined || c.score >= limits.minScore) && (limits.maxScore === undefined || c.score < limits.maxScore);
    const perPartition = await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        const key = this.#options.keyOf(prefix, p);
        if (position === undefined) return pairs(await client.zrange(key, max, min, 'BYSCORE', 'REV', 'LIMIT', 0, need, 'WITHSCORES'));
        const [tied, older] = await Promise.all([
          client.zrange(key, position.score, position.score, 'BYSCORE', 'WITHSCORES'),
          client.zrange(key, `(${position.score}`, min, 'BYSCORE', 'REV', 'LIMIT', 0, need, 'WITHSCORES'),
        ]);
        return [...pairs(tied).filter((c) => before(position, c) && inBounds(c)), ...pairs(older).filter(inBounds)];
      }),
    );
    return perPartition.flat().sort(compare).slice(0, need);
  }
}
