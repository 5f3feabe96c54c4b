import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { outboxKey, partitionOwnersKey } from '../../../src/backend/redis/keys.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import type { Client } from '../../../src/client/client.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { startEngine, testLogger, typesOf, waitUntil } from '../../helpers/engine.js';
import { useRedisServer } from '../../helpers/redis-server.js';

const PARTITIONS = 16;
const LEASE_MS = 1_500;

async function pinged(ctx: WorkflowContext): Promise<string> {
  return workflow.newSignalChannel<string>(ctx, 'ping').receive();
}

/** Sleeps, then starts a child in another partition and signals it: a timer and two outbox messages. */
async function pinger(ctx: WorkflowContext, childId: string): Promise<string> {
  await workflow.sleep(ctx, 300);
  const child = workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, pinged);
  await workflow.signalWorkflow(ctx, childId, 'ping', childId);
  return child;
}

describe('RedisBackend partition ownership', function () {
  this.timeout(60_000);
  const server = useRedisServer();
  const cleanups: Array<() => Promise<void>> = [];
  let prefix: string;
  let redis: Redis;

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
    redis = new Redis(server().url);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    redis.disconnect();
  });

  /** A worker on the shared prefix; `kill` cuts its connection, so it stops renewing without giving anything up. */
  async function worker(): Promise<{ backend: RedisBackend; client: Client; kill: () => void }> {
    const connection = new Redis(server().url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const backend = new RedisBackend({ redis: connection, prefix, partitions: PARTITIONS, blockTimeoutMs: 200, partitionLeaseMs: LEASE_MS, logger: testLogger });
    const started = await startEngine(backend, { workflows: [pinger, pinged] });
    let killed = false;
    cleanups.push(async () => {
      if (!killed) await started.stop();
      await backend.close().catch(() => undefined);
      connection.disconnect();
    });
    return {
      backend,
      client: started.client,
      kill: () => {
        killed = true;
        void started.stop().catch(() => undefined);
        connection.disconnect();
      },
    };
  }

  /** Partitions per owner name, by the leases in Redis. */
  async function owners(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const value of Object.values(await redis.hgetall(partitionOwnersKey(prefix)))) {
      const owner = value.slice(value.indexOf(' ') + 1);
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    return counts;
  }

  async function sharesAre(names: string[], expected: number[]): Promise<boolean> {
    const counts = await owners();
    const shares = names.map((name) => counts.get(name) ?? 0).sort((a, b) => a - b);
    return [...counts.keys()].every((name) => names.includes(name)) && JSON.stringify(shares) === JSON.stringify(expected);
  }

  it('gives a single backend every partition', async () => {
    const { backend } = await worker();
    assert.ok(await waitUntil(() => sharesAre([backend.consumerName], [PARTITIONS]), 5_000), JSON.stringify([...(await owners())]));
  });

  it('shares the partitions evenly among four backends, and hands a killed one\'s over within a few seconds', async () => {
    const workers = [await worker(), await worker(), await worker(), await worker()];
    const names = workers.map((w) => w.backend.consumerName);
    assert.ok(await waitUntil(() => sharesAre(names, [4, 4, 4, 4]), 4 * LEASE_MS), JSON.stringify([...(await owners())]));

    const killedAt = Date.now();
    workers[0]!.kill();
    assert.ok(await waitUntil(() => sharesAre(names.slice(1), [4, 6, 6]), 4 * LEASE_MS), JSON.stringify([...(await owners())]));
    const handOverMs = Date.now() - killedAt;
    assert.ok(handOverMs < 3 * LEASE_MS, `handed over in ${handOverMs} ms`);
  });

  it('gives a closed backend\'s partitions to the others at their next round', async () => {
    const first = await worker();
    const second = await worker();
    const names = [first.backend.consumerName, second.backend.consumerName];
    assert.ok(await waitUntil(() => sharesAre(names, [8, 8]), 4 * LEASE_MS));
    await cleanups.splice(1, 1)[0]!();
    assert.ok(await waitUntil(() => sharesAre([names[0]!], [PARTITIONS]), LEASE_MS));
  });

  it('fires every timer and delivers every message once while ownership moves', async () => {
    const first = await worker();
    const second = await worker();
    const ids = Array.from({ length: 40 }, (_, i) => {
      const parentId = `pinger-${i}-${randomUUID()}`;
      let childId: string;
      do childId = `pinged-${i}-${randomUUID()}`;
      while (partitionOf(childId, PARTITIONS) === partitionOf(parentId, PARTITIONS));
      return { parentId, childId };
    });
    const instances = [];
    for (const [i, { parentId, childId }] of ids.entries()) {
      instances.push(await first.client.createWorkflowInstance({ instanceId: parentId }, pinger, childId));
      // Ownership moves while the work runs: a worker joins, one is killed, another joins.
      if (i === 10) await worker();
      if (i === 20) second.kill();
      if (i === 30) await worker();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const results = await Promise.all(instances.map((instance) => first.client.getWorkflowResult(instance, 30_000)));
    assert.deepEqual(results, ids.map(({ childId }) => childId));
    for (const instance of instances) {
      const history = await first.client.getWorkflowInstanceHistory(instance);
      const types = typesOf(history);
      assert.equal(types.filter((t) => t === 'TimerFired').length, 1, `${instance.instanceId} fired its timer once`);
      assert.equal(types.filter((t) => t === 'SubWorkflowCompleted').length, 1);
      assert.equal(types.filter((t) => t === 'SignalDelivered').length, 1);
      for (const event of history) {
        if (event.type !== 'SubWorkflowScheduled') continue;
        const child = { instanceId: event.attributes.instanceId, executionId: event.attributes.executionId };
        const childTypes = typesOf(await first.client.getWorkflowInstanceHistory(child));
        assert.equal(childTypes.filter((t) => t === 'SignalReceived').length, 1, `${child.instanceId} got its signal once`);
      }
    }
    for (let p = 0; p < PARTITIONS; p++) assert.equal(await redis.xlen(outboxKey(prefix, p)), 0, `outbox ${p} is drained`);
  });
});
