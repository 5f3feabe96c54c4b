import assert from 'node:assert/strict';
import { parseCommand } from '../../bench/cli.js';
import { expectedParentResult } from '../../bench/redflow/parents-workflows.js';
import { runBenchmark } from '../../bench/run-benchmark.js';
import type { ParentsSpec } from '../../bench/workload.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, assertSane } from './smoke.js';

describe('bench: parents workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();
  // 3 parents of 2 children each: 9 workflows, 6 activities.
  const spec: ParentsSpec = { kind: 'parents', runs: 3, children: 2, sleepMs: 20, concurrency: 2 };

  it('runs parents whose children and signal cross partitions on redflow, and skips BullMQ', async () => {
    // The driver checks every parent's result: its children's results plus the signal's value.
    const { results } = await runBenchmark({ spec, redisUrl: server().url, aof: 'off', workers: 1, partitions: 4, peer: 'bullmq', progress: false });
    assert.deepEqual(
      results.map((r) => r.system),
      ['redflow'],
      'BullMQ has no such workload',
    );
    const [redflow] = results;
    assertCompleted(redflow, 9, 6);
    // p50/p99 are parent completion times: one per parent, each at least a child's timer.
    assert.ok((redflow?.stepP50Ms ?? 0) >= spec.sleepMs, `p50 ${String(redflow?.stepP50Ms)}`);
    assert.ok((redflow?.stepP99Ms ?? 0) >= (redflow?.stepP50Ms ?? Infinity), `p99 ${String(redflow?.stepP99Ms)}`);
    // Every workflow runs at least two workflow tasks (start, and the wake-up that finishes it).
    assert.ok((redflow?.workflowTasks ?? 0) >= 18, `workflow tasks: ${String(redflow?.workflowTasks)}`);
    assertSane(redflow?.serverCommandsPerWorkflow, 'server commands per workflow');
    assertSane(redflow?.redisCpuUsPerWorkflow, 'Redis CPU per workflow');
    assertSane(redflow?.workerCpuSec, 'worker CPU');
  });

  it('runs on a local 3-master Redis Cluster', async () => {
    const { results } = await runBenchmark({ spec, aof: 'off', cluster: 3, workers: 1, partitions: 4, progress: false });
    assertCompleted(results[0], 9, 6);
  });

  it('parses the command line with the probe of issue 12 as its defaults', () => {
    assert.deepEqual(parseCommand(['parents']), {
      kind: 'workload',
      common: parseCommand(['chain']).common,
      spec: { kind: 'parents', runs: 50, children: 4, sleepMs: 50, concurrency: 100 },
    });
    const custom = parseCommand(['parents', '--runs', '7', '--children', '3', '--sleep-ms', '0', '--partitions', '8', '--cluster', '3']);
    assert.deepEqual(custom.kind === 'workload' ? custom.spec : undefined, { kind: 'parents', runs: 7, children: 3, sleepMs: 0, concurrency: 100 });
    assert.equal(custom.common.partitions, 8);
    assert.equal(custom.common.cluster, 3);
    assert.throws(() => parseCommand(['parents', '--children', '0']), /--children must be an integer >= 1/);
    // Redis Cluster needs three masters; fewer is refused before anything starts.
    assert.throws(() => parseCommand(['parents', '--cluster', '2']), /--cluster must be an integer >= 3/);
  });

  it('expects the sum of the child indices plus the signal value', () => {
    assert.equal(expectedParentResult(4, 0), 0 + 1 + 2 + 3);
    assert.equal(expectedParentResult(4, 17), 6 + 17);
    assert.equal(expectedParentResult(1, 5), 5);
  });
});
