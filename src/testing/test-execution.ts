import { decodeEvent, decodeHistoryEvent, encodeEvent } from '../codec/event-codec.js';
import type { WorkflowInstance } from '../core/instance.js';
import type { Executor } from '../executor/executor.js';
import type { HistoryEvent, NewEvent } from '../history/events.js';
import type { TestedExecution } from './tester-types.js';

/** The executions of one instance id, linked by continue-as-new; requests to the instance go to `latest`. */
export interface ExecutionChain {
  latest: TestExecution;
  all: TestExecution[];
}

/** One execution the tester runs: its history, its inbox of events not yet applied, its state. */
export interface TestExecution {
  readonly instance: WorkflowInstance;
  readonly name: string;
  state: TestedExecution['state'];
  readonly history: HistoryEvent[];
  readonly inbox: NewEvent[];
  readonly chain: ExecutionChain;
  /** True while it waits in the tester's run queue. */
  queued: boolean;
  /** Its executor between tasks, when the tester does not replay every task. */
  executor?: Executor;
}

/** A new active execution with `started` first in its inbox, the latest of `chain` (a new chain by default). */
export function newExecution(instance: WorkflowInstance, started: NewEvent & { type: 'WorkflowExecutionStarted' }, chain?: ExecutionChain): TestExecution {
  const execution: TestExecution = {
    instance: { instanceId: instance.instanceId, executionId: instance.executionId },
    name: started.attributes.name,
    state: 'active',
    history: [],
    inbox: [roundTrip(started)],
    chain: chain ?? { latest: undefined as unknown as TestExecution, all: [] },
    queued: false,
  };
  execution.chain.latest = execution;
  execution.chain.all.push(execution);
  return execution;
}

/** `event` as the store gives it back: what workflow code receives is what it would in production. */
export function roundTrip<E extends NewEvent>(event: E): E {
  return decodeEvent(encodeEvent(event)) as E;
}

/** `event` (stamped with the virtual time `atMs`) as stored in a history. */
export function storedHistoryEvent(event: HistoryEvent, atMs: number): HistoryEvent {
  return decodeHistoryEvent(encodeEvent({ ...event, timestamp: new Date(atMs) }), event.sequenceId);
}

/** A public snapshot of `execution`. */
export function snapshot(execution: TestExecution): TestedExecution {
  return { instance: { ...execution.instance }, name: execution.name, state: execution.state, history: [...execution.history] };
}

const ANSWERS: ReadonlySet<string> = new Set([
  'ActivityCompleted',
  'ActivityFailed',
  'TimerFired',
  'TimerCanceled',
  'SubWorkflowCompleted',
  'SubWorkflowFailed',
  'SignalDelivered',
  'SignalFailed',
]);

/**
 * What an active execution waits on, read from its history: the commands it scheduled that have no answer
 * yet (activities, timers, sub-workflows, signals sent); when there are none, a signal or a cancellation.
 */
export function waitsOn(execution: TestExecution): string {
  const pending = new Map<number, string>();
  for (const event of execution.history) {
    const id = event.scheduleEventId;
    if (id === undefined) continue;
    if (ANSWERS.has(event.type)) pending.delete(id);
    else if (event.type === 'ActivityScheduled') pending.set(id, `activity ${event.attributes.name} (attempt ${event.attributes.attempt})`);
    else if (event.type === 'TimerScheduled') {
      const name = event.attributes.name === undefined ? '' : ` ${event.attributes.name}`;
      pending.set(id, `timer${name} due at ${event.attributes.firesAt.toISOString()}`);
    } else if (event.type === 'SubWorkflowScheduled') {
      pending.set(id, `sub-workflow ${event.attributes.name} (instance ${event.attributes.instanceId})`);
    } else if (event.type === 'SignalSent') pending.set(id, `delivery of signal ${event.attributes.name} to ${event.attributes.instanceId}`);
  }
  const what = pending.size > 0 ? [...pending.values()].join(', ') : 'a signal or a cancellation (no activity, timer or sub-workflow is pending)';
  return `workflow ${execution.name} (instance ${execution.instance.instanceId}, execution ${execution.instance.executionId}) waits on ${what}`;
}
