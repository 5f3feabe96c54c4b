import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis, type Cluster } from 'ioredis';
import { workflowTaskStreamKey } from '../../../src/backend/redis/keys.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import { AnnouncementConnection } from '../../../src/backend/redis/announcement-connection.js';
import { WakeSubscriber } from '../../../src/backend/redis/wake-subscriber.js';
import { Client } from '../../../src/client/client.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { startEngine, testLogger } from '../../helpers/engine.js';
import { redisBackendOnCluster } from '../../helpers/redis-backends.js';
import { useRedisCluster } from '../../helpers/redis-cluster.js';

const PARTITIONS = 6;
const run = promisify(execFile);
const closeOnCluster = fileURLToPath(new URL('./fixtures/close-on-cluster.ts', import.meta.url));

async function onNode(port: number, ...args: string[]): Promise<unknown> {
  const node = new Redis({ host: '127.0.0.1', port });
  try {
    return await node.call(args[0] ?? '', ...args.slice(1));
  } finally {
    node.disconnect();
  }
}

/** Subscribers of `channel` on the node on `port`: [sharded, plain]. */
async function subscribersOn(port: number, channel: string): Promise<[number, number]> {
  const [, sharded] = (await onNode(port, 'PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
  const [, plain] = (await onNode(port, 'PUBSUB', 'NUMSUB', channel)) as [string, number];
  return [sharded, plain];
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    assert.ok(Date.now() - started < timeoutMs, `timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

/** An instance id of partition `partition`. */
function idIn(partition: number): string {
  for (;;) {
    const id = `i-${randomUUID()}`;
    if (partitionOf(id, PARTITIONS) === partition) return id;
  }
}

// Never run: the tests that start it have no worker.
async function idle(): Promise<string> {
  return 'idle';
}

async function napper(ctx: WorkflowContext): Promise<string> {
  await workflow.sleep(ctx, 300);
  return 'rested';
}

// On a Cluster scripts announce with SPUBLISH (lua/lib/announce.lua): each message stays on the shard that owns
// its partition's slot, and the backend's subscriptions are sharded ones on that shard's master.
describe('Redis Cluster: sharded announcements (3 masters)', function () {
  this.timeout(60_000);
  const cluster = useRedisCluster();
  let redis: Cluster;
  let announcements: AnnouncementConnection;
  let wakeups: WakeSubscriber;
  let prefix: string;
  let heard: Map<string, Array<string | undefined>>;

  beforeEach(() => {
    redis = cluster().connect();
    announcements = new AnnouncementConnection(redis);
    wakeups = new WakeSubscriber(announcements, testLogger);
    prefix = `test-${randomUUID()}`;
    heard = new Map();
  });
  afterEach(() => {
    wakeups.close();
    announcements.disconnect();
    redis.disconnect();
  });

  /** Subscribes to the workflow-task stream of every partition and resolves once Redis confirmed each. */
  async function listen(): Promise<string[]> {
    const channels = Array.from({ length: PARTITIONS }, (_, p) => workflowTaskStreamKey(prefix, p, 'default'));
    for (const channel of channels) {
      heard.set(channel, []);
      wakeups.ensure(channel, (message) => heard.get(channel)?.push(message));
    }
    await until(() => channels.every((channel) => wakeups.announces(channel)), 'every subscription was confirmed');
    return channels;
  }

  async function masterOf(channel: string): Promise<number> {
    return cluster().masterOf(Number(await redis.cluster('KEYSLOT', channel)));
  }

  it('subscribes on the master of each partition only, and hears a new task there', async () => {
    const channels = await listen();
    const masters = new Set<number>();
    for (const channel of channels) {
      const master = await masterOf(channel);
      masters.add(master);
      for (const node of cluster().nodes) {
        assert.deepEqual(await subscribersOn(node.port, channel), node.port === master ? [1, 0] : [0, 0], `subscribers of ${channel} on ${node.port}`);
      }
    }
    assert.equal(masters.size, 3, 'the partitions span every shard');

    const backend = redisBackendOnCluster(cluster(), { prefix, partitions: PARTITIONS });
    const client = new Client(backend);
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const channel = channels[p] ?? '';
        const before = heard.get(channel)?.filter((message) => message !== undefined).length ?? 0;
        await client.createWorkflowInstance({ instanceId: idIn(p) }, idle);
        await until(() => (heard.get(channel)?.filter((message) => message !== undefined).length ?? 0) > before, `partition ${p} announced its task`);
      }
    } finally {
      await backend.close();
    }
  });

  it('tells its loops and waits nothing while it first connects: finding the nodes is not a change', async () => {
    let changes = 0;
    announcements.onNodesChanged(() => changes++);
    const channels = await listen();
    // Past the completion waiter's look after a change (500 ms after it).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(changes, 0, 'no change was reported');
    // One look each, when Redis confirmed the subscription: what came before it was announced to nobody.
    for (const channel of channels) assert.deepEqual(heard.get(channel), [undefined], `${channel}: one look, at the confirmation`);
  });

  it('follows a partition whose slot moves to another master: its wake-ups arrive from the new one', async () => {
    const channels = await listen();
    const channel = channels[0] ?? '';
    const slot = Number(await redis.cluster('KEYSLOT', channel));
    const from = await masterOf(channel);
    const to = cluster().nodes.map((node) => node.port).find((port) => port !== from) ?? 0;
    const missedBefore = heard.get(channel)?.filter((message) => message === undefined).length ?? 0;
    await cluster().moveSlot(slot, to);
    // The backend's own commands to the partition meet MOVED, and its client reads the new slot map.
    await redis.exists(channel);

    // The old master ends the subscription; the subscriber sees the backend's slot map differ from its own,
    // reads it, subscribes on the new master and tells the loop that announcements may have been missed.
    await until(async () => (await subscribersOn(to, channel))[0] === 1, 'the subscription moved to the new master');
    await until(() => (heard.get(channel)?.filter((message) => message === undefined).length ?? 0) > missedBefore, 'the loop was told to look');
    assert.deepEqual(await subscribersOn(from, channel), [0, 0]);

    const backend = redisBackendOnCluster(cluster(), { prefix, partitions: PARTITIONS });
    try {
      await new Client(backend).createWorkflowInstance({ instanceId: idIn(0) }, idle);
      await until(() => heard.get(channel)?.some((message) => message !== undefined) === true, 'the task was announced on the new master');
    } finally {
      await backend.close();
    }
  });

  it('wakes a client waiting for a result when the instance ends, not at its periodic look', async () => {
    const backend = redisBackendOnCluster(cluster(), { prefix, partitions: PARTITIONS });
    const engine = await startEngine(backend, { workflows: [napper] });
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const instance = await engine.client.createWorkflowInstance({ instanceId: idIn(p) }, napper);
        const started = Date.now();
        assert.equal(await engine.client.getWorkflowResult(instance, 10_000), 'rested');
        // The waiter reads every instance's state every 5 s whatever it hears; the sleep takes 300 ms.
        const tookMs = Date.now() - started;
        assert.ok(tookMs < 2_500, `partition ${p}: the result came ${tookMs} ms after the start`);
      }
    } finally {
      await engine.stop();
      await backend.close();
    }
  });

  it('leaves nothing running once closed: a process that ran a workflow on the Cluster exits on its own', async () => {
    // execFile kills the child at the timeout: a backend that left a timer or a connection behind fails here.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', closeOnCluster, JSON.stringify(cluster().startupNodes)], { timeout: 20_000 });
    assert.equal(stdout.trim(), 'closed');
  });
});

// Nodes list a slot's replicas in different orders, so two reads of the slot map can differ with nothing moved;
// ioredis then makes its sharded subscribers again. Such a read must not count as a change.
describe('Redis Cluster: sharded announcements with two replicas per master', function () {
  this.timeout(60_000);
  const cluster = useRedisCluster({ replicasPerMaster: 2 });

  it('tells its loops nothing while the cluster stays as it is', async () => {
    const redis = cluster().connect();
    const announcements = new AnnouncementConnection(redis);
    const wakeups = new WakeSubscriber(announcements, testLogger);
    const prefix = `test-${randomUUID()}`;
    let missed = 0;
    try {
      const channels = Array.from({ length: PARTITIONS }, (_, p) => workflowTaskStreamKey(prefix, p, 'default'));
      for (const channel of channels) wakeups.ensure(channel, (message) => void (message === undefined && missed++));
      await until(() => channels.every((channel) => wakeups.announces(channel)), 'every subscription was confirmed');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const settled = missed;
      // Four rounds of the subscriber's slot check; the backend's client reads the map meanwhile too.
      for (let i = 0; i < 4; i++) {
        redis.refreshSlotsCache();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      assert.equal(missed - settled, 0, 'no look was asked for');
    } finally {
      wakeups.close();
      announcements.disconnect();
      redis.disconnect();
    }
  });
});
