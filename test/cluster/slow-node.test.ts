import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { configKey, partitionOwnersKey, timersKey } from '../../src/backend/redis/keys.js';
import { partitionOf } from '../../src/backend/redis/partition.js';
import type { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import { Worker } from '../../src/worker/worker.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger } from '../helpers/engine.js';
import { captureLogs } from '../helpers/log-capture.js';
import { redisBackendOnCluster, redisOptionsOf } from '../helpers/redis-backends.js';
import { useRedisCluster, type RedisClusterNode } from '../helpers/redis-cluster.js';

// A master that stops answering without failing (paused, stuck in a long command, cut off before the cluster
// marks it failed: up to `cluster-node-timeout`) must hold up only the partitions it serves. Here it is frozen
// with SIGSTOP for longer than the backend's commandTimeoutMs, and the cluster's node timeout is long enough
// that no failover begins.
const PARTITIONS = 16;
const COMMAND_TIMEOUT_MS = 2_000;
const PAUSE_MS = 12_000;

async function double(n: number): Promise<number> {
  return n * 2;
}

async function doubler(ctx: WorkflowContext, n: number): Promise<number> {
  return workflow.executeActivity(ctx, {}, double, n);
}

/** Starts `doubler` in each of `childIds`, in that order (one outbox message each), and sums their results. */
async function parent(ctx: WorkflowContext, childIds: string[]): Promise<number> {
  const results = childIds.map((instanceId, i) => workflow.createSubWorkflowInstance(ctx, { instanceId }, doubler, i + 1));
  let sum = 0;
  for (const result of results) sum += await result;
  return sum;
}

/** An instance id in `partition`. */
function idIn(partition: number, label: string): string {
  for (;;) {
    const id = `${label}-${randomUUID()}`;
    if (partitionOf(id, PARTITIONS) === partition) return id;
  }
}

describe('Redis Cluster: a master that does not answer holds up only its own partitions (3 masters)', function () {
  this.timeout(120_000);
  const cluster = useRedisCluster({ masters: 3, nodeTimeoutMs: 60_000 });
  let backend: RedisBackend;
  let worker: Worker;
  let client: Client;
  let redis: Cluster;
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(async () => {
    // Short leases: every poll's reclaim scan (each half lease) touches every partition's task streams.
    logs = captureLogs();
    backend = redisBackendOnCluster(cluster(), { partitions: PARTITIONS, commandTimeoutMs: COMMAND_TIMEOUT_MS, logger: logs.logger });
    worker = new Worker(backend, { logger: testLogger, workflowLockTimeoutMs: 2_000, activityLockTimeoutMs: 2_000 });
    worker.registerWorkflow(doubler);
    worker.registerWorkflow(parent);
    worker.registerActivity(double);
    await worker.start();
    client = new Client(backend);
    redis = cluster().connect();
  });

  afterEach(async () => {
    for (const node of cluster().nodes) node.resume();
    redis.disconnect();
    await worker.stop();
    await backend.close();
  });

  /** The master to freeze: one that serves some partitions but neither the config record nor the partition owners. */
  async function masterToPause(): Promise<{ node: RedisClusterNode; paused: number[]; healthy: number[] }> {
    const prefix = redisOptionsOf(backend).prefix as string;
    const masterOfKey = async (key: string): Promise<number> => cluster().masterOf(Number(await redis.cluster('KEYSLOT', key)));
    const shared = new Set([await masterOfKey(configKey(prefix)), await masterOfKey(partitionOwnersKey(prefix))]);
    const byMaster = new Map<number, number[]>();
    for (let p = 0; p < PARTITIONS; p++) {
      const master = await masterOfKey(timersKey(prefix, p));
      byMaster.set(master, [...(byMaster.get(master) ?? []), p]);
    }
    const port = [...byMaster.keys()].find((candidate) => !shared.has(candidate));
    const node = cluster().nodes.find((candidate) => candidate.port === port);
    assert.ok(port !== undefined && node !== undefined, 'a master serves partitions only');
    const paused = byMaster.get(port) ?? [];
    const healthy = [...byMaster].filter(([master]) => master !== port).flatMap(([, partitions]) => partitions);
    return { node, paused, healthy };
  }

  /** Runs `doubler` once in every partition, so that every partition's groups, subscriptions and loops are set up. */
  async function warmUp(): Promise<void> {
    for (let p = 0; p < PARTITIONS; p++) {
      const instance = await client.createWorkflowInstance({ instanceId: idIn(p, 'warm') }, doubler, p);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 2 * p);
    }
  }

  it('runs the workflows of the partitions on the other masters while one is frozen, and its own once it answers again', async () => {
    await warmUp();
    const { node, paused, healthy } = await masterToPause();
    // Work for the frozen partition, written just before it froze: its task stays unread until it answers.
    const stranded = await client.createWorkflowInstance({ instanceId: idIn(paused[0] ?? 0, 'stranded') }, doubler, 21);
    node.pause();
    const frozenAt = Date.now();
    const tookMs: number[] = [];
    try {
      for (const p of healthy) {
        const started = Date.now();
        const instance = await client.createWorkflowInstance({ instanceId: idIn(p, 'healthy') }, doubler, p);
        assert.equal(await client.getWorkflowResult(instance, 10_000), 2 * p, `partition ${p}`);
        tookMs.push(Date.now() - started);
      }
      assert.ok(Date.now() - frozenAt < PAUSE_MS, 'every healthy partition ran while the master was frozen');
      // Long enough for calls to the frozen node to time out, while the others keep answering.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, frozenAt + 2 * COMMAND_TIMEOUT_MS - Date.now())));
      await client.getStats().catch(() => undefined);
    } finally {
      node.resume();
    }
    // The slowest hop waited for a round's laggard cut-off at most, never for the frozen master's timeout.
    assert.ok(Math.max(...tookMs) < COMMAND_TIMEOUT_MS, `results came ${tookMs.join(', ')} ms after their starts`);
    assert.equal(await client.getWorkflowResult(stranded, 20_000), 42, 'the frozen partition caught up once it answered');
    // One node was slow, not the store: said once, not as a lost connection, and not again at every success elsewhere.
    assert.equal(logs.count('redis connection lost'), 0);
    assert.equal(logs.count('a Redis Cluster node did not answer'), 1, JSON.stringify(logs.lines.map((line) => line.msg)));
  });

  it('delivers messages to other partitions while an earlier message of the same outbox waits for the frozen master', async () => {
    await warmUp();
    const { node, paused, healthy } = await masterToPause();
    const [home, other] = healthy;
    assert.ok(home !== undefined && other !== undefined && paused[0] !== undefined);
    const frozenChild = idIn(paused[0], 'frozen-child');
    const healthyChild = idIn(other, 'healthy-child');
    node.pause();
    const frozenAt = Date.now();
    let parentInstance;
    try {
      // The parent's outbox holds the start of a child on the frozen master first, then one on a healthy master.
      parentInstance = await client.createWorkflowInstance({ instanceId: idIn(home, 'parent') }, parent, [frozenChild, healthyChild]);
      let state: string | undefined;
      while (state !== 'finished') {
        assert.ok(Date.now() - frozenAt < PAUSE_MS, `the healthy child finished while the master was frozen (it is ${state ?? 'not started'})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        state = await client.getWorkflowInstanceState({ instanceId: healthyChild }).catch(() => undefined);
      }
    } finally {
      node.resume();
    }
    assert.equal(await client.getWorkflowResult(parentInstance, 20_000), 2 * 1 + 2 * 2);
  });
});
