import type { WorkflowTask, WorkflowTaskCompletion } from '../backend.js';
import { encodeEvent } from '../../codec/event-codec.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { assertExecutionId, assertInstanceId, assertQueueName } from '../../core/validation.js';
import { InvalidArgumentError, instanceFailureInfo } from '../../errors/errors.js';
import { newEvent } from '../../history/events.js';
import { activityDeadlineRef } from './activity-deadline-member.js';
import { scheduleToCloseTimer } from './activity-deadlines.js';
import { encodeActivityTask } from './activity-task-record.js';
import { activityCancellationArgs, childCancellationArgs, encodedBeforeStart, type EncodedBeforeStart } from './cancellation-args.js';
import type { ChildArgs, ChildCancellationArgs, CompleteWorkflowTaskArgs, CompleteWorkflowTaskKeys, DeliveryArgs, ExecutionKeyRefs } from './completion-script.js';
import { earlierExecutionsOf } from './execution-chains.js';
import type { ExecutionQueues } from './execution-queues.js';
import {
  activityQueuesKey,
  activityTaskStreamKey,
  executionKey,
  finishedChannel,
  historyKey,
  inboxKey,
  indexKeysOf,
  instanceKey,
  keysOfExecution,
  outboxKey,
  workflowTaskStreamKey,
} from './keys.js';
import { outboxFields, type MessageSender, type OutboxField } from './outbox-message.js';
import { indexMember, partitionIn, type RedisContext } from './redis-context.js';
import { timerMember } from './timer-member.js';

/** What `planCompletion` needs besides the task and its completion. */
export interface CompletionPlanOptions {
  context: RedisContext;
  group: string;
  retentionMs: number;
  queues: ExecutionQueues;
}

/** The complete-workflow-task call for a completion, and the due times of the timers it adds. */
export interface CompletionPlan {
  keys: CompleteWorkflowTaskKeys;
  args: CompleteWorkflowTaskArgs;
  timerDues: number[];
}

/** Keys beyond the fixed ones, each listed once. */
class ExtraKeys {
  readonly keys: string[] = [];
  readonly #index = new Map<string, number>();

  add(key: string): number {
    let index = this.#index.get(key);
    if (index === undefined) {
      index = this.keys.length;
      this.keys.push(key);
      this.#index.set(key, index);
    }
    return index;
  }
}

/** An event for another execution: delivered in the partition, or through the outbox. */
interface Send {
  target: WorkflowInstance;
  event: Buffer;
  eventType: string;
  /** With a parent's cancellation request for its child. */
  beforeStart?: EncodedBeforeStart;
}

function assertSequence(task: WorkflowTask, completion: WorkflowTaskCompletion): void {
  completion.events.forEach((event, i) => {
    const expected = task.historyLength + i + 1;
    if (event.sequenceId !== expected) {
      throw new InvalidArgumentError(`completion event ${i} (${event.type}) has sequence id ${event.sequenceId}, expected ${expected}`);
    }
  });
}

/**
 * Turns a completion into one complete-workflow-task call on the task's partition. Sub-workflows,
 * cancellations and the parent's notification go straight to executions of the same partition; those of
 * other partitions, and every signal (whose target execution is only known when it arrives), go to the
 * partition's outbox, in order: starts before the signals that may target them. (The script passes a
 * cancellation for a child that has continued as new on to the outbox as well.)
 */
export async function planCompletion(options: CompletionPlanOptions, task: WorkflowTask, completion: WorkflowTaskCompletion): Promise<CompletionPlan> {
  assertSequence(task, completion);
  const { context, queues } = options;
  const { prefix } = context;
  const { instanceId, executionId } = task.instance;
  const p = partitionIn(context, instanceId);
  const extra = new ExtraKeys();
  const refs = (target: WorkflowInstance, queue: string): ExecutionKeyRefs => ({
    execution: extra.add(executionKey(prefix, p, target.instanceId, target.executionId)),
    inbox: extra.add(inboxKey(prefix, p, target.instanceId, target.executionId)),
    workflowTasks: extra.add(workflowTaskStreamKey(prefix, p, queue)),
  });

  const queueNames = [...new Set(completion.activities.map((a) => a.queue))];
  for (const queue of queueNames) assertQueueName(queue, 'activity queue');
  const activityQueues = queueNames.map((name) => ({ name, stream: extra.add(activityTaskStreamKey(prefix, p, name)) }));
  // When the attempts are queued: their queue wait counts from it.
  const scheduledAt = completion.activities.length > 0 ? new Date() : undefined;
  const activities = completion.activities.map((a) => ({
    queue: queueNames.indexOf(a.queue),
    scheduleEventId: a.scheduleEventId,
    task: encodeActivityTask({ instance: task.instance, workflowQueue: task.queue, scheduledAt, ...a }),
  }));
  const activityCancellations = activityCancellationArgs(prefix, p, (key) => extra.add(key), completion.canceledActivities ?? []);
  const member = (scheduleEventId: number): string => timerMember({ instanceId, executionId, scheduleEventId, queue: task.queue });
  const timers = completion.timers.map((t) => ({ dueMs: t.firesAt.getTime(), member: member(t.scheduleEventId) }));
  // An attempt's scheduleToClose deadline is committed with it: it fires even if no worker ever claims it.
  for (const a of completion.activities) {
    if (a.timeouts === undefined) continue;
    const ref = activityDeadlineRef({ instance: task.instance, workflowQueue: task.queue, ...a }, a.timeouts);
    const deadline = scheduleToCloseTimer(ref, a.timeouts.scheduleToCloseDeadline);
    if (deadline !== undefined) timers.push(deadline);
  }

  const sender: MessageSender = { instanceId, executionId, queue: task.queue };
  const outbox: OutboxField[][] = [];
  const children: ChildArgs[] = [];
  // Its children's outcomes will come back to this execution: a child whose task runs here then names its
  // queue in the message.
  if (completion.subWorkflows !== undefined && completion.subWorkflows.length > 0) queues.remember(task.instance, task.queue);
  for (const child of completion.subWorkflows ?? []) {
    const { instanceId: childId, executionId: childExecution } = child.instance;
    const { name, queue } = child.started.attributes;
    assertInstanceId(childId, 'sub-workflow instanceId');
    assertExecutionId(childExecution);
    assertQueueName(queue, 'sub-workflow queue');
    queues.remember(child.instance, queue);
    const started = encodeEvent(child.started);
    const createdAt = child.started.timestamp.getTime();
    const clash = encodeEvent(
      newEvent('SubWorkflowFailed', { error: instanceFailureInfo('InstanceAlreadyExistsError', childId) }, child.scheduleEventId),
    );
    if (partitionIn(context, childId) === p) {
      const instance = extra.add(instanceKey(prefix, p, childId));
      children.push({ instance, ...refs(child.instance, queue), instanceId: childId, executionId: childExecution, name, queue, createdAt, started, clash });
    } else {
      outbox.push(outboxFields({ kind: 'start', instanceId: childId, executionId: childExecution, name, queue, createdAt, started, sender, clash }));
    }
  }
  for (const request of completion.signals ?? []) {
    assertInstanceId(request.instanceId, 'signal target instanceId');
    const failure = instanceFailureInfo('InstanceNotFoundError', request.instanceId);
    outbox.push(
      outboxFields({
        kind: 'signal',
        instanceId: request.instanceId,
        signal: encodeEvent(request.signal),
        sender,
        delivered: encodeEvent(newEvent('SignalDelivered', {}, request.scheduleEventId)),
        failed: encodeEvent(newEvent('SignalFailed', { error: failure }, request.scheduleEventId)),
      }),
    );
  }

  // A cancellation request carries what ends the child if no worker has started it.
  const sends: Send[] = (completion.cancellations ?? []).map((child) => {
    const beforeStart = encodedBeforeStart(child);
    return { target: child, event: beforeStart.canceled, eventType: 'WorkflowExecutionCanceled', beforeStart };
  });
  const notify = completion.notifyParent;
  if (notify !== undefined) sends.push({ target: notify.parent, event: encodeEvent(notify.event), eventType: notify.event.type });
  const local = sends.filter((send) => partitionIn(context, send.target.instanceId) === p);
  // A chain expires as a whole, when its last execution finishes: its earlier executions are read together
  // with the queues, in the same round trip.
  const ending = completion.state === 'finished' && options.retentionMs > 0;
  const [localQueues, earlierIds] = await Promise.all([
    Promise.all(local.map((send) => queues.lookup(send.target))),
    ending ? earlierExecutionsOf(context, task.instance) : [],
  ]);
  const deliveries: DeliveryArgs[] = [];
  const childCancellations: ChildCancellationArgs[] = [];
  for (const send of sends) {
    const { target, event, eventType, beforeStart } = send;
    const at = local.indexOf(send);
    if (at < 0) {
      const ending =
        beforeStart === undefined
          ? {}
          : { beforeStart: { sender, finished: beforeStart.finished, parentFailed: beforeStart.parentFailed, retentionMs: options.retentionMs } };
      // A queue known here spares the relay a read of the target's execution.
      const queue = queues.known(target);
      const known = queue === undefined ? {} : { queue };
      outbox.push(outboxFields({ kind: 'event', instanceId: target.instanceId, executionId: target.executionId, event, eventType, ...known, ...ending }));
      continue;
    }
    // An execution that no longer exists has nothing to receive.
    const queue = localQueues[at];
    if (queue === undefined) continue;
    deliveries.push({ instanceId: target.instanceId, executionId: target.executionId, event, eventType, ...refs(target, queue) });
    if (beforeStart !== undefined) childCancellations.push(childCancellationArgs(prefix, p, (key) => extra.add(key), target, beforeStart));
  }

  const c = completion.continuation;
  let continuation: CompleteWorkflowTaskArgs['continuation'];
  if (c !== undefined) {
    if (c.instance.instanceId !== instanceId) throw new InvalidArgumentError('continue-as-new must keep the instance id');
    assertExecutionId(c.instance.executionId);
    const { name, queue } = c.started.attributes;
    assertQueueName(queue);
    queues.remember(c.instance, queue);
    continuation = {
      executionId: c.instance.executionId,
      name,
      queue,
      createdAt: c.started.timestamp.getTime(),
      started: encodeEvent(c.started),
      carried: c.carried.map((event) => ({ type: event.type, event: encodeEvent(event) })),
      ...refs(c.instance, queue),
    };
  }

  const earlier = earlierIds.map((id) => ({
    executionId: id,
    execution: extra.add(executionKey(prefix, p, instanceId, id)),
    history: extra.add(historyKey(prefix, p, instanceId, id)),
  }));

  const keys: CompleteWorkflowTaskKeys = {
    workflowTasks: workflowTaskStreamKey(prefix, p, task.queue),
    activityQueues: activityQueuesKey(prefix, p),
    outbox: outboxKey(prefix, p),
    extra: extra.keys,
    ...keysOfExecution(prefix, p, instanceId, executionId),
    ...indexKeysOf(prefix, p),
  };
  const args: CompleteWorkflowTaskArgs = {
    lockToken: task.lockToken,
    entryId: task.id,
    group: options.group,
    inboxCursor: task.inboxCursor,
    historyLength: task.historyLength,
    state: completion.state,
    instanceId,
    executionId,
    finishedChannel: finishedChannel(prefix, p),
    finishedMessage: indexMember(instanceId, executionId),
    retentionMs: options.retentionMs,
    earlier,
    events: completion.events.map((event) => encodeEvent(event)),
    timers,
    canceledTimers: completion.canceledTimers.map(member),
    activityQueues,
    activities,
    ...(activityCancellations === undefined ? {} : { activityCancellations }),
    ...(continuation === undefined ? {} : { continuation }),
    children,
    outbox,
    childCancellations,
    deliveries,
  };
  return { keys, args, timerDues: timers.map((t) => t.dueMs) };
}
