import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import { pino } from 'pino';
import type { ActivityTask, WorkflowTask } from '../../../src/backend/backend.js';
import { activityTaskStreamKey } from '../../../src/backend/redis/keys.js';
import { CONSUMER_GROUP, RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import { newEvent, type NewEventOf } from '../../../src/history/events.js';
import { useRedisServer } from '../../helpers/redis-server.js';

type LogLine = { msg?: string; entryId?: string; err?: { message?: string } };

const earlierCodec = new Packr({ useRecords: false, moreTypes: true });

describe('RedisBackend with activity tasks it cannot decode', function () {
  this.timeout(20_000);
  const server = useRedisServer();
  let backend: RedisBackend;
  let redis: Redis;
  let prefix: string;
  const lines: LogLine[] = [];

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
    lines.length = 0;
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    backend = new RedisBackend({ redis: server().url, prefix, blockTimeoutMs: 100, logger });
    redis = new Redis(server().url);
  });
  afterEach(async () => {
    await backend.close();
    redis.disconnect();
  });

  async function poll(lockTimeoutMs: number): Promise<ActivityTask[]> {
    const signal = AbortSignal.timeout(1_000);
    for (;;) {
      const tasks = await backend.pollActivityTasks({ queues: ['default'], max: 10, lockTimeoutMs, signal });
      if (tasks.length > 0 || signal.aborted) return tasks;
    }
  }

  it('holds them pending, logged with their instance, and hands out the tasks read with them', async () => {
    const instance = { instanceId: `order-${randomUUID()}`, executionId: randomUUID() };
    const started = newEvent('WorkflowExecutionStarted', { name: 'wf', queue: 'default', inputs: [] }) as NewEventOf<'WorkflowExecutionStarted'>;
    await backend.createWorkflowInstance(instance, started);
    const [task] = await backend.pollWorkflowTasks({ queues: ['default'], max: 1, lockTimeoutMs: 30_000, signal: AbortSignal.timeout(2_000), knownHistoryLength: () => 0 });
    const events = [newEvent('WorkflowTaskStarted', {}), ...(task as WorkflowTask).newEvents].map((event, i) => ({ ...event, sequenceId: i + 1 }));
    const activity = { scheduleEventId: 2, name: 'charge', queue: 'default', inputs: ['fine'], attempt: 0 };
    await backend.completeWorkflowTask(task as WorkflowTask, { events, activities: [activity], timers: [], canceledTimers: [], state: 'active' });

    // What an earlier version wrote for activity arguments holding a Map with object keys, and a damaged entry.
    const stream = activityTaskStreamKey(prefix, 0, 'default');
    const inputs = earlierCodec.pack([new Map([[{ sku: 'A-1' }, 2]])]);
    const record = { i: instance.instanceId, e: instance.executionId, wq: 'default', q: 'default', s: 9, n: 'restock', a: 0, in: inputs };
    const unreadable = await redis.xadd(stream, '*', 't', earlierCodec.pack(record));
    const damaged = await redis.xadd(stream, '*', 't', Buffer.from([0xc1]));

    const since = Date.now();
    const tasks = await poll(300);
    assert.deepEqual(tasks.map((t) => [t.name, t.inputs]), [['charge', ['fine']]]);
    const held = lines.filter((line) => /cannot decode: it is held/.test(line.msg ?? ''));
    assert.deepEqual(held.map((line) => line.entryId).sort(), [unreadable, damaged].sort());
    const named = held.find((line) => line.entryId === unreadable);
    assert.match(named?.err?.message ?? '', new RegExp(`arguments of activity restock \\(event 9\\) of workflow instance ${instance.instanceId}`));

    // Neither dropped nor acknowledged: both stay pending, and are claimed (and held) again after their lease.
    const pending = async (): Promise<string[]> => {
      const entries = (await redis.xpending(stream, CONSUMER_GROUP, '-', '+', 10)) as Array<[string, ...unknown[]]>;
      return entries.map(([id]) => id);
    };
    assert.deepEqual((await pending()).filter((id) => id !== tasks[0]?.id.split('#')[0]).sort(), [unreadable, damaged].sort());
    await backend.completeActivityTask(tasks[0] as ActivityTask, { result: 'charged' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(await poll(300), []);
    // Claimed again once per lease, not in a loop.
    const claims = lines.filter((line) => line.entryId === unreadable).length;
    const leases = (Date.now() - since) / 300;
    assert.ok(claims >= 2 && claims <= leases + 2, `claimed ${claims} times in ${leases.toFixed(1)} leases`);
    assert.deepEqual((await pending()).sort(), [unreadable, damaged].sort());
    assert.equal(await redis.xlen(stream), 2);
  });
});
