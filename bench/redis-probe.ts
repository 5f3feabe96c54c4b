import { Redis } from 'ioredis';

/** What the harness reads from Redis before and after a workload. */
export interface RedisSnapshot {
  /** `INFO commandstats` calls by command; commands run inside scripts count too. */
  commands: Record<string, number>;
  /** `INFO commandstats` microseconds by command (a script's include those of the commands it ran). */
  commandUsec: Record<string, number>;
  /** `used_cpu_user` + `used_cpu_sys`: the server process's CPU, seconds. */
  serverCpuSec: number;
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
    const [stats, memory, cpu] = await Promise.all([this.#redis.info('commandstats'), this.#redis.info('memory'), this.#redis.info('cpu')]);
    const commands: Record<string, number> = {};
    const commandUsec: Record<string, number> = {};
    for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
      const [, name, calls, usec] = match;
      if (name === undefined || name === 'info') continue;
      commands[name] = Number(calls);
      commandUsec[name] = Number(usec);
    }
    const field = (text: string, name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
    return {
      commands,
      commandUsec,
      serverCpuSec: field(cpu, 'used_cpu_user') + field(cpu, 'used_cpu_sys'),
      usedMemoryBytes: field(memory, 'used_memory'),
      datasetBytes: field(memory, 'used_memory_dataset'),
    };
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

/**
 * Microseconds Redis spent executing the commands clients sent between two snapshots, by `INFO commandstats`.
 * A script's time includes that of the commands it runs, which Redis counts again under their own names, so
 * those are taken out: of a command's calls, the ones beyond the `sent` count (what the harness's clients and
 * workers sent, by command name) ran inside scripts, and its time is counted only for the share that was sent
 * (at its average time per call).
 */
export function serverUsecBetween(before: RedisSnapshot, after: RedisSnapshot, sent: Record<string, number>): number {
  let total = 0;
  for (const [name, usec] of Object.entries(after.commandUsec)) {
    const calls = (after.commands[name] ?? 0) - (before.commands[name] ?? 0);
    const spent = usec - (before.commandUsec[name] ?? 0);
    if (calls <= 0 || spent <= 0) continue;
    const share = /^(eval|evalsha|evalsha_ro|eval_ro|fcall|fcall_ro)$/.test(name) ? 1 : Math.min(1, (sent[name] ?? 0) / calls);
    total += spent * share;
  }
  return total;
}
