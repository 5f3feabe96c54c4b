import assert from 'node:assert/strict';
import type { CompleteWorkflowTaskArgs, HandedActivityEntry, RedisScripts } from '../../../../src/backend/redis/scripts.js';
import type { Redis } from 'ioredis';
import { GROUP, addAndDeliver, executionKeys, seedExecution, type ExecutionKeys } from '../script-fixture.js';
import { outboxKey } from '../../../../src/backend/redis/keys.js';
import type { HeldTaskRetryPolicy } from '../../../../src/backend/backend.js';
import type { HeldTaskScripts, HoldWorkflowTaskArgs, RecordedHold } from '../../../../src/backend/redis/held-task-scripts.js';
import { holdRetryMember } from '../../../../src/backend/redis/timer-member.js';

/** An execution claimed by worker-a, ready to be completed. */
export interface Claimed {
  k: ExecutionKeys;
  entry: string;
  token: number;
  /** How many inbox events the claim read (the completion's cursor). */
  inboxCount: number;
}

/** An execution with two history events and `inbox`, claimed by worker-a (a fresh prefix unless `k` is given). */
export async function claimExecution(
  redis: Redis,
  scripts: RedisScripts,
  inbox: Array<string | { event: string; type: string }> = ['n1', 'n2'],
  k: ExecutionKeys = executionKeys(),
): Promise<Claimed> {
  await seedExecution(redis, k, { history: ['h1', 'h2'], inbox });
  const entry = await addAndDeliver(redis, k.workflowTasks, { i: k.instanceId, e: k.executionId });
  const locked = await scripts.lockWorkflowTask(
    { execution: k.execution, inbox: k.inbox, history: k.history, workflowTasks: k.workflowTasks },
    { entryId: entry, group: GROUP, knownHistoryLength: 2, lockTimeoutMs: 30_000, maxInboxEvents: 0, consumer: 'worker-a' },
  );
  assert.ok(locked);
  return { k, entry, token: locked.lockToken, inboxCount: locked.inbox.length };
}

/**
 * Completes `c` with two history events and `args` on top. `extra` are the keys the arguments name by
 * index; activity queues are named after the last part of their stream key.
 */
export function completeClaimed(
  scripts: RedisScripts,
  c: Claimed,
  args: Partial<CompleteWorkflowTaskArgs> = {},
  extra: string[] = [],
): Promise<HandedActivityEntry[]> {
  const { k } = c;
  return scripts.completeWorkflowTask(
    {
      execution: k.execution,
      inbox: k.inbox,
      history: k.history,
      workflowTasks: k.workflowTasks,
      timers: k.timers,
      instance: k.instance,
      executionTimers: k.executionTimers,
      instances: k.instances,
      active: k.active,
      finished: k.finished,
      expiring: k.expiring,
      activityQueues: k.activityQueues,
      workflowQueues: k.workflowQueues,
      outbox: outboxKey(k.prefix, 0),
      chains: k.chains,
      held: k.held,
      extra,
    },
    {
      lockToken: c.token,
      entryId: c.entry,
      group: GROUP,
      inboxCursor: c.inboxCount === 0 ? '' : String(c.inboxCount),
      historyLength: 2,
      state: 'active',
      instanceId: k.instanceId,
      executionId: k.executionId,
      finishedChannel: k.channel,
      finishedMessage: `${k.instanceId}\n${k.executionId}`,
      retentionMs: 0,
      events: [Buffer.from('h3'), Buffer.from('h4')],
      timers: [],
      canceledTimers: [],
      activityQueues: [],
      activities: [],
      children: [],
      outbox: [],
      deliveries: [],
      ...args,
    },
  );
}

/** Holds `c` (hold-workflow-task.lua) for reason `engine-error` with `retry`, and `args` on top. */
export function holdClaimed(
  scripts: HeldTaskScripts,
  c: Claimed,
  retry: HeldTaskRetryPolicy,
  args: Partial<HoldWorkflowTaskArgs> = {},
): Promise<RecordedHold> {
  const { k } = c;
  return scripts.holdWorkflowTask(
    { execution: k.execution, workflowTasks: k.workflowTasks, timers: k.timers, executionTimers: k.executionTimers, held: k.held },
    {
      lockToken: c.token,
      entryId: c.entry,
      group: GROUP,
      executionId: k.executionId,
      member: `${k.instanceId}\n${k.executionId}`,
      retryMember: holdRetryMember(k.instanceId, k.executionId, 'default'),
      reason: 'engine-error',
      errorType: 'TypeError',
      errorMessage: 'boom',
      retry,
      ...args,
    },
  );
}
