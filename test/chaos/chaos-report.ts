import type { WorkflowInstance } from '../../src/core/instance.js';
import type { ChaosCase, ChaosKind } from './chaos-plan.js';
import type { LogSummary, RunCounts } from './worker-fleet.js';

/** How a chaos run disturbs Redis: a crash restart with AOF `appendfsync always`, or one that loses all data. */
export type ChaosMode = 'aof' | 'data-loss';

/**
 * What became of one workflow. `lost`: started before the data loss, and its client was told
 * `InstanceNotFoundError`; `hung`: the same, but its client was not told within the run's `lossNoticeMs`.
 */
export type Outcome = 'right' | 'wrong' | 'failed' | 'unfinished' | 'lost' | 'hung';

/** One workflow's outcome; `detail` says what went wrong. */
export interface CaseResult {
  c: ChaosCase;
  outcome: Outcome;
  /** Started before the data loss (data-loss mode only). */
  beforeLoss: boolean;
  /** The instance as created, when it returned the right result: its histories are checked. */
  instance?: WorkflowInstance | { instanceId: string };
  detail?: string;
}

/** Everything a chaos run counted and found. */
export interface ChaosReport {
  mode: ChaosMode;
  seed: number;
  workflows: number;
  workers: number;
  kinds: Record<ChaosKind, number>;
  /** Workflows of each kind that did not end as they must. */
  problemKinds: Record<ChaosKind, number>;
  outcomes: Record<Outcome, number>;
  /** Workflows started before the data loss (data-loss mode). */
  beforeLoss: number;
  kills: number;
  restarts: number;
  /** Completions or signals recorded twice, and activity attempts handed out twice as first deliveries. */
  duplicated: string[];
  /** Other history faults (gaps, finishes, unanswered commands). */
  broken: string[];
  /** The workflows that did not end as they must, with what the store says of them. */
  problems: string[];
  runs: RunCounts;
  /** Activity outcomes in the checked histories. */
  activityOutcomes: number;
  /** Histories checked (every execution, children included). */
  checkedExecutions: number;
  unexpectedExits: string[];
  workerLogs: Map<string, LogSummary>;
  wallTimeMs: number;
}

/** The failed checks of a run: empty when it passed. */
export function failedChecks(report: ChaosReport): string[] {
  const failed: string[] = [];
  const { outcomes } = report;
  const bad = outcomes.wrong + outcomes.failed + outcomes.unfinished + outcomes.hung;
  if (bad > 0) {
    const kinds = Object.entries(report.problemKinds).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
    failed.push(`${bad} workflows did not end as they must (wrong ${outcomes.wrong}, failed ${outcomes.failed}, unfinished ${outcomes.unfinished}, hung ${outcomes.hung}; by kind: ${kinds.join(', ')})`);
  }
  if (report.mode === 'aof' && outcomes.lost > 0) failed.push(`${outcomes.lost} workflows lost with AOF always`);
  if (report.duplicated.length > 0) failed.push(`${report.duplicated.length} duplicates`);
  if (report.broken.length > 0) failed.push(`${report.broken.length} broken histories`);
  if (report.unexpectedExits.length > 0) failed.push(`workers exited on their own: ${report.unexpectedExits.join('; ')}`);
  if (report.mode === 'aof' && report.runs.runs < report.activityOutcomes) {
    failed.push(`${report.activityOutcomes} activity outcomes recorded but only ${report.runs.runs} runs reported`);
  }
  return failed;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function listed(title: string, lines: string[], max = 20): string[] {
  if (lines.length === 0) return [];
  const more = lines.length > max ? [`  ... and ${lines.length - max} more`] : [];
  return [`${title}:`, ...lines.slice(0, max).map((line) => `  ${line}`), ...more];
}

/** The run as text: the figures, then (when a check failed) what failed, the faulty workflows and the worker logs. */
export function formatReport(report: ChaosReport): string {
  const { outcomes, runs } = report;
  const kinds = Object.entries(report.kinds).map(([kind, n]) => `${kind} ${n}`).join(', ');
  const redis = report.mode === 'aof' ? 'crash restart with AOF appendfsync always' : 'restart without its data';
  const afterLoss = report.workflows - report.beforeLoss;
  const lines = [
    `chaos ${report.mode}: seed ${report.seed}, ${report.workflows} workflows (${kinds}), ${report.workers} workers`,
    `  disruptions: ${report.kills} worker kills (SIGKILL), ${report.restarts} redis-server ${redis}`,
    `  right ${outcomes.right}, wrong ${outcomes.wrong}, failed ${outcomes.failed}, unfinished ${outcomes.unfinished}, lost ${outcomes.lost}` +
      (report.mode === 'data-loss' ? ` (of ${report.beforeLoss} started before the loss; ${afterLoss} started after), hung ${outcomes.hung}` : ''),
    `  duplicated ${report.duplicated.length}, broken histories ${report.broken.length} (${report.checkedExecutions} executions checked)`,
    `  activity runs ${runs.runs} (redelivered after a kill ${runs.redelivered}), outcomes recorded ${report.activityOutcomes}`,
    `  wall time ${seconds(report.wallTimeMs)}`,
  ];
  const failed = failedChecks(report);
  if (failed.length === 0) return [...lines, '  PASS'].join('\n');
  const logs = [...report.workerLogs.entries()].sort((a, b) => b[1].count - a[1].count).map(([key, { count, sample }]) => `${count}x ${key}\n      e.g. ${sample}`);
  return [
    ...lines,
    `  FAIL: ${failed.join('; ')}`,
    ...listed('workflows that did not end as they must', report.problems),
    ...listed('duplicates', report.duplicated),
    ...listed('broken histories', report.broken),
    ...listed('worker logs (warn and above), most frequent first', logs, 15),
  ].join('\n');
}
