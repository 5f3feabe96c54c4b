import type { OutboxField } from './outbox-message.js';
import type { ScriptArg } from './script-runner.js';
import type { NewExecution } from './new-execution.js';

/**
 * Keys of `completeWorkflowTask`: the task's own execution and its partition's indexes, then `extra`,
 * every other key (activity streams, other executions of the partition), which the arguments name by
 * their index in that list.
 */
export interface CompleteWorkflowTaskKeys {
  execution: string;
  inbox: string;
  history: string;
  workflowTasks: string;
  timers: string;
  instance: string;
  executionTimers: string;
  instances: string;
  active: string;
  finished: string;
  expiring: string;
  activityQueues: string;
  workflowQueues: string;
  outbox: string;
  chains: string;
  /** The held index: a commit clears the execution's hold. */
  held: string;
  extra: string[];
}

/** Where an event for another execution of the partition goes: indexes into `CompleteWorkflowTaskKeys.extra`. */
export interface ExecutionKeyRefs {
  execution: number;
  inbox: number;
  workflowTasks: number;
}

/** The execution a continue-as-new completion creates. */
export interface ContinuationArgs extends ExecutionKeyRefs, Omit<NewExecution, 'instanceId'> {
  /** Encoded events it inherits (`CarriedEvent`s) with their types, before those left in the old inbox. */
  carried: Array<{ type: string; event: Buffer }>;
}

/** A sub-workflow of the same partition, started by the completion. */
export interface ChildArgs extends ExecutionKeyRefs, NewExecution {
  instance: number;
  /** Encoded `SubWorkflowFailed` the parent gets instead when the child's instance id is active. */
  clash: Buffer;
}

/** Activity attempts to remove, each if no worker has claimed it. */
export interface ActivityCancellationArgs {
  /** Index in `extra` of the partition's heartbeats hash. */
  heartbeats: number;
  attempts: Array<{
    /** Index in `extra` of the attempt's activity-task stream. */
    stream: number;
    scheduleEventId: number;
    /** Encoded `ActivityFailed` (a `CanceledError`) the execution receives when the attempt is removed. */
    failed: Buffer;
  }>;
}

/**
 * A sub-workflow of the same partition that the task asks to cancel, and what ends it if no worker has
 * started it. (The cancellation request itself goes with the `deliveries`, for a child that has started.)
 */
export interface ChildCancellationArgs {
  instance: number;
  execution: number;
  inbox: number;
  history: number;
  executionTimers: number;
  instanceId: string;
  executionId: string;
  /** Encoded `WorkflowExecutionCanceled` and `WorkflowExecutionFinished` recorded in the child's history. */
  canceled: Buffer;
  finished: Buffer;
  /** Encoded `SubWorkflowFailed` the parent receives when the child ends so. */
  parentFailed: Buffer;
}

/** An event for another execution of the same partition, delivered if it is active. */
export interface DeliveryArgs extends ExecutionKeyRefs {
  instanceId: string;
  executionId: string;
  event: Buffer;
  eventType: string;
}

/** Arguments of `completeWorkflowTask`. */
export interface CompleteWorkflowTaskArgs {
  lockToken: number;
  entryId: string;
  group: string;
  /** Last inbox id consumed, or '' for none. */
  inboxCursor: string;
  /** History length the task started from. */
  historyLength: number;
  state: string;
  instanceId: string;
  executionId: string;
  finishedChannel: string;
  finishedMessage: string;
  /** How long a finished chain's keys are kept (ms); 0 = until removed. */
  retentionMs: number;
  /**
   * When the execution finishes with a retention: the chain's earlier executions, whose keys expire with
   * it (their hash and history list, as indexes into `extra`). Empty otherwise.
   */
  earlier?: EarlierExecutionArgs[];
  events: Buffer[];
  timers: Array<{ dueMs: number; member: string }>;
  canceledTimers: string[];
  /** Activity queues: name, and the index of its stream in `extra`. */
  activityQueues: Array<{ name: string; stream: number }>;
  /** `queue` indexes `activityQueues`. */
  activities: Array<{ queue: number; scheduleEventId: number; task: Buffer }>;
  activityCancellations?: ActivityCancellationArgs;
  continuation?: ContinuationArgs;
  children: ChildArgs[];
  /** Entries to append to the partition's outbox, in order. */
  outbox: OutboxField[][];
  childCancellations?: ChildCancellationArgs[];
  deliveries: DeliveryArgs[];
  /** Activity tasks to claim for a consumer as soon as they are added. */
  handoff?: ActivityHandoffArgs;
}

/** An earlier execution of the completing execution's chain. */
export interface EarlierExecutionArgs {
  executionId: string;
  execution: number;
  history: number;
}

/** Who takes over activity tasks the completion schedules. */
export interface ActivityHandoffArgs {
  consumer: string;
  max: number;
  /** Indexes into `activityQueues` of the queues the consumer serves. */
  queues: number[];
}

const FIXED_KEYS = 16;

/** KEYS and ARGV of complete-workflow-task.lua (see its header for the layout). */
export function completionCall(keys: CompleteWorkflowTaskKeys, args: CompleteWorkflowTaskArgs): { keys: string[]; argv: ScriptArg[] } {
  // Lua indexes KEYS from 1, and `extra` follows the fixed keys.
  const key = (index: number): number => FIXED_KEYS + 1 + index;
  const refs = (r: ExecutionKeyRefs): number[] => [key(r.execution), key(r.inbox), key(r.workflowTasks)];
  const c = args.continuation;
  const earlier = args.earlier ?? [];
  const x = args.activityCancellations;
  const children = args.childCancellations ?? [];
  const argv: ScriptArg[] = [
    args.lockToken,
    args.entryId,
    args.group,
    args.inboxCursor,
    args.historyLength,
    args.state,
    args.instanceId,
    args.executionId,
    args.finishedChannel,
    args.finishedMessage,
    args.retentionMs,
    earlier.length,
    ...earlier.flatMap((e) => [e.executionId, key(e.execution), key(e.history)]),
    args.events.length,
    ...args.events,
    args.timers.length,
    ...args.timers.flatMap((t) => [t.dueMs, t.member]),
    args.canceledTimers.length,
    ...args.canceledTimers,
    args.activityQueues.length,
    ...args.activityQueues.flatMap((q) => [q.name, key(q.stream)]),
    args.activities.length,
    ...args.activities.flatMap((a) => [a.queue + 1, a.scheduleEventId, a.task]),
    ...(x === undefined || x.attempts.length === 0
      ? [0]
      : [x.attempts.length, key(x.heartbeats), ...x.attempts.flatMap((a) => [key(a.stream), a.scheduleEventId, a.failed])]),
    ...(c === undefined
      ? [0]
      : [1, ...refs(c), c.executionId, c.name, c.queue, c.createdAt, c.started, c.carried.length, ...c.carried.flatMap((e) => [e.type, e.event])]),
    args.children.length,
    ...args.children.flatMap((child) => [
      key(child.instance),
      ...refs(child),
      child.instanceId,
      child.executionId,
      child.name,
      child.queue,
      child.createdAt,
      child.started,
      child.clash,
    ]),
    args.outbox.length,
    ...args.outbox.flatMap((fields) => [fields.length, ...fields.flat()]),
    children.length,
    ...children.flatMap((child) => [
      key(child.instance),
      key(child.execution),
      key(child.inbox),
      key(child.history),
      key(child.executionTimers),
      child.instanceId,
      child.executionId,
      child.canceled,
      child.finished,
      child.parentFailed,
    ]),
    args.deliveries.length,
    ...args.deliveries.flatMap((d) => [...refs(d), d.instanceId, d.executionId, d.event, d.eventType]),
    ...(args.handoff === undefined
      ? ['', 0, 0]
      : [args.handoff.consumer, args.handoff.max, args.handoff.queues.length, ...args.handoff.queues.map((q) => q + 1)]),
  ];
  const fixed = [
    keys.execution,
    keys.inbox,
    keys.history,
    keys.workflowTasks,
    keys.timers,
    keys.instance,
    keys.executionTimers,
    keys.instances,
    keys.active,
    keys.finished,
    keys.expiring,
    keys.activityQueues,
    keys.workflowQueues,
    keys.outbox,
    keys.chains,
    keys.held,
  ];
  return { keys: [...fixed, ...keys.extra], argv };
}
