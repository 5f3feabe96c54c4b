import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ActivityTask, Backend, WorkflowTask, WorkflowTaskCompletion } from '../../src/backend/backend.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import type { CarriedEvent } from '../../src/history/carry-over.js';
import { newEvent, type HistoryEvent, type NewEvent, type NewEventOf } from '../../src/history/events.js';

/** Options a conformance test may ask its backend for. */
export interface ConformanceBackendOptions {
  /** Delete ended executions this long (ms) after they end. */
  retentionMs?: number;
}

/** Creates a fresh, empty backend for one test; the suite closes it. */
export type BackendFactory = (options?: ConformanceBackendOptions) => Promise<Backend>;

/** Lease the suite's polls ask for. */
export const LOCK_MS = 5_000;

/** A fresh instance id and execution id. */
export function instance(): WorkflowInstance {
  return { instanceId: `conf-${randomUUID()}`, executionId: randomUUID() };
}

/** A `WorkflowExecutionStarted` event of workflow `wf` on `queue`. */
export function started(queue = 'default', timestamp = new Date()): NewEventOf<'WorkflowExecutionStarted'> {
  const event = newEvent('WorkflowExecutionStarted', { name: 'wf', queue, inputs: [1, 'two'] }, undefined, timestamp);
  return event as NewEventOf<'WorkflowExecutionStarted'>;
}

/** Sequence-numbers `events` after `task`'s history. */
export function numbered(task: WorkflowTask, events: NewEvent[]): HistoryEvent[] {
  return events.map((event, i) => ({ ...event, sequenceId: task.historyLength + i + 1 }));
}

/** A completion recording `WorkflowTaskStarted` and the task's new events, with `extra` on top. */
export function completion(task: WorkflowTask, extra: Partial<WorkflowTaskCompletion> = {}): WorkflowTaskCompletion {
  const events = numbered(task, [newEvent('WorkflowTaskStarted', {}), ...task.newEvents]);
  return { events, activities: [], timers: [], canceledTimers: [], state: 'active', ...extra };
}

/** A completion that ends the execution with `result` (state finished). */
export function finishing(task: WorkflowTask, result: unknown, extra: Partial<WorkflowTaskCompletion> = {}): WorkflowTaskCompletion {
  const events = numbered(task, [
    newEvent('WorkflowTaskStarted', {}),
    ...task.newEvents,
    newEvent('WorkflowExecutionFinished', { result }),
  ]);
  return { events, activities: [], timers: [], canceledTimers: [], state: 'finished', ...extra };
}

/** A completion that continues `task`'s execution as `next`, which inherits `carried`. */
export function continuing(task: WorkflowTask, next: WorkflowInstance, carried: CarriedEvent[] = []): WorkflowTaskCompletion {
  const events = numbered(task, [
    newEvent('WorkflowTaskStarted', {}),
    ...task.newEvents,
    newEvent('WorkflowExecutionContinuedAsNew', { continuedExecutionId: next.executionId }),
  ]);
  return {
    events,
    activities: [],
    timers: [],
    canceledTimers: [],
    state: 'continued-as-new',
    continuation: { instance: next, started: started(), carried },
  };
}

/** A completion that schedules activity `act` (attempt 0, inputs `[seid]`) on `queue` as command `seid`. */
export function activityScheduled(task: WorkflowTask, seid: number, queue = 'default'): Partial<WorkflowTaskCompletion> {
  return {
    events: numbered(task, [
      newEvent('WorkflowTaskStarted', {}),
      ...task.newEvents,
      newEvent('ActivityScheduled', { name: 'act', queue, inputs: [seid], attempt: 0 }, seid),
    ]),
    activities: [{ scheduleEventId: seid, name: 'act', queue, inputs: [seid], attempt: 0 }],
  };
}

/** Options of the harness's workflow-task polls. */
export interface PollOptions {
  queues?: string[];
  max?: number;
  waitMs?: number;
  lockMs?: number;
  known?: number;
}

/** Drives the backend under test by hand, through the `Backend` interface only. */
export interface Harness {
  poll: (options?: PollOptions) => Promise<WorkflowTask[]>;
  pollOne: (options?: PollOptions) => Promise<WorkflowTask>;
  pollActivities: (options?: { queues?: string[]; waitMs?: number; lockMs?: number }) => Promise<ActivityTask[]>;
  /** Creates an instance and commits its first task with `extra`. */
  startAndComplete: (inst: WorkflowInstance, extra?: Partial<WorkflowTaskCompletion>) => Promise<WorkflowTask>;
  /** Creates an instance and finishes it in its first task. */
  startAndFinish: (inst: WorkflowInstance, result?: unknown) => Promise<void>;
}

// A poll may come back empty before its signal aborts (after one blocking read): poll again until then.
async function untilSomething<T>(waitMs: number, once: (signal: AbortSignal) => Promise<T[]>): Promise<T[]> {
  const signal = AbortSignal.timeout(waitMs);
  for (;;) {
    const tasks = await once(signal);
    if (tasks.length > 0 || signal.aborted) return tasks;
  }
}

/** A harness for whichever backend `current` returns at the time of each call. */
export function harness(current: () => Backend): Harness {
  const poll = (options: PollOptions = {}): Promise<WorkflowTask[]> =>
    untilSomething(options.waitMs ?? 2_000, (signal) =>
      current().pollWorkflowTasks({
        queues: options.queues ?? ['default'],
        max: options.max ?? 10,
        lockTimeoutMs: options.lockMs ?? LOCK_MS,
        signal,
        knownHistoryLength: () => options.known ?? 0,
      }),
    );
  const pollOne = async (options: PollOptions = {}): Promise<WorkflowTask> => {
    const tasks = await poll({ max: 1, ...options });
    assert.equal(tasks.length, 1, 'expected one workflow task');
    return tasks[0] as WorkflowTask;
  };
  return {
    poll,
    pollOne,
    pollActivities: (options = {}) =>
      untilSomething(options.waitMs ?? 2_000, (signal) =>
        current().pollActivityTasks({ queues: options.queues ?? ['default'], max: 10, lockTimeoutMs: options.lockMs ?? LOCK_MS, signal }),
      ),
    startAndComplete: async (inst, extra = {}) => {
      await current().createWorkflowInstance(inst, started());
      const task = await pollOne();
      await current().completeWorkflowTask(task, completion(task, extra));
      return task;
    },
    startAndFinish: async (inst, result = null) => {
      await current().createWorkflowInstance(inst, started());
      const task = await pollOne();
      await current().completeWorkflowTask(task, finishing(task, result));
    },
  };
}
