import { pino } from 'pino';
import { mapConcurrent } from '../../bench/concurrency.js';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import type { ReplicaAcks } from '../../src/backend/redis/options.js';
import { Client } from '../../src/client/client.js';
import { InstanceNotFoundError, WaitTimeoutError } from '../../src/errors/errors.js';
import { createCase, expectedResult, planCase, signalCase, type ChaosCase } from '../chaos/chaos-plan.js';
import { checkCases, type HistoryFindings } from '../chaos/history-check.js';
import type { CaseResult, Outcome } from '../chaos/chaos-report.js';
import { describeProblems } from '../chaos/case-diagnosis.js';
import { seededRandom } from '../chaos/seeded-random.js';
import { whileUnavailable } from '../chaos/while-unavailable.js';
import { WorkerFleet } from '../chaos/worker-fleet.js';
import type { RedisCluster } from '../helpers/redis-cluster.js';

/** Options of `runOnCluster`. */
export interface ClusterRunOptions {
  cluster: RedisCluster;
  /** Workflows of the chaos mix (activities, timers, signals, children, continue-as-new). */
  workflows: number;
  /** Worker processes. @default 2 */
  workers?: number;
  /** @default 8: more partitions than shards, so messages cross shards */
  partitions?: number;
  /** The backend option of the workers and the client. @default none */
  replicaAcks?: ReplicaAcks;
  /**
   * Run once `disruptAfter` workflows were created, while the rest are created and all of them run;
   * `unfinished()` says how many have not returned their result yet.
   */
  disrupt: (run: { unfinished(): number }) => Promise<void>;
  /** @default a third of `workflows` */
  disruptAfter?: number;
  /** How long the test waits for each workflow's result. @default 40_000 */
  resultTimeoutMs?: number;
  seed?: number;
}

/** What became of a run's workflows. */
export interface ClusterRunReport {
  outcomes: Record<Outcome, number>;
  findings: HistoryFindings;
  /** The workflows that did not return their result, with where they stand. */
  problems: string[];
  /** The fleet's workers that exited on their own. */
  unexpectedExits: string[];
  /** Activity runs reported against outcomes recorded: fewer runs than outcomes means a run was invented. */
  activityRuns: number;
  /** Creations the client retried after `BackendUnavailableError`. */
  retriedCreations: number;
  /** The workers' warnings and errors, most frequent first. */
  workerLogs: string[];
}

const quiet = pino({ level: 'silent' });

/**
 * Runs `workflows` chaos-mix workflows on worker processes connected to `cluster` and, once `disruptAfter` of
 * them were created, `disrupt()`; waits for every result (retrying calls while the cluster is unavailable, as
 * a client in production would) and checks every history. Kills the workers and closes the client at the end.
 */
export async function runOnCluster(options: ClusterRunOptions): Promise<ClusterRunReport> {
  const { cluster, workflows, workers = 2, partitions = 8, replicaAcks, seed = Date.now() % 100_000, resultTimeoutMs = 40_000 } = options;
  const disruptAfter = options.disruptAfter ?? Math.floor(workflows / 3);
  const prefix = `cluster-run-${seed}-${Math.random().toString(36).slice(2, 8)}`;
  const fleet = new WorkerFleet(Object.assign({ redisUrl: '', prefix, partitions, cluster: cluster.startupNodes }, replicaAcks === undefined ? {} : { replicaAcks }));
  const client = cluster.connect();
  let backend: RedisBackend;
  try {
    backend = new RedisBackend(Object.assign({ redis: client, prefix, partitions, blockTimeoutMs: 200, logger: quiet }, replicaAcks === undefined ? {} : { replicaAcks }));
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const engine = new Client(backend);
  const random = seededRandom(seed);
  const cases = Array.from({ length: workflows }, (_, n) => planCase(prefix, n, random));
  let retriedCreations = 0;
  let disruption: Promise<void> | undefined;
  let done = 0;
  try {
    for (let i = 0; i < workers; i++) fleet.start();
    await fleet.ready();
    const results = await mapConcurrent(workflows, 20, async (n): Promise<CaseResult> => {
      if (n === disruptAfter) disruption = options.disrupt({ unfinished: () => workflows - done });
      const c = cases[n] as ChaosCase;
      const result = (outcome: Outcome, detail?: string): CaseResult => Object.assign({ c, outcome, beforeLoss: false }, detail === undefined ? {} : { detail });
      try {
        const instance = await createCase(engine, c);
        if (!('executionId' in instance)) retriedCreations++;
        await signalCase(engine, c);
        const deadline = Date.now() + resultTimeoutMs;
        const value = await whileUnavailable(() => engine.getWorkflowResult<number>(instance, Math.max(0, deadline - Date.now())));
        const expected = expectedResult(c);
        done++;
        return value === expected ? Object.assign(result('right'), { instance }) : result('wrong', `returned ${String(value)}, expected ${expected}`);
      } catch (err) {
        const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (err instanceof InstanceNotFoundError) return result('lost', text);
        return result(err instanceof WaitTimeoutError ? 'unfinished' : 'failed', text);
      }
    });
    await disruption;
    const findings = await checkCases(engine, results);
    const outcomes = Object.fromEntries(
      (['right', 'wrong', 'failed', 'unfinished', 'lost', 'hung'] as const).map((o) => [o, results.filter((r) => r.outcome === o).length]),
    ) as Record<Outcome, number>;
    const faulty = results.filter((r) => r.outcome !== 'right');
    return {
      outcomes,
      findings,
      problems: await describeProblems(engine, faulty, 5),
      unexpectedExits: fleet.unexpectedExits,
      activityRuns: fleet.runCounts.runs,
      retriedCreations,
      workerLogs: [...fleet.logs.entries()].sort((a, b) => b[1].count - a[1].count).map(([key, { count, sample }]) => `${count}x ${key}: ${sample}`),
    };
  } finally {
    await disruption?.catch(() => undefined);
    await fleet.stopAll();
    await backend.close();
    client.disconnect();
  }
}

/** The report's faults as lines, empty when every workflow returned its result and every history is whole. */
export function faultsOf(report: ClusterRunReport): string[] {
  const { outcomes, findings } = report;
  const faults: string[] = [];
  const bad = outcomes.wrong + outcomes.failed + outcomes.unfinished + outcomes.lost + outcomes.hung;
  if (bad > 0) faults.push(`${bad} workflows did not return their result: ${JSON.stringify(outcomes)}`, ...report.problems);
  if (findings.duplicated.length > 0) faults.push(`duplicates: ${findings.duplicated.slice(0, 10).join('; ')}`);
  if (findings.broken.length > 0) faults.push(`broken histories: ${findings.broken.slice(0, 10).join('; ')}`);
  if (report.unexpectedExits.length > 0) faults.push(`workers exited: ${report.unexpectedExits.join('; ')}`);
  if (report.activityRuns < findings.activityOutcomes) faults.push(`${findings.activityOutcomes} activity outcomes but ${report.activityRuns} runs`);
  if (faults.length > 0) faults.push('worker logs:', ...report.workerLogs.slice(0, 10));
  return faults;
}
