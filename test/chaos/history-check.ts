import { mapConcurrent } from '../../bench/concurrency.js';
import type { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import type { EventType, HistoryEvent } from '../../src/history/events.js';
import { instancesOf, type ChaosCase, type CheckedInstance } from './chaos-plan.js';
import type { CaseResult } from './chaos-report.js';
import { plannedFailures } from './chaos-workflows.js';

/** What the history checks of one chaos case found. */
export interface HistoryFindings {
  /** A completion or a signal recorded more than once. */
  duplicated: string[];
  /** Any other fault: a gap in sequence ids, a missing or misplaced finish, an unanswered or unknown command. */
  broken: string[];
  /** `ActivityCompleted` and `ActivityFailed` events, to weigh against the activity runs the workers reported. */
  activityOutcomes: number;
  /** Executions checked. */
  executions: number;
}

// Each command's scheduling event type and the completion types that answer it.
const COMPLETES: Partial<Record<EventType, EventType>> = {
  ActivityCompleted: 'ActivityScheduled',
  ActivityFailed: 'ActivityScheduled',
  TimerFired: 'TimerScheduled',
  TimerCanceled: 'TimerScheduled',
  SubWorkflowCompleted: 'SubWorkflowScheduled',
  SubWorkflowFailed: 'SubWorkflowScheduled',
  SignalDelivered: 'SignalSent',
  SignalFailed: 'SignalSent',
};
const SCHEDULES = new Set(Object.values(COMPLETES));
const FINISHES = new Set<EventType>(['WorkflowExecutionFinished', 'WorkflowExecutionContinuedAsNew']);

const count = (history: HistoryEvent[], type: EventType): number => history.filter((e) => e.type === type).length;

/**
 * Checks one execution's history: sequence ids 1..n, one start, one finish (or continue-as-new) and that
 * last, every command (its `scheduleEventId`) scheduled once and answered exactly once by a completion of its
 * kind. Chaos workflows await all they start, so an unanswered command is a fault too.
 */
export function checkExecution(label: string, history: HistoryEvent[], findings: HistoryFindings): void {
  const broken = (why: string): number => findings.broken.push(`${label}: ${why}`);
  if (history.some((e, i) => e.sequenceId !== i + 1)) broken(`sequence ids ${history.map((e) => e.sequenceId).join(',')} are not 1..${history.length}`);
  if (count(history, 'WorkflowExecutionStarted') !== 1) broken(`${count(history, 'WorkflowExecutionStarted')} start events`);
  const finishes = history.filter((e) => FINISHES.has(e.type));
  if (finishes.length !== 1 || !FINISHES.has(history.at(-1)?.type ?? 'WorkflowTaskStarted')) {
    broken(`${finishes.length} finish events, last event ${history.at(-1)?.type}`);
  }
  const scheduled = new Map<number, EventType>();
  for (const event of history.filter((e) => SCHEDULES.has(e.type))) {
    const id = event.scheduleEventId ?? 0;
    if (scheduled.has(id)) broken(`command ${id} scheduled twice (${event.type} #${event.sequenceId})`);
    scheduled.set(id, event.type);
  }
  const answers = new Map<number, number>();
  for (const event of history) {
    const scheduledAs = COMPLETES[event.type];
    if (scheduledAs === undefined) continue;
    const id = event.scheduleEventId ?? 0;
    if (scheduled.get(id) !== scheduledAs) broken(`${event.type} #${event.sequenceId} answers command ${id}, scheduled as ${scheduled.get(id)}`);
    answers.set(id, (answers.get(id) ?? 0) + 1);
  }
  for (const [id, type] of scheduled) {
    const n = answers.get(id) ?? 0;
    if (n > 1) findings.duplicated.push(`${label}: ${type} command ${id} answered ${n} times`);
    if (n === 0) broken(`${type} command ${id} never answered`);
  }
  findings.activityOutcomes += count(history, 'ActivityCompleted') + count(history, 'ActivityFailed');
  findings.executions++;
}

// Every execution of the instance, from `first` (its first execution, or its latest when only the id is known).
async function executions(client: Client, first: WorkflowInstance | { instanceId: string }): Promise<HistoryEvent[][]> {
  const histories = [await client.getWorkflowInstanceHistory(first)];
  for (let last = histories[0]?.at(-1); last?.type === 'WorkflowExecutionContinuedAsNew'; last = histories.at(-1)?.at(-1)) {
    histories.push(await client.getWorkflowInstanceHistory({ instanceId: first.instanceId, executionId: last.attributes.continuedExecutionId }));
  }
  return histories;
}

function checkFinal(label: string, history: HistoryEvent[], expected: CheckedInstance, c: ChaosCase, findings: HistoryFindings): void {
  const signals = count(history, 'SignalReceived');
  // A client signal sent again because Redis was unreachable may have been applied twice: the client's doing, not the engine's.
  const resent = expected.instanceId === c.instanceId ? (c.resentSignals ?? 0) : 0;
  if (signals > expected.signals + resent) findings.duplicated.push(`${label}: ${signals} signals received, ${expected.signals} sent`);
  if (signals < expected.signals) findings.broken.push(`${label}: ${signals} signals received, ${expected.signals} sent`);
  if (c.kind === 'steps' && expected.instanceId === c.instanceId) {
    const failed = count(history, 'ActivityFailed');
    if (failed !== plannedFailures(c.n)) findings.broken.push(`${label}: ${failed} failed attempts, ${plannedFailures(c.n)} planned`);
  }
}

/** Reads and checks every execution of the case `c` started as `instance`, and of its children; adds to `findings`. */
export async function checkCase(client: Client, c: ChaosCase, instance: WorkflowInstance | { instanceId: string }, findings: HistoryFindings): Promise<void> {
  for (const expected of instancesOf(c)) {
    const histories = await executions(client, expected.instanceId === instance.instanceId ? instance : { instanceId: expected.instanceId });
    histories.forEach((history, i) => checkExecution(`${expected.instanceId}#${i}`, history, findings));
    const final = histories.at(-1) ?? [];
    checkFinal(`${expected.instanceId}#${histories.length - 1}`, final, expected, c, findings);
  }
}

/** Checks the histories of every case in `results` that returned the right result, ten at a time. */
export async function checkCases(client: Client, results: CaseResult[]): Promise<HistoryFindings> {
  const findings: HistoryFindings = { duplicated: [], broken: [], activityOutcomes: 0, executions: 0 };
  const right = results.filter((r) => r.instance !== undefined);
  await mapConcurrent(right.length, 10, async (i) => {
    const { c, instance } = right[i] as CaseResult;
    if (instance !== undefined) await checkCase(client, c, instance, findings);
  });
  return findings;
}
