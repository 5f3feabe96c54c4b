import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { outboxKey, relayedKey } from '../../../src/backend/redis/keys.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import type { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import type { Client } from '../../../src/client/client.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { startEngine, typesOf } from '../../helpers/engine.js';
import { redisBackendOn } from '../../helpers/redis-backends.js';
import { useRedisServer } from '../../helpers/redis-server.js';

const PARTITIONS = 4;

/** An instance id in `partition`. */
function idIn(partition: number, label: string): string {
  for (;;) {
    const id = `${label}-${randomUUID()}`;
    if (partitionOf(id, PARTITIONS) === partition) return id;
  }
}

async function member(ctx: WorkflowContext, i: number): Promise<number> {
  const factor = await workflow.newSignalChannel<number>(ctx, 'factor').receive();
  return i * factor;
}

/** Starts one child per id, signals each (possibly in the same task), and adds up their results. */
async function coordinator(ctx: WorkflowContext, ids: string[]): Promise<number> {
  const children = ids.map((instanceId, i) => workflow.createSubWorkflowInstance(ctx, { instanceId }, member, i));
  await Promise.all(ids.map((id) => workflow.signalWorkflow(ctx, id, 'factor', 10)));
  const results = await Promise.all(children);
  return results.reduce((sum, n) => sum + n, 0);
}

describe('RedisBackend with several partitions on one Redis', function () {
  this.timeout(30_000);
  const server = useRedisServer();
  const stops: Array<() => Promise<void>> = [];
  const opened: RedisBackend[] = [];

  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });

  async function engine(prefix: string): Promise<Client> {
    const backend = redisBackendOn(server(), { prefix, partitions: PARTITIONS });
    opened.push(backend);
    const started = await startEngine(backend, { workflows: [coordinator, member] });
    stops.push(started.stop);
    return started.client;
  }

  it('starts, signals and completes sub-workflows across every pair of partitions, each message once', async () => {
    const prefix = `test-${randomUUID()}`;
    const client = await engine(prefix);
    await engine(prefix);
    const runs = Array.from({ length: PARTITIONS }, (_, p) => ({
      id: idIn(p, 'coordinator'),
      children: Array.from({ length: PARTITIONS }, (_, q) => idIn(q, `member-of-${p}`)),
    }));
    const instances = await Promise.all(runs.map((run) => client.createWorkflowInstance({ instanceId: run.id }, coordinator, run.children)));
    const results = await Promise.all(instances.map((instance) => client.getWorkflowResult(instance, 20_000)));
    assert.deepEqual(results, runs.map(() => 60));

    for (const instance of instances) {
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.equal(types.filter((t) => t === 'SubWorkflowCompleted').length, PARTITIONS);
      assert.equal(types.filter((t) => t === 'SignalDelivered').length, PARTITIONS);
      assert.equal(types.filter((t) => t === 'SignalFailed').length, 0);
      const scheduled = (await client.getWorkflowInstanceHistory(instance)).filter((e) => e.type === 'SubWorkflowScheduled');
      for (const event of scheduled) {
        if (event.type !== 'SubWorkflowScheduled') continue;
        const child = { instanceId: event.attributes.instanceId, executionId: event.attributes.executionId };
        const childTypes = typesOf(await client.getWorkflowInstanceHistory(child));
        assert.equal(childTypes.filter((t) => t === 'SignalReceived').length, 1, `${child.instanceId} got its signal once`);
        assert.equal(await client.getWorkflowInstanceState(child), 'finished');
      }
    }

    const redis = new Redis(server().url);
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        assert.equal(await redis.xlen(outboxKey(prefix, p)), 0, `outbox of partition ${p} is drained`);
        assert.ok((await redis.zcard(relayedKey(prefix, p))) > 0, `partition ${p} received relayed messages`);
      }
    } finally {
      redis.disconnect();
    }
  });
});
