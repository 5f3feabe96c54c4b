import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import { startRedisServer, type AofMode, type RedisServer } from './redis-server.js';

const run = promisify(execFile);

/** Options of `startRedisCluster`. */
export interface RedisClusterOptions {
  /** Number of masters; the 16384 slots are split evenly between them. @default 3 */
  masters?: number;
  /** Replicas of each master. @default 0 */
  replicasPerMaster?: number;
  /** Append-only file setting of every node. @default 'off' */
  aof?: AofMode;
  /** `cluster-node-timeout` (ms): how long a node may be unreachable before its replica takes over. @default 1000 */
  nodeTimeoutMs?: number;
}

/** One `redis-server --cluster-enabled yes` process of a `RedisCluster`. */
export interface RedisClusterNode {
  readonly url: string;
  readonly port: number;
  /** Kills the process (SIGKILL), keeping its port, data and cluster config for `restart()`. */
  kill(): Promise<void>;
  /** Starts a killed node again on its port and directory; it rejoins the cluster from its config file. */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP) until `resume()`. */
  pause(): void;
  /** Lets a paused process run again (SIGCONT). */
  resume(): void;
}

/** A private local Redis Cluster: its nodes, and what an ioredis `Cluster` needs to reach it. */
export interface RedisCluster {
  /** Every node, masters first in creation order (their role may change after a failover). */
  readonly nodes: readonly RedisClusterNode[];
  /** Startup nodes for `new Cluster(...)`: every node's host and port. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** A new ioredis `Cluster` client on this cluster (the caller ends it), with `options` on top of test-friendly ones. */
  connect(options?: ClusterOptions): Cluster;
  /** Resolves once every live node reports `cluster_state:ok` with all 16384 slots assigned; throws after `timeoutMs`. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every node (SIGKILL) and removes their directories. */
  stop(): Promise<void>;
}

const SLOTS = 16384;
const HEALTHY_TIMEOUT_MS = 20_000;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** `CLUSTER INFO` of the node on `port` as a map, or undefined when it does not answer. */
async function clusterInfo(port: number): Promise<Map<string, string> | undefined> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const text = (await client.call('CLUSTER', 'INFO')) as string;
    return new Map(text.split('\r\n').filter((line) => line.includes(':')).map((line) => line.split(':', 2) as [string, string]));
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

async function healthy(port: number): Promise<boolean> {
  const info = await clusterInfo(port);
  return info?.get('cluster_state') === 'ok' && info.get('cluster_slots_assigned') === String(SLOTS) && info.get('cluster_slots_fail') === '0';
}

// Every cluster started and not yet stopped: killed at once if the process exits without `stop()`.
const live = new Set<RedisServer>();
let exitHookInstalled = false;
function track(server: RedisServer): void {
  live.add(server);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const each of live) each.killNow();
  });
}

/**
 * Starts a local Redis Cluster of `masters` masters (and `replicasPerMaster` replicas each) on free
 * 127.0.0.1 ports, each node a `redis-server --cluster-enabled yes` in a temporary directory of its own,
 * joined with `redis-cli --cluster create`, and waits until every node reports the cluster healthy.
 * Throws (after stopping what it started) when a node does not start or the cluster does not form.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs)];
  const servers: RedisServer[] = [];
  const killed = new Set<RedisServer>();
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map(async (server) => {
      live.delete(server);
      await server.stop({ crash: true });
    }));
  };
  const waitUntilHealthy = async (timeoutMs = HEALTHY_TIMEOUT_MS): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(servers.map(async (server) => (killed.has(server) ? true : healthy(server.port))));
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not become healthy within ${timeoutMs} ms`);
      await sleep(50);
    }
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const server = await startRedisServer({ aof: options.aof ?? 'off', args });
      servers.push(server);
      track(server);
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: HEALTHY_TIMEOUT_MS });
    await waitUntilHealthy();
  } catch (err) {
    await stop();
    throw err;
  }
  const startupNodes = servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  return {
    nodes: servers.map((server) => ({
      url: server.url,
      port: server.port,
      async kill() {
        killed.add(server);
        await server.halt({ crash: true });
      },
      async restart() {
        await server.start();
        killed.delete(server);
      },
      pause: () => server.pause(),
      resume: () => server.resume(),
    })),
    startupNodes,
    connect: (clusterOptions = {}) => new Cluster(startupNodes.map((node) => ({ ...node })), { slotsRefreshTimeout: 2000, ...clusterOptions }),
    waitUntilHealthy,
    stop,
  };
}

/**
 * Registers mocha `before`/`after` hooks that start a private Redis Cluster for the enclosing suite and stop
 * it; returns a getter for it (valid inside tests and later hooks).
 */
export function useRedisCluster(options: RedisClusterOptions = {}): () => RedisCluster {
  let cluster: RedisCluster | undefined;
  before(async function () {
    this.timeout(60_000);
    cluster = await startRedisCluster(options);
  });
  after(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  return () => {
    if (cluster === undefined) throw new Error('useRedisCluster: the cluster is only available inside tests and hooks');
    return cluster;
  };
}
