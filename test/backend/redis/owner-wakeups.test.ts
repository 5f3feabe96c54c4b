import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { activityDeadlineMember, activityDeadlineRef } from '../../../src/backend/redis/activity-deadline-member.js';
import { ActivityDeadlineScripts } from '../../../src/backend/redis/activity-deadline-scripts.js';
import { activityTaskStreamKey, executionTimersKey, timersKey } from '../../../src/backend/redis/keys.js';
import { RedisScripts } from '../../../src/backend/redis/scripts.js';
import { TimerLoop } from '../../../src/backend/redis/timer-loop.js';
import { AnnouncementConnection } from '../../../src/backend/redis/announcement-connection.js';
import { WakeSubscriber } from '../../../src/backend/redis/wake-subscriber.js';
import { startEngine, testLogger, waitUntil } from '../../helpers/engine.js';
import { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import { Client } from '../../../src/client/client.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { useRedisServer } from '../../helpers/redis-server.js';

// The timer loop's longest sleep while the wake-ups arrive is 30 s: every wait below is far shorter, so
// only an announcement (or the reconnect that replaces lost ones) can end it in time.
const WAIT_MS = 5_000;

describe('owner wake-ups: a timer committed elsewhere wakes the timer loop of the partition owner', function () {
  this.timeout(30_000);
  const server = useRedisServer();
  let redis: Redis;
  let prefix: string;
  let announcements: AnnouncementConnection;
  let wakeups: WakeSubscriber;
  let loop: TimerLoop | undefined;
  let fired: string[];

  beforeEach(() => {
    redis = new Redis(server().url);
    prefix = `test-${randomUUID()}`;
    announcements = new AnnouncementConnection(redis);
    wakeups = new WakeSubscriber(announcements, testLogger);
    fired = [];
  });
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
    wakeups.close();
    announcements.disconnect();
    redis.disconnect();
  });

  function startLoop(): void {
    loop = new TimerLoop({
      client: redis,
      scripts: new RedisScripts(redis),
      prefix,
      partition: 0,
      batchSize: 100,
      logger: testLogger,
      fireActivityDeadlines: async (members) => {
        fired.push(...members);
        await redis.zrem(timersKey(prefix, 0), ...members);
      },
      requeueDeferredActivities: () => Promise.resolve(),
      wakeups,
    });
    loop.start();
  }

  /** A startToClose deadline of `timeoutMs`, added by start-activity-attempt.lua from a connection of its own (another process). */
  async function commitDeadline(timeoutMs: number): Promise<string> {
    const other = new Redis(server().url);
    try {
      const stream = activityTaskStreamKey(prefix, 0, 'default');
      await other.xgroup('CREATE', stream, 'redflow', '0', 'MKSTREAM');
      const entryId = (await other.xadd(stream, '*', 't', 'x')) as string;
      await other.xreadgroup('GROUP', 'redflow', 'worker-a', 'STREAMS', stream, '>');
      const ref = activityDeadlineRef(
        { instance: { instanceId: `i-${randomUUID()}`, executionId: 'e1' }, scheduleEventId: 3, workflowQueue: 'default', queue: 'default' },
        { startToCloseTimeoutMs: timeoutMs },
      );
      const member = activityDeadlineMember(ref, 'startToClose');
      await new ActivityDeadlineScripts(other).startActivityAttempt(
        { activityTasks: stream, timers: timersKey(prefix, 0), executionTimers: executionTimersKey(prefix, 0, ref.instanceId, ref.executionId) },
        { entryId, group: 'redflow', deliveries: 1, startToCloseMember: member, startToCloseTimeoutMs: timeoutMs, heartbeatMember: '', heartbeatTimeoutMs: 0 },
      );
      return member;
    } finally {
      other.disconnect();
    }
  }

  async function until(condition: () => boolean, what: string): Promise<number> {
    const started = Date.now();
    while (!condition()) {
      assert.ok(Date.now() - started < WAIT_MS, `timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - started;
  }

  async function idle(): Promise<void> {
    // Confirmed, not only connected: the confirmation makes the loop look at the zset once more.
    await until(() => wakeups.announces(timersKey(prefix, 0)), 'the loop subscribed');
    // Past the loop's looks at the empty zset (one may have begun before the confirmation, and its sleep is then
    // the 250 ms of a loop whose announcements do not arrive yet): it sleeps its longest now.
    await new Promise((resolve) => setTimeout(resolve, 400));
  }

  it('fires a timer another process committed, at its due time, though the loop was asleep for 30 s', async () => {
    startLoop();
    await idle();
    const member = await commitDeadline(300);
    const tookMs = await until(() => fired.includes(member), 'the deadline fired');
    assert.ok(tookMs >= 250, `fired at its due time, not before (after ${tookMs} ms)`);
  });

  it('sleeps on to an announced timer without reading the zset, then reads only the due members and the next earliest', async () => {
    const zrangeCalls = async (): Promise<number> => Number(/cmdstat_zrange:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    startLoop();
    await idle();
    const before = await zrangeCalls();
    const member = await commitDeadline(400);
    const tookMs = await until(() => fired.includes(member), 'the deadline fired');
    assert.ok(tookMs >= 350, `fired at its due time, not before (after ${tookMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // One ZRANGE is the committing script's own (is the new timer the earliest?); the loop's are the due
    // members and the next earliest, after firing. Waking for the announcement and at the due time read nothing.
    assert.equal((await zrangeCalls()) - before, 3);
  });

  it('does not wake for a timer added without an announcement: the announcement is what wakes it', async () => {
    startLoop();
    await idle();
    await redis.zadd(timersKey(prefix, 0), Date.now() + 100, 'unannounced');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(fired, [], 'still asleep, 900 ms after the timer was due');
    // An announcement is only made for a new earliest timer: take the overdue one away first.
    await redis.zrem(timersKey(prefix, 0), 'unannounced');
    const member = await commitDeadline(100);
    await until(() => fired.includes(member), 'the announced deadline fired');
  });

  it('looks at the timers again when its subscriber connection comes back, for announcements lost meanwhile', async () => {
    startLoop();
    await idle();
    await redis.zadd(timersKey(prefix, 0), Date.now() - 1, activityDeadlineMember(
      activityDeadlineRef({ instance: { instanceId: 'lost', executionId: 'e1' }, scheduleEventId: 3, workflowQueue: 'default', queue: 'default' }, { startToCloseTimeoutMs: 1 }),
      'startToClose',
    ));
    await redis.client('KILL', 'TYPE', 'pubsub');
    await until(() => fired.length === 1, 'the timer added while no announcement could arrive fired');
  });
});

describe('announcement connection: one per backend', function () {
  this.timeout(30_000);
  const server = useRedisServer();

  async function napper(ctx: WorkflowContext): Promise<string> {
    await workflow.sleep(ctx, 500);
    return 'rested';
  }

  it('serves the owner loops and the completion waits of one backend on a single subscriber connection', async () => {
    const admin = new Redis(server().url);
    const backend = new RedisBackend({ redis: server().url, prefix: `test-${randomUUID()}`, partitions: 4, blockTimeoutMs: 200, logger: testLogger });
    const engine = await startEngine(backend, { workflows: [napper] });
    try {
      const instance = await engine.client.createWorkflowInstance({ instanceId: `nap-${randomUUID()}` }, napper);
      const result = engine.client.getWorkflowResult(instance, 10_000);
      // While the client waits and the worker's loops sleep, both listen.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const pubsub = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).trim().split('\n').filter((line) => line.length > 0);
      assert.equal(pubsub.length, 1, pubsub.join('\n'));
      assert.equal(await result, 'rested');
    } finally {
      await engine.stop();
      await backend.close();
      admin.disconnect();
    }
  });
});

describe('owner wake-ups refused: an ACL user without pub/sub channels', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  async function kid(ctx: WorkflowContext, n: number): Promise<number> {
    await workflow.sleep(ctx, 50);
    return n * 2;
  }
  async function parent(ctx: WorkflowContext): Promise<number> {
    const results = await Promise.all([1, 2, 3].map((n) => workflow.createSubWorkflowInstance(ctx, {}, kid, n)));
    await workflow.sleep(ctx, 50);
    return results.reduce((a, b) => a + b, 0);
  }

  it('runs timers and messages between partitions all the same, by looking every 250 ms', async () => {
    const admin = new Redis(server().url);
    const prefix = `test-${randomUUID()}`;
    // Redis 7 users get no channels unless given some: every PUBLISH and SUBSCRIBE of this one is refused.
    await admin.acl('SETUSER', 'no-channels', 'on', '>secret', '~*', 'resetchannels', '+@all');
    const url = new URL(server().url);
    url.username = 'no-channels';
    url.password = 'secret';
    const backend = new RedisBackend({ redis: url.toString(), prefix, partitions: 4, blockTimeoutMs: 200, logger: testLogger });
    const watcher = new RedisBackend({ redis: server().url, prefix, partitions: 4, blockTimeoutMs: 200, logger: testLogger });
    const engine = await startEngine(backend, { workflows: [parent, kid] });
    try {
      assert.ok(await admin.publish('probe', '') >= 0);
      const restricted = new Redis(url.toString());
      await assert.rejects(restricted.publish('probe', ''), /NOPERM|No permissions/);
      restricted.disconnect();
      const instance = await new Client(backend).createWorkflowInstance({ instanceId: `acl-${randomUUID()}` }, parent);
      // Its end is not announced either (the finished channel is refused too): look at its state instead.
      const watching = new Client(watcher);
      assert.ok(await waitUntil(async () => (await watching.getWorkflowInstanceState(instance)) === 'finished', 30_000), 'finished');
      assert.equal(await watching.getWorkflowResult(instance, 0), 12);
      // Each loop looks every 250 ms, but a refused subscription is not asked for again at every look.
      const stats = await admin.info('commandstats');
      const refused = Number(/cmdstat_subscribe:.*rejected_calls=(\d+)/.exec(stats)?.[1] ?? 0);
      assert.ok(refused >= 1 && refused <= 8, `${refused} SUBSCRIBE calls refused`);
    } finally {
      await engine.stop();
      await backend.close();
      await watcher.close();
      admin.disconnect();
    }
  });
});
