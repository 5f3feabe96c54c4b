import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { WorkflowTask } from '../../../src/backend/backend.js';
import { chainsKey, expiringKey, finishedKey, instancesKey, timersKey } from '../../../src/backend/redis/keys.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import type { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import type { WorkflowInstance } from '../../../src/core/instance.js';
import { InvalidArgumentError } from '../../../src/errors/errors.js';
import { newEvent, type NewEventOf } from '../../../src/history/events.js';
import { completion, finishing, harness, instance, numbered, started } from '../../conformance/harness.js';
import { redisBackendOn } from '../../helpers/redis-backends.js';
import { useRedisServer } from '../../helpers/redis-server.js';

describe('RedisBackend instance management (keys)', function () {
  this.timeout(20_000);
  const server = useRedisServer();
  let redis: Redis;
  const opened: RedisBackend[] = [];

  function backend(options: Parameters<typeof redisBackendOn>[1] = {}): RedisBackend {
    const b = redisBackendOn(server(), options);
    opened.push(b);
    return b;
  }

  before(() => {
    redis = new Redis(server().url);
  });
  after(() => redis.disconnect());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });

  async function keysOf(prefix: string, inst: WorkflowInstance): Promise<string[]> {
    return (await redis.keys(`${prefix}:*`)).filter((key) => key.includes(inst.executionId) || key.endsWith(`:instance:${inst.instanceId}`));
  }

  const signal = (arg: number): NewEventOf<'SignalReceived'> =>
    newEvent('SignalReceived', { name: 's', arg }) as NewEventOf<'SignalReceived'>;

  /** Runs `inst` to its end with a pending timer, an unprocessed signal and history. */
  async function runToEnd(b: RedisBackend, inst: WorkflowInstance): Promise<void> {
    const h = harness(() => b);
    await b.createWorkflowInstance(inst, started());
    const task: WorkflowTask = await h.pollOne();
    const firesAt = new Date(Date.now() + 60_000);
    const events = numbered(task, [newEvent('WorkflowTaskStarted', {}), ...task.newEvents, newEvent('TimerScheduled', { firesAt }, 3)]);
    await b.completeWorkflowTask(task, { events, activities: [], timers: [{ scheduleEventId: 3, firesAt }], canceledTimers: [], state: 'active' });
    await b.signalWorkflow(inst.instanceId, signal(1));
    const last = await h.pollOne({ known: 3 });
    await b.signalWorkflow(inst.instanceId, signal(2));
    await b.completeWorkflowTask(last, finishing(last, 'done'));
  }

  it('leaves no key of a removed execution behind, timers included', async () => {
    const prefix = `test-${randomUUID()}`;
    const b = backend({ prefix, partitions: 3 });
    const inst = instance();
    await runToEnd(b, inst);
    assert.ok((await keysOf(prefix, inst)).length >= 3);
    await b.removeWorkflowInstance(inst);
    assert.deepEqual(await keysOf(prefix, inst), []);
    const p = partitionOf(inst.instanceId, 3);
    assert.deepEqual(await redis.zrange(timersKey(prefix, p), 0, -1), []);
    for (const key of [instancesKey(prefix, p), finishedKey(prefix, p)]) assert.equal(await redis.zcard(key), 0, key);
  });

  /** Starts `first` and continues it as new once; returns the second execution, active and idle. */
  async function continued(b: RedisBackend, first: WorkflowInstance): Promise<WorkflowInstance> {
    const h = harness(() => b);
    await b.createWorkflowInstance(first, started());
    const task = await h.pollOne();
    const second = { instanceId: first.instanceId, executionId: randomUUID() };
    const events = numbered(task, [
      newEvent('WorkflowTaskStarted', {}),
      ...task.newEvents,
      newEvent('WorkflowExecutionContinuedAsNew', { continuedExecutionId: second.executionId }),
    ]);
    await b.completeWorkflowTask(task, {
      ...completion(task),
      events,
      state: 'continued-as-new',
      continuation: { instance: second, started: started(), carried: [] },
    });
    const next = await h.pollOne();
    await b.completeWorkflowTask(next, completion(next));
    return second;
  }

  /** Ends the idle execution `inst` (a signal wakes it, its task finishes it). */
  async function finish(b: RedisBackend, inst: WorkflowInstance): Promise<void> {
    await b.signalWorkflow(inst.instanceId, signal(0));
    const task = await harness(() => b).pollOne({ known: 2 });
    assert.deepEqual(task.instance, inst);
    await b.completeWorkflowTask(task, finishing(task, 'done'));
  }

  it('leaves no key or index entry of a removed chain behind', async () => {
    const prefix = `test-${randomUUID()}`;
    const b = backend({ prefix, partitions: 3 });
    const first = instance();
    const second = await continued(b, first);
    await finish(b, second);
    await b.removeWorkflowInstance(first);
    assert.deepEqual(await keysOf(prefix, first), []);
    assert.deepEqual(await keysOf(prefix, second), []);
    const p = partitionOf(first.instanceId, 3);
    for (const key of [instancesKey(prefix, p), finishedKey(prefix, p), expiringKey(prefix, p), chainsKey(prefix, p)]) {
      assert.equal(await redis.zcard(key), 0, key);
    }
  });

  it('with retentionMs, gives no key of a running chain a TTL, and every key of it one when it finishes', async () => {
    const prefix = `test-${randomUUID()}`;
    const b = backend({ prefix, retentionMs: 60_000 });
    const first = instance();
    const second = await continued(b, first);
    const keys = [...(await keysOf(prefix, first)), ...(await keysOf(prefix, second))];
    assert.ok(keys.length >= 4);
    for (const key of keys) assert.equal(await redis.pttl(key), -1, `${key} is kept while the chain runs`);
    await finish(b, second);
    for (const key of new Set([...(await keysOf(prefix, first)), ...(await keysOf(prefix, second))])) {
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 && ttl <= 60_000, `${key} expires (${ttl})`);
    }
    assert.deepEqual((await redis.zrange(expiringKey(prefix, 0), 0, -1)).sort(), [first, second].map((e) => `${e.instanceId}\n${e.executionId}`).sort());
  });

  it('with retentionMs, gives every key of an ended execution a TTL and drops index entries it outlived', async () => {
    const prefix = `test-${randomUUID()}`;
    const b = backend({ prefix, retentionMs: 60_000 });
    const inst = instance();
    await runToEnd(b, inst);
    const keys = await keysOf(prefix, inst);
    assert.ok(keys.length >= 3);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 && ttl <= 60_000, `${key} expires (${ttl})`);
    }
    // Simulate expiry: the keys are gone, the index entries are not.
    await redis.del(...keys);
    const page = await b.listWorkflowInstances({ count: 10 });
    assert.deepEqual(page.instances, []);
    assert.equal(await redis.zcard(instancesKey(prefix, 0)), 0, 'listing dropped the stale entry');
    assert.equal(await redis.zcard(chainsKey(prefix, 0)), 0, 'and its chains index entry');
  });

  it('rejects a cursor it did not issue and a retention that is not a positive integer', async () => {
    const b = backend();
    await assert.rejects(b.listWorkflowInstances({ count: 5, cursor: 'nope' }), InvalidArgumentError);
    assert.throws(() => backend({ retentionMs: 0 }), /retentionMs/);
    assert.throws(() => backend({ retentionMs: -5 }), /retentionMs/);
  });

  it('lists executions created in the same millisecond in every partition without repeating or skipping any', async () => {
    const b = backend({ partitions: 4 });
    const at = new Date();
    const made = new Set<string>();
    for (let i = 0; i < 23; i++) {
      const inst = instance();
      await b.createWorkflowInstance(inst, started('default', i % 2 === 0 ? at : new Date(at.getTime() - 1)));
      made.add(inst.executionId);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await b.listWorkflowInstances({ count: 5, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.instances.map((info) => info.instance.executionId));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    assert.equal(seen.length, 23);
    assert.deepEqual(new Set(seen), made);
  });

  it('reads a bounded number of index entries per filtered page: a short page with a cursor, then the rest', async () => {
    const b = backend();
    const base = Date.now() - 60_000;
    const wanted = instance();
    const named = (name: string, at: number): NewEventOf<'WorkflowExecutionStarted'> =>
      newEvent('WorkflowExecutionStarted', { name, queue: 'default', inputs: [] }, undefined, new Date(at)) as NewEventOf<'WorkflowExecutionStarted'>;
    await b.createWorkflowInstance(wanted, named('rare', base));
    for (let batch = 0; batch < 11; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => b.createWorkflowInstance(instance(), named('common', base + 1 + batch * 100 + i))));
    }
    const first = await b.listWorkflowInstances({ count: 5, name: 'rare' });
    assert.deepEqual(first.instances, [], 'the scan stopped before reaching the match');
    assert.ok(first.nextCursor !== undefined);
    const second = await b.listWorkflowInstances({ count: 5, name: 'rare', cursor: first.nextCursor });
    assert.deepEqual(second.instances.map((info) => info.instance), [wanted]);
    assert.equal(second.nextCursor, undefined);
    // A time bound is a score range of the index, so it costs no scan.
    const ranged = await b.listWorkflowInstances({ count: 5, createdBefore: new Date(base + 1) });
    assert.deepEqual(ranged.instances.map((info) => info.instance), [wanted]);
    assert.equal(ranged.nextCursor, undefined);
  });
});
