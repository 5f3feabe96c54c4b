import { Redis } from 'ioredis';
import { serverUrls, type RedisTarget } from './redis-target.js';

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
  /** `total_connections_received`: connections the server accepted since it started. */
  connectionsReceived: number;
}

const SCAN_BATCH = 1000;

/**
 * The harness's own connections, one to each server holding keys (every master of a cluster), for `INFO`, the
 * Redis version, `CLIENT LIST` and flushing a prefix. Figures of a cluster are sums over its masters.
 */
export class RedisProbe {
  readonly #servers: Redis[];

  constructor(target: RedisTarget) {
    this.#servers = serverUrls(target).map((url) => new Redis(url));
  }

  async snapshot(): Promise<RedisSnapshot> {
    const snapshots = await Promise.all(this.#servers.map((redis) => snapshotOf(redis)));
    return snapshots.reduce(addSnapshots);
  }

  async version(): Promise<string> {
    return /^redis_version:(\S+)/m.exec(await this.#first().info('server'))?.[1] ?? 'unknown';
  }

  /**
   * Every client connection the servers have, as `clientPort>serverPort` (from `CLIENT LIST`'s `addr` and
   * `laddr`), which names a loopback connection uniquely; the probe's own connections are left out.
   */
  async clientConnections(): Promise<Set<string>> {
    const lists = await Promise.all(this.#servers.map(async (redis) => [await redis.client('ID'), await redis.client('LIST')] as const));
    const connections = new Set<string>();
    for (const [ownId, list] of lists) {
      for (const line of String(list).split('\n')) {
        const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
        const clientPort = / addr=\S*:(\d+)/.exec(line)?.[1];
        const serverPort = / laddr=\S*:(\d+)/.exec(line)?.[1];
        if (clientPort === undefined || serverPort === undefined || Number(id) === Number(ownId)) continue;
        connections.add(`${clientPort}>${serverPort}`);
      }
    }
    return connections;
  }

  /** Deletes every key under `prefix:` (and nothing else), on every server. */
  async flushPrefix(prefix: string): Promise<number> {
    const deleted = await Promise.all(this.#servers.map((redis) => flushPrefixOn(redis, prefix)));
    return deleted.reduce((sum, n) => sum + n, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((redis) => redis.quit()));
  }

  #first(): Redis {
    const first = this.#servers[0];
    if (first === undefined) throw new Error('RedisProbe without a server');
    return first;
  }
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [name, n] of Object.entries(b)) sum[name] = (sum[name] ?? 0) + n;
  return sum;
}

function addSnapshots(a: RedisSnapshot, b: RedisSnapshot): RedisSnapshot {
  return {
    commands: addCounts(a.commands, b.commands),
    commandUsec: addCounts(a.commandUsec, b.commandUsec),
    serverCpuSec: a.serverCpuSec + b.serverCpuSec,
    usedMemoryBytes: a.usedMemoryBytes + b.usedMemoryBytes,
    datasetBytes: a.datasetBytes + b.datasetBytes,
    connectionsReceived: a.connectionsReceived + b.connectionsReceived,
  };
}

async function snapshotOf(redis: Redis): Promise<RedisSnapshot> {
  const [stats, memory, cpu, general] = await Promise.all([redis.info('commandstats'), redis.info('memory'), redis.info('cpu'), redis.info('stats')]);
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
    connectionsReceived: field(general, 'total_connections_received'),
  };
  }

async function flushPrefixOn(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', SCAN_BATCH);
    cursor = next;
    // One UNLINK per key, pipelined: on a cluster, the keys of one batch live in different slots.
    const replies = await redis.pipeline(keys.map((key) => ['unlink', key])).exec();
    for (const [err, n] of replies ?? []) {
      if (err !== null) throw err;
      deleted += Number(n);
    }
  } while (cursor !== '0');
  return deleted;
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
