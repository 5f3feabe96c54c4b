import { decodeEvent, decodeHistoryEvent, encodeEvent } from '../codec/event-codec.js';
import type { WorkflowInstance } from '../core/instance.js';
import type { Executor } from '../executor/executor.js';
import type { HistoryEvent, NewEvent } from '../history/events.js';
import { pendingWork } from './pending-work.js';
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

/** A new active execution of workflow `name`, with an empty history and inbox, the latest of `chain` (a new chain by default). */
export function newExecution(instance: WorkflowInstance, name: string, chain?: ExecutionChain): TestExecution {
  const execution: TestExecution = {
    instance: { instanceId: instance.instanceId, executionId: instance.executionId },
    name,
    state: 'active',
    history: [],
    inbox: [],
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
  return decodeHistoryEvent(encodeEvent(Object.assign({}, event, { timestamp: new Date(atMs) })), event.sequenceId);
}

/** A public snapshot of `execution`. */
export function snapshot(execution: TestExecution): TestedExecution {
  return { instance: { ...execution.instance }, name: execution.name, state: execution.state, history: [...execution.history] };
}

/**
 * What an active execution waits on, read from its history: the commands it scheduled that have no answer
 * yet (activities, timers, sub-workflows, signals sent); when there are none, a signal or a cancellation.
 */
export function waitsOn(execution: TestExecution): string {
  const work = pendingWork(execution.history);
  const pending = [
    ...work.activities.map((activity) => `activity ${activity.name} (attempt ${activity.attempt})`),
    ...work.timers.map((timer) => `timer due at ${timer.firesAt.toISOString()}`),
    ...work.subWorkflows.map(({ attributes }) => `sub-workflow ${attributes.name} (instance ${attributes.instanceId})`),
    ...work.signals.map(({ attributes }) => `delivery of signal ${attributes.name} to ${attributes.instanceId}`),
  ];
  const what = pending.length > 0 ? pending.join(', ') : 'a signal or a cancellation (no activity, timer or sub-workflow is pending)';
  return `workflow ${execution.name} (instance ${execution.instance.instanceId}, execution ${execution.instance.executionId}) waits on ${what}`;
}
