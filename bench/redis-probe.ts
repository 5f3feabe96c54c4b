import { Redis } from 'ioredis';

/** What the harness reads from Redis before and after a workload. */
export interface RedisSnapshot {
  /** `INFO commandstats` calls by command; commands run inside scripts count too. */
  commands: Record<string, number>;
  usedMemoryBytes: number;
  /** `used_memory_dataset`: used memory less overhead such as client buffers. */
  datasetBytes: number;
}

const SCAN_BATCH = 1000;

/** A connection of the harness's own for `INFO`, the Redis version and flushing a prefix. */
export class RedisProbe {
  readonly #redis: Redis;

  constructor(url: string) {
    this.#redis = new Redis(url);
  }

  async snapshot(): Promise<RedisSnapshot> {
    const [stats, memory] = await Promise.all([this.#redis.info('commandstats'), this.#redis.info('memory')]);
    const commands: Record<string, number> = {};
    for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const [, name, calls] = match;
      if (name !== undefined && name !== 'info') commands[name] = Number(calls);
    }
    const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(memory)?.[1] ?? 0);
    return { commands, usedMemoryBytes: field('used_memory'), datasetBytes: field('used_memory_dataset') };
  }

  async version(): Promise<string> {
    return /^redis_version:(\S+)/m.exec(await this.#redis.info('server'))?.[1] ?? 'unknown';
  }

  /** Deletes every key under `prefix:` (and nothing else). */
  async flushPrefix(prefix: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', SCAN_BATCH);
      cursor = next;
      if (keys.length > 0) deleted += await this.#redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}

/** Commands Redis executed between two snapshots, summed over every command. */
export function serverCommandsBetween(before: RedisSnapshot, after: RedisSnapshot): number {
  let total = 0;
  for (const [name, calls] of Object.entries(after.commands)) total += calls - (before.commands[name] ?? 0);
  return total;
}
