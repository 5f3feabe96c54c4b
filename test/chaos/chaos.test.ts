import assert from 'node:assert/strict';
import { failedChecks, formatReport } from './chaos-report.js';
import { runChaos } from './run-chaos.js';

// The small chaos run of `npm test`; `npm run chaos` runs the large one. CHAOS_SEED repeats a run's mix and kills.
const seed = Number(process.env.CHAOS_SEED ?? 9);
const WORKFLOWS = 100;

describe('chaos: mixed workflows on worker processes killed with SIGKILL, and redis-server restarted', function () {
  this.timeout(100_000);

  it(`aof: ${WORKFLOWS} workflows finish with the right results and whole histories through kills and a crash restart`, async () => {
    const report = await runChaos({ mode: 'aof', workflows: WORKFLOWS, workers: 2, seed, concurrency: 20, resultTimeoutMs: 60_000 });
    assert.deepEqual(failedChecks(report), [], formatReport(report));
    assert.equal(report.outcomes.right, WORKFLOWS, formatReport(report));
    assert.ok(report.kills >= 1, 'workers were killed while workflows ran');
    assert.equal(report.restarts, 1);
    assert.ok(report.checkedExecutions > WORKFLOWS, 'children and continued executions were checked too');
  });

  it(`data-loss: with one worker that is never restarted, every workflow started after the data was lost finishes right`, async () => {
    const report = await runChaos({ mode: 'data-loss', workflows: WORKFLOWS, workers: 1, seed, concurrency: 20, resultTimeoutMs: 30_000 });
    assert.deepEqual(failedChecks(report), [], formatReport(report));
    assert.equal(report.outcomes.right + report.outcomes.lost, WORKFLOWS, formatReport(report));
    assert.equal(report.restarts, 1);
    assert.equal(report.kills, 0);
  });
});
