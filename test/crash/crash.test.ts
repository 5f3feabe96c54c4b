import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { testLogger } from '../helpers/engine.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { crashWorkflow } from './crash-workflows.js';
import { kill, startWorker, type WorkerProcess } from './worker-process.js';

const WORKFLOWS = 50;

describe('crash recovery: kill -9 a worker in the middle of activities and workflow tasks', function () {
  this.timeout(90_000);
  const server = useRedisServer();
  const workers: WorkerProcess[] = [];
  let backend: RedisBackend;
  let prefix: string;

  beforeEach(() => {
    prefix = `crash-${randomUUID()}`;
    backend = new RedisBackend({ redis: server().url, prefix, logger: testLogger });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await kill(worker);
    await backend.close();
  });

  it(`finishes all ${WORKFLOWS} workflows with every activity completion recorded once`, async () => {
    const client = new Client(backend);
    const first = startWorker(server().url, prefix);
    workers.push(first);
    await first.waitFor('ready', 1, 20_000);

    const instances: Array<WorkflowInstance<number>> = [];
    for (let i = 0; i < WORKFLOWS; i++) {
      instances.push(await client.createWorkflowInstance({ instanceId: `crash-${i}` }, crashWorkflow, i));
    }

    // Kill it while a workflow task is being executed and activities are running.
    await first.waitFor('workflow-busy', 1, 30_000);
    assert.ok((first.seen.get('activity-start') ?? 0) > 0);
    await kill(first);
    const finishedBeforeKill = await Promise.all(instances.map((inst) => client.getWorkflowInstanceState(inst)));
    assert.ok(finishedBeforeKill.some((state) => state === 'active'), 'the kill interrupted unfinished workflows');

    const second = startWorker(server().url, prefix);
    workers.push(second);
    const results = await Promise.all(instances.map((inst) => client.getWorkflowResult(inst, 60_000)));
    results.forEach((result, i) => assert.equal(result, 8 * i + 8, `result of workflow ${i}`));

    for (const inst of instances) {
      const history = await client.getWorkflowInstanceHistory(inst);
      assert.deepEqual(history.map((e) => e.sequenceId), history.map((_, i) => i + 1), 'sequence ids without gaps');
      const scheduled = history.filter((e) => e.type === 'ActivityScheduled').map((e) => e.scheduleEventId);
      const completions = history.filter((e) => e.type === 'ActivityCompleted' || e.type === 'ActivityFailed').map((e) => e.scheduleEventId);
      assert.equal(new Set(completions).size, completions.length, `${inst.instanceId}: an activity completion recorded twice`);
      for (const id of completions) assert.ok(scheduled.includes(id), `${inst.instanceId}: completion of unscheduled command ${id}`);
      assert.equal(history.filter((e) => e.type === 'ActivityCompleted').length, 5, `${inst.instanceId}: five successful activities`);
      assert.equal(history.at(-1)?.type, 'WorkflowExecutionFinished');
    }
  });
});
