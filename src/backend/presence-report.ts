import type { BackendStats, TaskKind, UnservedName, UnservedQueue, WorkerInfo } from './management-types.js';

/** What `getStats` reports about workers: `BackendStats.liveWorkers`, `unservedQueues` and `unservedNames`. */
export type PresenceReport = Pick<BackendStats, 'liveWorkers' | 'unservedQueues' | 'unservedNames'>;

/** What `presenceReport` joins: the pending tasks per queue, the live workers, the recently recorded unknown names. */
export interface PresenceInputs {
  pendingWorkflowTasks: Record<string, number>;
  pendingActivityTasks: Record<string, number>;
  workers: readonly WorkerInfo[];
  /** Names recorded by `recordUnknownName` within `UNKNOWN_NAME_RETENTION_MS`. */
  unknownNames: readonly UnservedName[];
}

/**
 * The one join of both backends' `getStats`: a queue is unserved for a kind of task when it has pending tasks of
 * that kind and no live worker polls that kind on it; a recorded name is unserved when no live worker that polls
 * its kind on its queue registered it.
 */
export function presenceReport(inputs: PresenceInputs): PresenceReport {
  const unservedQueues: UnservedQueue[] = [];
  const pending: Array<[TaskKind, Record<string, number>]> = [
    ['workflow', inputs.pendingWorkflowTasks],
    ['activity', inputs.pendingActivityTasks],
  ];
  for (const [kind, counts] of pending) {
    for (const [queue, pendingTasks] of Object.entries(counts)) {
      if (pendingTasks > 0 && !inputs.workers.some((worker) => polls(worker, kind, queue))) unservedQueues.push({ queue, kind, pendingTasks });
    }
  }
  const unservedNames = inputs.unknownNames.filter(
    ({ kind, queue, name }) => !inputs.workers.some((worker) => polls(worker, kind, queue) && registered(worker, kind).includes(name)),
  );
  return {
    liveWorkers: inputs.workers.length,
    unservedQueues: unservedQueues.sort((a, b) => compare(a.queue, b.queue) || compare(kindOrder(a.kind), kindOrder(b.kind))),
    unservedNames: unservedNames
      .map((entry) => ({ ...entry }))
      .sort((a, b) => compare(a.queue, b.queue) || compare(kindOrder(a.kind), kindOrder(b.kind)) || compare(a.name, b.name)),
  };
}

function polls(worker: WorkerInfo, kind: TaskKind, queue: string): boolean {
  return (kind === 'workflow' ? worker.pollsWorkflowTasks : worker.pollsActivityTasks) && worker.queues.includes(queue);
}

function registered(worker: WorkerInfo, kind: TaskKind): readonly string[] {
  return kind === 'workflow' ? worker.workflows : worker.activities;
}

function kindOrder(kind: TaskKind): string {
  return kind === 'workflow' ? '0' : '1';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
