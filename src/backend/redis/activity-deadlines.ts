import type { ActivityTask } from '../backend.js';
import { encodeEvent } from '../../codec/event-codec.js';
import { activityTimeoutFailure } from '../../errors/errors.js';
import { newEvent } from '../../history/events.js';
import {
  activityDeadlineMember,
  activityDeadlineRef,
  deadlineTimeoutMs,
  otherDeadlineMembers,
  parseActivityDeadlineMember,
  type ActivityDeadlineRef,
} from './activity-deadline-member.js';
import { ActivityDeadlineScripts, type DueActivityDeadline } from './activity-deadline-scripts.js';
import { parseActivityTaskHandle } from './activity-task-record.js';
import { activityTaskStreamKey, executionKey, executionTimersKey, heartbeatsKey, inboxKey, timersKey, workflowTaskStreamKey } from './keys.js';
import { partitionIn, type RedisContext } from './redis-context.js';

/**
 * Activity timeouts on Redis. Each deadline of an attempt is a member of its partition's `timers` zset, scored
 * by its due time and listed in the execution's set of pending timers (so it goes when the execution ends):
 * scheduleToClose is written by the commit that schedules the attempt, startToClose and heartbeat by
 * start-activity-attempt right after a worker claims it, a heartbeat pushes the heartbeat one. Completing or
 * giving the task back removes them; the timer loop fires those that come due with time-out-activities.
 */
export class ActivityDeadlines {
  readonly #context: RedisContext;
  readonly #group: string;
  readonly #scripts: ActivityDeadlineScripts;

  constructor(context: RedisContext, group: string) {
    this.#context = context;
    this.#group = group;
    this.#scripts = new ActivityDeadlineScripts(context.client);
  }

  /**
   * Starts the startToClose and heartbeat deadlines of tasks just claimed; returns the tasks to run, each with
   * the time left on them. A task the caller no longer holds (it timed out since the claim) is left out.
   */
  async start(tasks: ActivityTask[]): Promise<ActivityTask[]> {
    // Most activities have no attempt timeouts: then a claimed batch is returned as it is, with no work per task.
    if (!tasks.some(hasAttemptTimeouts)) return tasks;
    const started = await Promise.all(tasks.map((task) => this.#start(task)));
    return started.flat();
  }

  /** Where `task`'s deadlines live: its partition's timers zset and its execution's set of pending timers. */
  #keysOf(task: ActivityTask): { timers: string; executionTimers: string } {
    const { prefix } = this.#context;
    const { instanceId, executionId } = task.instance;
    const p = partitionIn(this.#context, instanceId);
    return { timers: timersKey(prefix, p), executionTimers: executionTimersKey(prefix, p, instanceId, executionId) };
  }

  /** The members of each of `task`'s deadlines, in the order startToClose, heartbeat, scheduleToClose ('' for none). */
  membersOf(task: ActivityTask): [string, string, string] {
    const ref = refOf(task);
    if (ref === undefined) return ['', '', ''];
    return [activityDeadlineMember(ref, 'startToClose'), activityDeadlineMember(ref, 'heartbeat'), activityDeadlineMember(ref, 'scheduleToClose')];
  }

  /**
   * Fails the attempts of `members` (timers zset members of `partition` that `parseActivityDeadlineMember`
   * reads) whose deadline is still due by `dueByMs`, the time the caller judged them due at.
   */
  async fire(partition: number, members: readonly string[], dueByMs: number): Promise<void> {
    const { prefix } = this.#context;
    const due: DueActivityDeadline[] = [];
    for (const member of members) {
      const parsed = parseActivityDeadlineMember(member);
      if (parsed === undefined) continue;
      const { ref, type } = parsed;
      const { instanceId, executionId, scheduleEventId } = ref;
      const failure = activityTimeoutFailure(type, deadlineTimeoutMs(ref, type));
      due.push({
        member,
        others: otherDeadlineMembers(ref, type),
        scheduleEventId,
        event: encodeEvent(newEvent('ActivityFailed', { error: failure }, scheduleEventId)),
        instanceId,
        executionId,
        execution: executionKey(prefix, partition, instanceId, executionId),
        inbox: inboxKey(prefix, partition, instanceId, executionId),
        workflowTasks: workflowTaskStreamKey(prefix, partition, ref.workflowQueue),
        executionTimers: executionTimersKey(prefix, partition, instanceId, executionId),
        activityTasks: activityTaskStreamKey(prefix, partition, ref.queue),
        heartbeats: heartbeatsKey(prefix, partition),
      });
    }
    if (due.length > 0) await this.#scripts.timeOutActivities(timersKey(prefix, partition), dueByMs, this.#group, due);
  }

  async #start(task: ActivityTask): Promise<ActivityTask[]> {
    const ref = refOf(task);
    if (ref === undefined || (ref.startToCloseTimeoutMs === 0 && ref.heartbeatTimeoutMs === 0)) return [task];
    const { prefix } = this.#context;
    const p = partitionIn(this.#context, task.instance.instanceId);
    const { entryId, deliveries } = parseActivityTaskHandle(task.id);
    const timeLeftMs = await this.#scripts.startActivityAttempt(
      { activityTasks: activityTaskStreamKey(prefix, p, task.queue), ...this.#keysOf(task) },
      {
        entryId,
        group: this.#group,
        deliveries,
        startToCloseMember: activityDeadlineMember(ref, 'startToClose'),
        startToCloseTimeoutMs: ref.startToCloseTimeoutMs,
        heartbeatMember: activityDeadlineMember(ref, 'heartbeat'),
        heartbeatTimeoutMs: ref.heartbeatTimeoutMs,
      },
    );
    return timeLeftMs === undefined ? [] : [Object.assign({}, task, { timeLeftMs })];
  }
}

/** The scheduleToClose timer a commit adds for an attempt it schedules, if the attempt has that bound. */
export function scheduleToCloseTimer(ref: ActivityDeadlineRef, deadline: Date | undefined): { dueMs: number; member: string } | undefined {
  const member = activityDeadlineMember(ref, 'scheduleToClose');
  return deadline === undefined || member === '' ? undefined : { dueMs: deadline.getTime(), member };
}

function refOf(task: ActivityTask): ActivityDeadlineRef | undefined {
  return task.timeouts === undefined ? undefined : activityDeadlineRef(task, task.timeouts);
}

/** True when `task` has a startToClose or heartbeat timeout: a deadline to start when it is claimed. */
function hasAttemptTimeouts(task: ActivityTask): boolean {
  return task.timeouts?.startToCloseTimeoutMs !== undefined || task.timeouts?.heartbeatTimeoutMs !== undefined;
}
