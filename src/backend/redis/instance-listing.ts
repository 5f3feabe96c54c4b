import type { ListWorkflowInstancesQuery, WorkflowInstanceInfo, WorkflowInstancePage } from '../backend.js';
import { InvalidArgumentError } from '../../errors/errors.js';
import { dropChainEntry } from './execution-chains.js';
import { executionKey, expiringKey, finishedKey, instancesKey } from './keys.js';
import { isExecutionState, parseIndexMember, partitionIn, type RedisContext } from './redis-context.js';

/** A place in the listing order: newest first by creation time, ties broken by member, descending. */
interface Position {
  score: number;
  member: string;
}


function before(a: Position, b: Position): boolean {
  return a.score > b.score || (a.score === b.score && a.member > b.member);
}

function compare(a: Position, b: Position): number {
  return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/** The opaque cursor of a page ending at `position`. */
function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.score, position.member])).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || typeof parts[0] !== 'number' || typeof parts[1] !== 'string') {
    throw new InvalidArgumentError(`listWorkflowInstances: cursor ${JSON.stringify(cursor)} was not issued by this backend`);
  }
  return { score: parts[0], member: parts[1] };
}

function pairs(flat: string[]): Position[] {
  const positions: Position[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) positions.push({ member: flat[i] as string, score: Number(flat[i + 1]) });
  return positions;
}

/**
 * Lists executions newest first across every partition's instances index. Entries whose keys expired
 * (retention) are skipped and dropped from the indexes on the way.
 */
export class InstanceListing {
  readonly #context: RedisContext;

  constructor(context: RedisContext) {
    this.#context = context;
  }

  /** One page of `query.count` executions after `query.cursor`. */
  async list(query: ListWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
    const count = Math.max(1, Math.floor(query.count));
    let position = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    // One more than the page, to know whether another page follows.
    const found: Array<{ position: Position; info: WorkflowInstanceInfo }> = [];
    while (found.length <= count) {
      const need = count + 1 - found.length;
      const candidates = await this.#candidates(position, need);
      const infos = await Promise.all(candidates.map((c) => this.#read(c)));
      candidates.forEach((candidate, i) => {
        const info = infos[i];
        if (info !== undefined) found.push({ position: candidate, info });
      });
      position = candidates.at(-1);
      if (candidates.length < need) break;
    }
    const page = found.slice(0, count);
    const last = page.at(-1);
    const instances = page.map((entry) => entry.info);
    return found.length > count && last !== undefined ? { instances, nextCursor: encodeCursor(last.position) } : { instances };
  }

  /** The first `need` index entries after `position`, over all partitions. */
  async #candidates(position: Position | undefined, need: number): Promise<Position[]> {
    const { client, prefix, partitions } = this.#context;
    const perPartition = await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        const key = instancesKey(prefix, p);
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

  async #read(position: Position): Promise<WorkflowInstanceInfo | undefined> {
    const { client, prefix } = this.#context;
    const instance = parseIndexMember(position.member);
    if (instance === undefined) return undefined;
    const p = partitionIn(this.#context, instance.instanceId);
    const key = executionKey(prefix, p, instance.instanceId, instance.executionId);
    const [name, queue, state, createdAt, finishedAt] = await client.hmget(key, 'name', 'queue', 'state', 'createdAt', 'finishedAt');
    if (typeof name !== 'string' || typeof queue !== 'string' || typeof state !== 'string' || !isExecutionState(state)) {
      // Its keys expired or were removed: the index entry is all that is left of it.
      if (typeof state !== 'string') {
        await Promise.all([
          client.zrem(instancesKey(prefix, p), position.member),
          client.zrem(finishedKey(prefix, p), position.member),
          client.zrem(expiringKey(prefix, p), position.member),
          dropChainEntry(this.#context, instance),
        ]);
      }
      return undefined;
    }
    const info: WorkflowInstanceInfo = {
      instance,
      name,
      queue,
      state: state,
      createdAt: new Date(Number(createdAt)),
    };
    if (state !== 'active' && typeof finishedAt === 'string') info.finishedAt = new Date(Number(finishedAt));
    return info;
  }
}
