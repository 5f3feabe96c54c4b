import { ScriptRunner, type RedisClient } from './script-runner.js';
import type { DueTimer } from './scripts.js';

/** Keys of `startActivityAttempt`. */
export interface StartActivityAttemptKeys {
  activityTasks: string;
  timers: string;
  executionTimers: string;
}

/** Arguments of `startActivityAttempt`: a deadline member is '' when the attempt lacks that bound. */
export interface StartActivityAttemptArgs {
  entryId: string;
  group: string;
  /** Delivery count of the entry when the caller claimed it: the task's fencing token. */
  deliveries: number;
  startToCloseMember: string;
  startToCloseTimeoutMs: number;
  heartbeatMember: string;
  heartbeatTimeoutMs: number;
}

/**
 * One attempt handed to `timeOutActivities`, for its due deadline `member`, delivered as a due timer is, but
 * with an encoded `ActivityFailed` as its `event`.
 */
export interface DueActivityDeadline extends DueTimer {
  /** The attempt's other deadline members ('' for those it lacks). */
  others: string[];
  scheduleEventId: number;
  activityTasks: string;
  heartbeats: string;
}

/** Typed calls of the scripts that start and fire activity deadlines. */
export class ActivityDeadlineScripts {
  readonly #runner: ScriptRunner;

  constructor(client: RedisClient) {
    this.#runner = new ScriptRunner(client);
  }

  /**
   * Runs start-activity-attempt.lua: the ms left on the startToClose and heartbeat deadlines (undefined for one
   * the attempt lacks), or undefined when the caller does not hold the entry.
   */
  async startActivityAttempt(
    keys: StartActivityAttemptKeys,
    args: StartActivityAttemptArgs,
  ): Promise<{ startToClose?: number; heartbeat?: number } | undefined> {
    const k = [keys.activityTasks, keys.timers, keys.executionTimers];
    const a = [args.entryId, args.group, args.deliveries, args.startToCloseMember, args.startToCloseTimeoutMs, args.heartbeatMember, args.heartbeatTimeoutMs];
    const reply = (await this.#runner.run('start-activity-attempt', k, a)) as [number, number] | null;
    if (reply === null) return undefined;
    const [startToClose, heartbeat] = reply;
    return Object.assign({}, startToClose < 0 ? {} : { startToClose }, heartbeat < 0 ? {} : { heartbeat });
  }

  /** Runs time-out-activities.lua; returns how many ActivityFailed events were delivered. */
  async timeOutActivities(timers: string, dueByMs: number, group: string, due: readonly DueActivityDeadline[]): Promise<number> {
    const k = [timers, ...due.flatMap((d) => [d.execution, d.inbox, d.workflowTasks, d.executionTimers, d.activityTasks, d.heartbeats])];
    const a = [
      dueByMs,
      group,
      due.length,
      ...due.flatMap((d) => [d.member, d.others[0] ?? '', d.others[1] ?? '', d.scheduleEventId, d.event, d.instanceId, d.executionId]),
    ];
    return (await this.#runner.run('time-out-activities', k, a)) as number;
  }
}
