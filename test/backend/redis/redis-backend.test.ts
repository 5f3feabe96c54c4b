import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import type { ActivityTask, WorkflowTask, WorkflowTaskCompletion } from '../../../src/backend/backend.js';
import { executionKey, workflowTaskStreamKey } from '../../../src/backend/redis/keys.js';
import type { RedisBackendOptions } from '../../../src/backend/redis/options.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import { CONSUMER_GROUP, RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import type { WorkflowInstance } from '../../../src/core/instance.js';
import {
  BackendClosedError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidArgumentError,
  LeaseLostError,
} from '../../../src/errors/errors.js';
import { newEvent, type HistoryEvent, type NewEvent, type WorkflowExecutionStarted } from '../../../src/history/events.js';
import { startRedisServer, useRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const silent = pino({ level: 'silent' });

function instance(): WorkflowInstance {
  return { instanceId: `inst-${randomUUID()}`, executionId: randomUUID() };
}

function started(queue = 'default'): WorkflowExecutionStarted {
  return { sequenceId: 1, ...newEvent('WorkflowExecutionStarted', { name: 'wf', queue, inputs: [1] }) } as WorkflowExecutionStarted;
}

function numbered(task: WorkflowTask, events: NewEvent[]): HistoryEvent[] {
  return events.map((event, i) => ({ ...event, sequenceId: task.historyLength + i + 1 }));
}

function completion(task: WorkflowTask, extra: Partial<WorkflowTaskCompletion> = {}): WorkflowTaskCompletion {
  const events = numbered(task, [newEvent('WorkflowTaskStarted', {}), ...task.newEvents]);
  return { events, activities: [], timers: [], canceledTimers: [], state: 'active', ...extra };
}

function finished(task: WorkflowTask, result: unknown): WorkflowTaskCompletion {
  const events = numbered(task, [
    newEvent('WorkflowTaskStarted', {}),
    ...task.newEvents,
    newEvent('WorkflowExecutionFinished', { result }),
  ]);
  return { events, activities: [], timers: [], canceledTimers: [], state: 'finished' };
}

async function pollWorkflow(
  backend: RedisBackend,
  options: { queues?: string[]; max?: number; lockTimeoutMs?: number; waitMs?: number; known?: number } = {},
): Promise<WorkflowTask[]> {
  const signal = AbortSignal.timeout(options.waitMs ?? 2_000);
  for (;;) {
    const tasks = await backend.pollWorkflowTasks({
      queues: options.queues ?? ['default'],
      max: options.max ?? 10,
      lockTimeoutMs: options.lockTimeoutMs ?? 30_000,
      signal,
      knownHistoryLength: () => options.known ?? 0,
    });
    if (tasks.length > 0 || signal.aborted) return tasks;
  }
}

async function pollActivities(
  backend: RedisBackend,
  options: { queues?: string[]; max?: number; lockTimeoutMs?: number; waitMs?: number } = {},
): Promise<ActivityTask[]> {
  const signal = AbortSignal.timeout(options.waitMs ?? 2_000);
  for (;;) {
    const tasks = await backend.pollActivityTasks({
      queues: options.queues ?? ['default'],
      max: options.max ?? 10,
      lockTimeoutMs: options.lockTimeoutMs ?? 30_000,
      signal,
    });
    if (tasks.length > 0 || signal.aborted) return tasks;
  }
}

describe('RedisBackend', function () {
  this.timeout(20_000);
  const server = useRedisServer();
  const opened: RedisBackend[] = [];
  let prefix: string;

  function backend(options: RedisBackendOptions = {}): RedisBackend {
    const b = new RedisBackend({ redis: server().url, prefix, blockTimeoutMs: 200, logger: silent, ...options });
    opened.push(b);
    return b;
  }

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });

  describe('options and configuration', () => {
    it('rejects bad options by name', () => {
      assert.throws(() => new RedisBackend({ redis: server().url, prefix: 'a{b}' }), /prefix/);
      assert.throws(() => new RedisBackend({ redis: server().url, partitions: 0 }), /partitions/);
      assert.throws(() => new RedisBackend({ redis: server().url, blockTimeoutMs: 1.5 }), /blockTimeoutMs/);
      assert.throws(() => new RedisBackend({ redis: server().url, timerBatchSize: -1 }), InvalidArgumentError);
      assert.throws(() => new RedisBackend({ redis: 'redis://[not a host' }), (err: unknown) => err instanceof InvalidArgumentError && /option redis/.test(err.message));
    });

    it('refuses a client with a keyPrefix, which ioredis would apply to only some keys', () => {
      const clients = [
        new Redis(server().url, { keyPrefix: 'kp:', lazyConnect: true }),
        new Cluster([{ host: '127.0.0.1', port: server().port }], { keyPrefix: 'kp:', lazyConnect: true }),
        new Cluster([{ host: '127.0.0.1', port: server().port }], { redisOptions: { keyPrefix: 'kp:' }, lazyConnect: true }),
      ];
      try {
        for (const client of clients) {
          assert.throws(() => new RedisBackend({ redis: client }), (err: unknown) => err instanceof InvalidArgumentError && /keyPrefix/.test(err.message));
          assert.equal(client.status, 'wait', 'nothing was sent');
        }
      } finally {
        for (const client of clients) client.disconnect();
      }
    });

    it('refuses a Cluster with enableAutoPipelining, whose script calls ioredis would send to the wrong nodes', () => {
      const cluster = new Cluster([{ host: '127.0.0.1', port: server().port }], { enableAutoPipelining: true, lazyConnect: true });
      try {
        assert.throws(() => new RedisBackend({ redis: cluster }), (err: unknown) => err instanceof InvalidArgumentError && /enableAutoPipelining/.test(err.message));
        assert.equal(cluster.status, 'wait', 'nothing was sent');
      } finally {
        cluster.disconnect();
      }
    });

    it('refuses a partition count different from the one stored for the prefix', async () => {
      const first = backend({ partitions: 2 });
      await first.createWorkflowInstance(instance(), started());

      const other = backend({ partitions: 3 });
      await assert.rejects(other.getWorkflowInstanceState(instance()), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /set up with 2 partitions.*partitions: 3/);
        return true;
      });
      await assert.rejects(other.createWorkflowInstance(instance(), started()), InvalidArgumentError);
      const redis = new Redis(server().url);
      try {
        assert.equal(await redis.hget(`${prefix}:config`, 'partitions'), '2');
      } finally {
        redis.disconnect();
      }
    });

    it('refuses a prefix whose data is in an older storage layout, and writes nothing', async () => {
      const redis = new Redis(server().url);
      try {
        // A record as a version that kept inboxes in streams wrote it: no layout field.
        await redis.hset(`${prefix}:config`, { partitions: 1, epoch: 'e1' });
        const b = backend({ partitions: 1 });
        await assert.rejects(b.createWorkflowInstance(instance(), started()), (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError);
          assert.match(err.message, /storage layout 1.*uses layout 2.*HSET .*:config layout 2/);
          return true;
        });
        assert.deepEqual(await redis.keys(`${prefix}:*`), [`${prefix}:config`]);
        assert.deepEqual(await redis.hgetall(`${prefix}:config`), { partitions: '1', epoch: 'e1' });

        // The way out the message names: once the operator records the layout, the prefix is usable.
        await redis.hset(`${prefix}:config`, 'layout', 2);
        await backend({ partitions: 1 }).createWorkflowInstance(instance(), started());
      } finally {
        redis.disconnect();
      }
    });

    it("uses the URL's database, and refuses one that is not a number or that the server lacks instead of using database 0", async () => {
      for (const db of ['abc', '1x', '-1', '1e3', '0x1']) {
        assert.throws(() => new RedisBackend({ redis: `${server().url}/${db}`, logger: silent }), (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError, db);
          assert.match(err.message, new RegExp(`option redis ".*/${db}": its database part "${db}" is not a database number`));
          return true;
        });
      }
      assert.throws(() => new RedisBackend({ redis: `${server().url}?db=two`, logger: silent }), /its db parameter "two" is not a database number/);

      // 16 databases by default: 99 is refused by SELECT, which ioredis only emits as an event.
      const missing = backend({ redis: `${server().url}/99` });
      const refused = (err: unknown): boolean => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /option redis "redis:\/\/127\.0\.0\.1:\d+\/99" names database 99, which the server refuses: ERR DB index is out of range/);
        return true;
      };
      await assert.rejects(missing.createWorkflowInstance(instance(), started()), refused);
      await assert.rejects(missing.connect(), refused);

      const third = backend({ redis: `${server().url}/3` });
      await third.createWorkflowInstance(instance(), started());
      const redis = new Redis(server().url);
      try {
        assert.deepEqual(await redis.keys(`${prefix}:*`), [], 'nothing in database 0');
        await redis.select(3);
        assert.ok((await redis.keys(`${prefix}:*`)).includes(`${prefix}:config`), 'the store is in database 3');
      } finally {
        redis.disconnect();
      }
    });

    it('writes a new config record whole: partitions, epoch and layout', async () => {
      await backend({ partitions: 2 }).createWorkflowInstance(instance(), started());
      const redis = new Redis(server().url);
      try {
        const record = await redis.hgetall(`${prefix}:config`);
        assert.deepEqual(Object.keys(record).sort(), ['epoch', 'layout', 'partitions']);
        assert.equal(record.layout, '2');
        assert.match(record.epoch ?? '', /^[0-9a-f]{16}$/);
      } finally {
        redis.disconnect();
      }
    });

    it('keeps every key of an instance in its partition hash tag', async () => {
      const b = backend({ partitions: 8 });
      const inst = instance();
      await b.createWorkflowInstance(inst, started());
      const p = partitionOf(inst.instanceId, 8);
      const redis = new Redis(server().url);
      try {
        const keys = (await redis.keys(`${prefix}:*`)).filter((k) => k.includes(inst.instanceId));
        assert.equal(keys.length, 3);
        for (const key of keys) assert.ok(key.startsWith(`${prefix}:{${p}}:`), key);
        assert.equal(await redis.hget(executionKey(prefix, p, inst.instanceId, inst.executionId), 'state'), 'active');
      } finally {
        redis.disconnect();
      }
    });

    it('refuses ids that would share keys with other ids, on writes and reads', async () => {
      const b = backend();
      await assert.rejects(b.createWorkflowInstance({ instanceId: 'x', executionId: 'a:b' }, started()), InvalidArgumentError);
      // Instance 'order' with execution '42:<e>' would name the keys of instance 'order:42', execution <e>.
      const colon = { instanceId: 'order:42', executionId: randomUUID() };
      await b.createWorkflowInstance(colon, started());
      await assert.rejects(b.getWorkflowInstanceState({ instanceId: 'order', executionId: `42:${colon.executionId}` }), InvalidArgumentError);
      // UTF-8 turns a lone surrogate into U+FFFD: 'a\uD800' would name the keys of 'a\uFFFD'.
      const replaced = { instanceId: 'a\uFFFD', executionId: randomUUID() };
      await b.createWorkflowInstance(replaced, started());
      const lone = { instanceId: 'a\uD800', executionId: replaced.executionId };
      await assert.rejects(b.getWorkflowInstanceState(lone), InvalidArgumentError);
      await assert.rejects(b.getWorkflowInstanceHistory(lone), InvalidArgumentError);
      await assert.rejects(b.cancelWorkflowInstance(lone), InvalidArgumentError);
      await assert.rejects(b.createWorkflowInstance({ instanceId: 'a\uD800', executionId: randomUUID() }, started()), InvalidArgumentError);
      await assert.rejects(b.signalWorkflow('a\uD800', newEvent('SignalReceived', { name: 's', arg: 1 }) as never), InvalidArgumentError);
      assert.equal(await b.getWorkflowInstanceState(colon), 'active');
      assert.equal((await b.getWorkflowInstanceHistory(replaced)).length, 0);
    });
  });

  it('runs an execution through an activity to its outcome and wakes a waiter', async () => {
    const b = backend();
    const inst = instance();
    await b.createWorkflowInstance(inst, started());
    await assert.rejects(b.createWorkflowInstance({ ...inst, executionId: randomUUID() }, started()), InstanceAlreadyExistsError);

    const [first] = await pollWorkflow(b);
    assert.ok(first);
    await b.completeWorkflowTask(
      first,
      completion(first, { activities: [{ scheduleEventId: 3, name: 'add', queue: 'acts', inputs: [1, 2], attempt: 0 }] }),
    );
    const [activity] = await pollActivities(b, { queues: ['acts'] });
    // Queued when the workflow task committed: its queue wait counts from then.
    assert.ok(activity?.scheduledAt instanceof Date && Math.abs(activity.scheduledAt.getTime() - Date.now()) < 5_000);
    assert.deepEqual(
      { ...activity, id: undefined, scheduledAt: undefined },
      { id: undefined, instance: inst, workflowQueue: 'default', queue: 'acts', scheduleEventId: 3, name: 'add', attempt: 0, redeliveries: 0, inputs: [1, 2], scheduledAt: undefined },
    );
    await b.completeActivityTask(activity, { result: 3 });

    const [second] = await pollWorkflow(b, { known: 1 });
    assert.ok(second);
    assert.equal(second.historyLength, 2);
    assert.deepEqual(second.history.map((e) => [e.sequenceId, e.type]), [[2, 'WorkflowExecutionStarted']]);
    assert.deepEqual(second.newEvents.map((e) => [e.type, e.scheduleEventId, e.attributes]), [['ActivityCompleted', 3, { result: 3 }]]);

    const waiting = b.waitForWorkflowInstance(inst, 5_000);
    const t0 = Date.now();
    await b.completeWorkflowTask(second, finished(second, 'done'));
    assert.deepEqual((await waiting)?.attributes, { result: 'done' });
    assert.ok(Date.now() - t0 < 1_000);

    assert.equal(await b.getWorkflowInstanceState(inst), 'finished');
    const outcome = await b.getWorkflowInstanceOutcome(inst);
    assert.equal(outcome?.type, 'WorkflowExecutionFinished');
    assert.equal(outcome?.sequenceId, 5);
    assert.deepEqual(outcome?.attributes, { result: 'done' });
    const history = await b.getWorkflowInstanceHistory(inst);
    assert.deepEqual(
      history.map((e) => [e.sequenceId, e.type]),
      [
        [1, 'WorkflowTaskStarted'],
        [2, 'WorkflowExecutionStarted'],
        [3, 'WorkflowTaskStarted'],
        [4, 'ActivityCompleted'],
        [5, 'WorkflowExecutionFinished'],
      ],
    );
    assert.deepEqual((await b.getWorkflowInstanceHistory(inst, 3)).map((e) => e.type), ['ActivityCompleted', 'WorkflowExecutionFinished']);
  });

  it('throws InstanceNotFoundError for unknown executions', async () => {
    const b = backend();
    const inst = instance();
    await assert.rejects(b.getWorkflowInstanceState(inst), InstanceNotFoundError);
    await assert.rejects(b.getWorkflowInstanceHistory(inst), InstanceNotFoundError);
    await assert.rejects(b.getWorkflowInstanceOutcome(inst), InstanceNotFoundError);
    await assert.rejects(b.waitForWorkflowInstance(inst, 100), InstanceNotFoundError);
  });

  it("reports 'active' when a wait times out", async () => {
    const b = backend();
    const inst = instance();
    await b.createWorkflowInstance(inst, started());
    const t0 = Date.now();
    assert.equal(await b.waitForWorkflowInstance(inst, 150), undefined);
    assert.ok(Date.now() - t0 >= 140);
  });

  it('keeps working after SCRIPT FLUSH (ioredis falls back from EVALSHA to EVAL)', async () => {
    const b = backend();
    const first = instance();
    await b.createWorkflowInstance(first, started());
    const redis = new Redis(server().url);
    try {
      await redis.script('FLUSH');
    } finally {
      redis.disconnect();
    }
    const second = instance();
    await b.createWorkflowInstance(second, started());
    const tasks = await pollWorkflow(b, { max: 2 });
    assert.deepEqual(tasks.map((t) => t.instance.instanceId).sort(), [first.instanceId, second.instanceId].sort());
    for (const task of tasks) await b.completeWorkflowTask(task, finished(task, 1));
    assert.equal(await b.getWorkflowInstanceState(first), 'finished');
  });

  describe('leases', () => {
    it('gives an expired workflow task to another worker with a higher token and fences the old holder', async () => {
      const a = backend();
      const other = backend();
      const inst = instance();
      await a.createWorkflowInstance(inst, started());
      const [stale] = await pollWorkflow(a, { lockTimeoutMs: 300 });
      assert.ok(stale);

      await new Promise((r) => setTimeout(r, 350));
      const [taken] = await pollWorkflow(other, { lockTimeoutMs: 300, waitMs: 3_000 });
      assert.ok(taken);
      assert.equal(taken.id, stale.id);
      assert.ok(taken.lockToken > stale.lockToken);
      assert.deepEqual(taken.newEvents.map((e) => e.type), ['WorkflowExecutionStarted']);

      await assert.rejects(a.extendWorkflowTask(stale, 30_000), LeaseLostError);
      await assert.rejects(a.completeWorkflowTask(stale, finished(stale, 'stale')), LeaseLostError);
      await assert.rejects(a.releaseWorkflowTask(stale), LeaseLostError);
      await other.completeWorkflowTask(taken, finished(taken, 'winner'));
      const outcome = await other.getWorkflowInstanceOutcome(inst);
      assert.deepEqual(outcome?.attributes, { result: 'winner' });
      assert.equal((await other.getWorkflowInstanceHistory(inst)).length, 3);
    });

    it('does not hand out a task whose holder keeps extending it', async () => {
      const a = backend();
      const other = backend();
      await a.createWorkflowInstance(instance(), started());
      const [task] = await pollWorkflow(a, { lockTimeoutMs: 300 });
      assert.ok(task);
      const keep = setInterval(() => void a.extendWorkflowTask(task, 300).catch(() => undefined), 100);
      try {
        assert.deepEqual(await pollWorkflow(other, { lockTimeoutMs: 300, waitMs: 900 }), []);
      } finally {
        clearInterval(keep);
      }
      await a.completeWorkflowTask(task, completion(task));
    });

    it('gives an expired activity to another worker; the old holder can no longer extend it', async () => {
      const a = backend();
      const other = backend();
      const inst = instance();
      await a.createWorkflowInstance(inst, started());
      const [task] = await pollWorkflow(a);
      await a.completeWorkflowTask(task!, completion(task!, { activities: [{ scheduleEventId: 3, name: 'x', queue: 'default', inputs: [], attempt: 0 }] }));

      const [stale] = await pollActivities(a, { lockTimeoutMs: 300 });
      assert.ok(stale);
      await a.extendActivityTask(stale, 300, { step: 1 });
      await new Promise((r) => setTimeout(r, 350));
      const [taken] = await pollActivities(other, { lockTimeoutMs: 300, waitMs: 3_000 });
      assert.ok(taken);
      assert.equal(taken.scheduleEventId, 3);
      assert.notEqual(taken.id, stale.id);

      await assert.rejects(a.extendActivityTask(stale, 300), LeaseLostError);
      await other.extendActivityTask(taken, 300);
      await other.completeActivityTask(taken, { result: 'winner' });
      await a.completeActivityTask(stale, { result: 'late' });
      const [next] = await pollWorkflow(a);
      assert.deepEqual(next?.newEvents.map((e) => e.attributes), [{ result: 'winner' }]);
    });
  });

  describe('polling', () => {
    it('returns early when the signal aborts during a blocking read, and loses nothing that arrives late', async () => {
      const a = backend({ blockTimeoutMs: 1_500 });
      const other = backend({ blockTimeoutMs: 1_500 });
      // Set up the groups and the timer loop first, so the aborted poll is blocked in XREADGROUP.
      await a.pollWorkflowTasks({ queues: ['default'], max: 1, lockTimeoutMs: 30_000, signal: AbortSignal.abort(), knownHistoryLength: () => 0 });

      const controller = new AbortController();
      const t0 = Date.now();
      const polling = a.pollWorkflowTasks({ queues: ['default'], max: 1, lockTimeoutMs: 30_000, signal: controller.signal, knownHistoryLength: () => 0 });
      setTimeout(() => controller.abort(), 100);
      assert.deepEqual(await polling, []);
      assert.ok(Date.now() - t0 < 700, `took ${Date.now() - t0} ms`);

      // The abandoned read is still blocked: it takes this entry, then hands it back.
      const inst = instance();
      await a.createWorkflowInstance(inst, started());
      const [task] = await pollWorkflow(other, { waitMs: 4_000 });
      assert.deepEqual(task?.instance, inst);
      assert.deepEqual(task?.newEvents.map((e) => e.type), ['WorkflowExecutionStarted']);
      const redis = new Redis(server().url);
      try {
        const info = (await redis.xinfo('STREAM', workflowTaskStreamKey(prefix, 0, 'default'))) as unknown[];
        // The first entry went to the abandoned read, which gave it back as a second entry.
        assert.equal(info[info.indexOf('entries-added') + 1], 2);
      } finally {
        redis.disconnect();
      }
    });

    it('hands back what one read returns beyond max, across queues and partitions', async () => {
      const a = backend({ partitions: 4 });
      const other = backend({ partitions: 4 });
      const created: string[] = [];
      for (let i = 0; i < 12; i++) {
        const inst = instance();
        created.push(inst.instanceId);
        await a.createWorkflowInstance(inst, started(i % 2 === 0 ? 'q1' : 'q2'));
      }
      const first = await a.pollWorkflowTasks({
        queues: ['q1', 'q2'],
        max: 2,
        lockTimeoutMs: 30_000,
        signal: AbortSignal.timeout(2_000),
        knownHistoryLength: () => 0,
      });
      assert.equal(first.length, 2);

      const seen = first.map((t) => t.instance.instanceId);
      const deadline = Date.now() + 5_000;
      while (seen.length < 12 && Date.now() < deadline) {
        const tasks = await pollWorkflow(other, { queues: ['q1', 'q2'], max: 3, waitMs: 1_000 });
        assert.ok(tasks.length <= 3);
        seen.push(...tasks.map((t) => t.instance.instanceId));
      }
      assert.deepEqual([...seen].sort(), [...created].sort());
    });

    it('fires a timer committed by this backend without waiting for the next timer scan', async () => {
      const b = backend();
      const inst = instance();
      await b.createWorkflowInstance(inst, started());
      const [task] = await pollWorkflow(b);
      const firesAt = new Date(Date.now() + 60);
      await b.completeWorkflowTask(task!, completion(task!, { timers: [{ scheduleEventId: 2, firesAt }] }));
      const [fired] = await pollWorkflow(b);
      assert.deepEqual(fired?.newEvents.map((e) => [e.type, e.scheduleEventId]), [['TimerFired', 2]]);
      assert.ok(Date.now() >= firesAt.getTime());
    });

    it('recovers when Redis lost its consumer groups (restart without persistence)', async () => {
      const own = await startRedisServer();
      try {
        const b = new RedisBackend({ redis: own.url, prefix, blockTimeoutMs: 200, logger: silent });
        opened.push(b);
        const before = instance();
        await b.createWorkflowInstance(before, started());
        const [task] = await pollWorkflow(b);
        assert.deepEqual(task?.instance, before);

        await own.restart();
        const after = instance();
        const deadline = Date.now() + 5_000;
        for (;;) {
          try {
            await b.createWorkflowInstance(after, started());
            break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        let found: WorkflowTask | undefined;
        while (found === undefined && Date.now() < deadline) {
          const tasks = await pollWorkflow(b, { waitMs: 500 }).catch(() => []);
          found = tasks.find((t) => t.instance.instanceId === after.instanceId);
        }
        assert.ok(found, 'the new instance was polled after the restart');
      } finally {
        await Promise.all(opened.splice(0).map((b) => b.close()));
        await own.stop();
      }
    });

    it('keeps queued work across a Redis crash with AOF', async () => {
      const own: RedisServer = await startRedisServer({ aof: 'always' });
      try {
        const b = new RedisBackend({ redis: own.url, prefix, blockTimeoutMs: 200, logger: silent });
        opened.push(b);
        const inst = instance();
        await b.createWorkflowInstance(inst, started());
        await own.restart({ crash: true });
        const [task] = await pollWorkflow(b, { waitMs: 5_000 });
        assert.deepEqual(task?.instance, inst);
      } finally {
        await Promise.all(opened.splice(0).map((b) => b.close()));
        await own.stop();
      }
    });
  });

  it('wakes a waiter after Redis restarted (AOF) under it', async () => {
    const own = await startRedisServer({ aof: 'always' });
    const b = new RedisBackend({ redis: own.url, prefix, blockTimeoutMs: 200, logger: silent });
    try {
      const inst = instance();
      await b.createWorkflowInstance(inst, started());
      const [task] = await pollWorkflow(b);
      const waiting = b.waitForWorkflowInstance(inst, 10_000);
      await new Promise((r) => setTimeout(r, 50));
      await own.restart({ crash: true });
      await b.completeWorkflowTask(task!, finished(task!, 'ok'));
      assert.deepEqual((await waiting)?.attributes, { result: 'ok' });
    } finally {
      await b.close();
      await own.stop();
    }
  });

  describe('close()', () => {
    it('makes every call reject with BackendClosedError and ends pending polls and waits', async () => {
      const b = backend({ blockTimeoutMs: 5_000 });
      const inst = instance();
      await b.createWorkflowInstance(inst, started());
      const [task] = await pollWorkflow(b);
      assert.ok(task);
      const settled = (p: Promise<unknown>): Promise<unknown> => p.then((value) => ({ value }), (err: unknown) => err);
      const waiting = settled(b.waitForWorkflowInstance(inst, 10_000));
      const polling = settled(
        b.pollActivityTasks({ queues: ['default'], max: 1, lockTimeoutMs: 30_000, signal: new AbortController().signal }),
      );
      await new Promise((r) => setTimeout(r, 100));

      const t0 = Date.now();
      await b.close();
      assert.ok((await waiting) instanceof BackendClosedError);
      assert.ok((await polling) instanceof BackendClosedError);
      assert.ok(Date.now() - t0 < 1_000);

      await assert.rejects(b.createWorkflowInstance(instance(), started()), BackendClosedError);
      await assert.rejects(b.getWorkflowInstanceState(inst), BackendClosedError);
      await assert.rejects(b.completeWorkflowTask(task, completion(task)), BackendClosedError);
      await assert.rejects(
        b.pollWorkflowTasks({ queues: ['default'], max: 1, lockTimeoutMs: 1, signal: new AbortController().signal, knownHistoryLength: () => 0 }),
        BackendClosedError,
      );
      await b.close();
    });

    it('ends promptly even when Redis is down', async () => {
      const own = await startRedisServer();
      const b = new RedisBackend({ redis: own.url, prefix, blockTimeoutMs: 200, logger: silent });
      try {
        await b.createWorkflowInstance(instance(), started());
        await pollWorkflow(b);
        await own.stop();
        const t0 = Date.now();
        await b.close();
        assert.ok(Date.now() - t0 < 2_000, `close took ${Date.now() - t0} ms`);
      } finally {
        await own.stop();
      }
    });

    it('closes a connection it opened but not one it was given', async () => {
      const given = new Redis(server().url);
      try {
        const b = new RedisBackend({ redis: given, prefix, logger: silent });
        await b.createWorkflowInstance(instance(), started());
        await b.close();
        assert.equal(await given.ping(), 'PONG');
      } finally {
        given.disconnect();
      }
    });

    it('removes its consumer from the groups when nothing is pending for it', async () => {
      const b = backend();
      const inst = instance();
      await b.createWorkflowInstance(inst, started());
      const [task] = await pollWorkflow(b);
      await b.completeWorkflowTask(task!, finished(task!, 1));
      const stream = workflowTaskStreamKey(prefix, 0, 'default');
      const redis = new Redis(server().url);
      try {
        const consumers = async (): Promise<number> => ((await redis.xinfo('CONSUMERS', stream, CONSUMER_GROUP)) as unknown[]).length;
        assert.equal(await consumers(), 1);
        await b.close();
        assert.equal(await consumers(), 0);
      } finally {
        redis.disconnect();
      }
    });
  });
});
