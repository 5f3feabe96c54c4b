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
  /**
   * Resolves once every live node reports `cluster_state:ok` with all 16384 slots assigned, all agree on which
   * master serves each slot, every such master is live (after `kill()` of a master: once a replica took over)
   * and every live replica is in sync with its master; throws after `timeoutMs`.
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Each live node's role: a master, or a replica of the master on `masterPort`. */
  roles(): Promise<NodeRole[]>;
  /** The port of the master serving `slot` now (as the node on the first live port sees it). */
  masterOf(slot: number): Promise<number>;
  /**
   * Runs `CLUSTER FAILOVER` on the replica on `replicaPort` (a coordinated failover: its master stops taking
   * writes until the replica caught up, then the replica takes over), and waits until it is a master and the
   * cluster is healthy.
   */
  failover(replicaPort: number): Promise<void>;
  /**
   * Moves `slot` to the master on `toPort` as `redis-cli --cluster reshard` does: marks it importing there and
   * migrating on its master, moves its keys with MIGRATE `batch` keys at a time, `pauseMs` apart (so clients
   * meet MOVED, ASK and TRYAGAIN meanwhile), then assigns it to `toPort` on every master. Resolves with the
   * number of keys moved.
   */
  moveSlot(slot: number, toPort: number, options?: { batch?: number; pauseMs?: number }): Promise<number>;
  /** Kills every node (SIGKILL) and removes their directories. */
  stop(): Promise<void>;
}

/** What `RedisCluster.roles()` reports of one node. */
export interface NodeRole {
  port: number;
  role: 'master' | 'replica';
  /** The port of its master (replicas only). */
  masterPort?: number;
}

const SLOTS = 16384;
const HEALTHY_TIMEOUT_MS = 20_000;
const CREATE_TIMEOUT_MS = 60_000;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * What the node on `port` reports of the cluster: its `CLUSTER INFO` fields, its slot map, and whether it is a
 * master or a replica in sync with its master; undefined when it does not answer.
 */
async function clusterView(port: number): Promise<{ info: Map<string, string>; slots: string; synced: boolean } | undefined> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const text = (await client.call('CLUSTER', 'INFO')) as string;
    const info = new Map(text.split('\r\n').filter((line) => line.includes(':')).map((line) => line.split(':', 2) as [string, string]));
    // Each range with the port of the master serving it: what every node must agree on.
    const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
    const slots = ranges.map(([start, end, [, masterPort]]) => `${start}-${end}@${masterPort}`).sort().join(',');
    const [role, , , state] = (await client.call('ROLE')) as [string, ...unknown[]];
    // A replica that has not synced with its master yet would not take over from it.
    return { info, slots, synced: role !== 'slave' || state === 'connected' };
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/**
 * True when every node in `ports` answers with `cluster_state:ok`, all slots served, and the same slot map, whose
 * masters are all in `ports`, and every replica among them is in sync.
 */
async function healthy(ports: readonly number[]): Promise<boolean> {
  const views = await Promise.all(ports.map(clusterView));
  const first = views[0];
  if (first === undefined) return false;
  const masters = new Set(first.slots.split(',').map((range) => Number(range.split('@')[1])));
  return (
    [...masters].every((port) => ports.includes(port)) &&
    views.every(
      (view) =>
        view !== undefined &&
        view.info.get('cluster_state') === 'ok' &&
        view.info.get('cluster_slots_assigned') === String(SLOTS) &&
        view.info.get('cluster_slots_fail') === '0' &&
        view.synced &&
        view.slots === first.slots,
    )
  );
}

/** Runs `args` on the node on `port` through a short-lived connection and returns the reply. */
async function onNode(port: number, ...args: Array<string | number>): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(String(args[0]), ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

async function roleOf(port: number): Promise<NodeRole | undefined> {
  try {
    const role = (await onNode(port, 'ROLE')) as [string, ...unknown[]];
    if (role[0] === 'master') return { port, role: 'master' };
    return { port, role: 'replica', masterPort: Number(role[2]) };
  } catch {
    return undefined;
  }
}

async function masterOfSlot(port: number, slot: number): Promise<number> {
  const ranges = (await onNode(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
  const range = ranges.find(([start, end]) => start <= slot && slot <= end);
  if (range === undefined) throw new Error(`slot ${slot} is not served`);
  return range[2][1];
}

async function moveSlot(ports: readonly number[], slot: number, toPort: number, batch: number, pauseMs: number): Promise<number> {
  const fromPort = await masterOfSlot(toPort, slot);
  if (fromPort === toPort) return 0;
  const fromId = String(await onNode(fromPort, 'CLUSTER', 'MYID'));
  const toId = String(await onNode(toPort, 'CLUSTER', 'MYID'));
  await onNode(toPort, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
  await onNode(fromPort, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
  let moved = 0;
  for (;;) {
    const keys = (await onNode(fromPort, 'CLUSTER', 'GETKEYSINSLOT', slot, batch)) as string[];
    if (keys.length === 0) break;
    await onNode(fromPort, 'MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...keys);
    moved += keys.length;
    await sleep(pauseMs);
  }
  // As redis-cli does: the new owner first, then the old one, then every other master.
  await onNode(toPort, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  await onNode(fromPort, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  for (const port of ports) {
    if (port === toPort || port === fromPort) continue;
    const role = await roleOf(port);
    if (role?.role === 'master') await onNode(port, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  }
  return moved;
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
      if (await healthy(servers.filter((server) => !killed.has(server)).map((server) => server.port))) return;
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
    // Joining nine nodes on a loaded two-core machine can take a while: wait longer than for health, and say why it failed.
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: CREATE_TIMEOUT_MS }).catch(
      (err: { stdout?: string; stderr?: string; signal?: string; message: string }) => {
        const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ');
        throw new Error(`redis-cli --cluster create failed${err.signal === undefined || err.signal === null ? '' : ` (${err.signal}: no answer within ${CREATE_TIMEOUT_MS} ms)`}: ${output || err.message}`);
      },
    );
    await waitUntilHealthy();
  } catch (err) {
    await stop();
    throw err;
  }
  const startupNodes = servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  const livePorts = (): number[] => servers.filter((server) => !killed.has(server)).map((server) => server.port);
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
    roles: async () => (await Promise.all(livePorts().map(roleOf))).filter((role) => role !== undefined),
    masterOf: async (slot) => masterOfSlot(livePorts()[0] ?? 0, slot),
    async failover(replicaPort) {
      await onNode(replicaPort, 'CLUSTER', 'FAILOVER');
      const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
      while ((await roleOf(replicaPort))?.role !== 'master') {
        if (Date.now() > deadline) throw new Error(`the replica on ${replicaPort} did not take over within ${HEALTHY_TIMEOUT_MS} ms`);
        await sleep(50);
      }
      await waitUntilHealthy();
    },
    moveSlot: async (slot, toPort, { batch = 10, pauseMs = 0 } = {}) => moveSlot(livePorts(), slot, toPort, batch, pauseMs),
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
    this.timeout(120_000);
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
