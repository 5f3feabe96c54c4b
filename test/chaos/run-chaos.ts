import { pino } from 'pino';
import { mapConcurrent } from '../../bench/concurrency.js';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import { InstanceNotFoundError, WaitTimeoutError } from '../../src/errors/errors.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { CHAOS_KINDS, createCase, expectedResult, planCase, signalCase, type ChaosCase } from './chaos-plan.js';
import type { CaseResult, ChaosMode, ChaosReport, Outcome } from './chaos-report.js';
import { describeProblems } from './case-diagnosis.js';
import { Disruptions } from './disruptions.js';
import { checkCases } from './history-check.js';
import { seededRandom } from './seeded-random.js';
import { whileUnavailable } from './while-unavailable.js';
import { WorkerFleet } from './worker-fleet.js';

/** Options of `runChaos`. */
export interface ChaosOptions {
  mode: ChaosMode;
  workflows: number;
  /** Worker processes. In `data-loss` mode none is killed or restarted. */
  workers: number;
  /** Seeds the mix of workflows and the choice and timing of kills. */
  seed: number;
  /** Workflows in flight at a time. @default 50 */
  concurrency?: number;
  /** @default 4, so children and signals cross partitions */
  partitions?: number;
  /** How long a client waits for one workflow's result. @default 60_000 */
  resultTimeoutMs?: number;
  /** How soon after the data loss a client waiting on a lost workflow must be told so. @default 10_000 */
  lossNoticeMs?: number;
  /** Receives a progress line every few seconds. */
  progress?: (line: string) => void;
}

const quiet = pino({ level: 'silent' });
const NOT_TOLD = Symbol('not told');

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Runs `workflows` chaos workflows on `workers` worker processes against a private redis-server, disturbed as
 * `mode` says, and checks every outcome and history. Kills start once a quarter of the workflows started;
 * redis-server restarts once half of them started (in `data-loss` mode after the first half was created, so
 * that each workflow is plainly before or after the loss).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { mode, workflows, workers, seed, concurrency = 50, partitions = 4, resultTimeoutMs = 60_000, lossNoticeMs = 10_000 } = options;
  const startedAt = Date.now();
  const server = await startRedisServer({ aof: mode === 'aof' ? 'always' : 'off' });
  const prefix = `chaos-${seed}`;
  const backend = new RedisBackend({ redis: server.url, prefix, partitions, blockTimeoutMs: 200, logger: quiet });
  const client = new Client(backend);
  const fleet = new WorkerFleet({ redisUrl: server.url, prefix, partitions });
  const planRandom = seededRandom(seed);
  const cases = Array.from({ length: workflows }, (_, n) => planCase('wf', n, planRandom));
  const disruptions = new Disruptions(fleet, server, seededRandom(seed ^ 0x5bd1e995));
  const killFrom = mode === 'aof' ? Math.floor(workflows / 4) : Infinity;
  const restartAt = Math.floor(workflows / 2);
  const startsBeforeLoss: Array<Promise<unknown>> = [];
  let restart: Promise<void> | undefined;
  let lossHappened = (): void => undefined;
  // Settles `lossNoticeMs` after the data loss: a client still waiting on a lost workflow then was not told.
  const lossNoticeOver = new Promise<void>((resolve) => (lossHappened = resolve)).then(
    () => new Promise<typeof NOT_TOLD>((resolve) => setTimeout(() => resolve(NOT_TOLD), lossNoticeMs).unref()),
  );
  const settled: CaseResult[] = [];
  let checking = false;
  const ticker = setInterval(() => {
    const right = settled.filter((r) => r.outcome === 'right').length;
    const doing = checking ? 'checking histories' : `${fleet.kills} kills, ${disruptions.restarts} restarts`;
    options.progress?.(`  ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${settled.length}/${workflows} settled (${right} right), ${doing}`);
  }, 5_000);

  function restartOnce(): Promise<void> {
    restart ??= (async () => {
      // In data-loss mode, creations of the first half finish first: those workflows are lost, no later one is.
      if (mode === 'data-loss') await Promise.allSettled(startsBeforeLoss);
      await disruptions.restartRedis();
      lossHappened();
    })();
    return restart;
  }

  async function runCase(c: ChaosCase, beforeLoss: boolean): Promise<CaseResult> {
    const result = (outcome: Outcome, detail?: string): CaseResult => ({ c, outcome, beforeLoss, ...(detail === undefined ? {} : { detail }) });
    try {
      const start = (async () => {
        const instance = await createCase(client, c);
        await signalCase(client, c);
        return instance;
      })();
      if (beforeLoss) startsBeforeLoss.push(start);
      const instance = await start;
      const deadline = Date.now() + resultTimeoutMs;
      const waiting = whileUnavailable(() => client.getWorkflowResult<number>(instance, Math.max(0, deadline - Date.now())));
      const value = beforeLoss ? await Promise.race([waiting, lossNoticeOver]) : await waiting;
      if (value === NOT_TOLD) return result('hung', `started before the loss; its client was not told within ${lossNoticeMs} ms`);
      const expected = expectedResult(c);
      return value === expected ? { ...result('right'), instance } : result('wrong', `returned ${String(value)}, expected ${expected}`);
    } catch (err) {
      if (beforeLoss && err instanceof InstanceNotFoundError) return result('lost');
      return result(err instanceof WaitTimeoutError ? 'unfinished' : 'failed', errorText(err));
    }
  }

  try {
    for (let i = 0; i < workers; i++) fleet.start();
    await fleet.ready();
    const results = await mapConcurrent(workflows, concurrency, async (n) => {
      if (n === killFrom) disruptions.startKilling();
      if (n === restartAt && mode === 'aof') restartOnce().catch(() => undefined); // awaited below
      if (n >= restartAt && mode === 'data-loss') await restartOnce();
      const c = cases[n] as ChaosCase;
      const outcome = await runCase(c, mode === 'data-loss' && n < restartAt);
      settled.push(outcome);
      return outcome;
    });
    await restart;
    await disruptions.stop();
    await fleet.stopAll();
    checking = true;
    const findings = await checkCases(client, results.filter((r) => !r.beforeLoss));
    const faulty = results.filter((r) => r.outcome !== 'right' && r.outcome !== 'lost');
    const count = <K extends string>(keys: readonly K[], of: (r: CaseResult) => K, among = results): Record<K, number> =>
      Object.fromEntries(keys.map((key) => [key, among.filter((r) => of(r) === key).length])) as Record<K, number>;
    return {
      mode,
      seed,
      workflows,
      workers,
      kinds: count(CHAOS_KINDS, (r) => r.c.kind),
      problemKinds: count(CHAOS_KINDS, (r) => r.c.kind, faulty),
      outcomes: count(['right', 'wrong', 'failed', 'unfinished', 'lost', 'hung'], (r) => r.outcome),
      beforeLoss: results.filter((r) => r.beforeLoss).length,
      kills: fleet.kills,
      restarts: disruptions.restarts,
      duplicated: [...findings.duplicated, ...fleet.runCounts.duplicateFirstRuns.map((key) => `activity attempt ${key} handed out twice as a first delivery`)],
      broken: findings.broken,
      problems: await describeProblems(client, faulty),
      runs: fleet.runCounts,
      activityOutcomes: findings.activityOutcomes,
      checkedExecutions: findings.executions,
      unexpectedExits: fleet.unexpectedExits,
      workerLogs: fleet.logs,
      wallTimeMs: Date.now() - startedAt,
    };
  } finally {
    clearInterval(ticker);
    await disruptions.stop();
    await fleet.stopAll();
    await backend.close();
    await server.stop();
  }
}
