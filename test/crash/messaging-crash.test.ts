import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { InstanceNotFoundError } from '../../src/errors/errors.js';
import type { HistoryEvent } from '../../src/history/events.js';
import { testLogger } from '../helpers/engine.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { messagingChildId, messagingParent } from './crash-workflows.js';
import { kill, startWorker, type WorkerProcess } from './worker-process.js';

const PARENTS = 20;

const count = (history: HistoryEvent[], type: string): number => history.filter((e) => e.type === type).length;

/** Signals the instance once it exists (a child is started by its parent a little later). */
async function signalWhenActive(client: Client, instanceId: string, name: string, arg: number): Promise<void> {
  for (;;) {
    try {
      return await client.signalWorkflow(instanceId, name, arg);
    } catch (err) {
      if (!(err instanceof InstanceNotFoundError)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

for (const partitions of [1, 3]) {
  describe(`crash recovery with sub-workflows and signals in flight, ${partitions} partition(s)`, function () {
    this.timeout(120_000);
    const server = useRedisServer();
    const workers: WorkerProcess[] = [];
    let backend: RedisBackend;
    let prefix: string;

    beforeEach(() => {
      prefix = `crash-msg-${randomUUID()}`;
      backend = new RedisBackend({ redis: server().url, prefix, partitions, logger: testLogger });
    });
    afterEach(async () => {
      for (const worker of workers.splice(0)) await kill(worker);
      await backend.close();
    });

    it(`finishes ${PARENTS} parents with two children each; no message lost or delivered twice`, async () => {
      const client = new Client(backend);
      const first = startWorker(server().url, prefix, partitions);
      workers.push(first);
      await first.waitFor('ready', 1, 20_000);

      const parents: Array<WorkflowInstance<number>> = [];
      for (let n = 0; n < PARENTS; n++) {
        parents.push(await client.createWorkflowInstance({ instanceId: `crash-msg-${n}` }, messagingParent, n, 0));
      }
      const signals = parents.flatMap((parent, n) => [
        signalWhenActive(client, parent.instanceId, 'go', 1),
        signalWhenActive(client, messagingChildId(n, 0), 'add', 1),
        signalWhenActive(client, messagingChildId(n, 1), 'add', 1),
      ]);

      await first.waitFor('workflow-busy', 3, 30_000);
      await kill(first);
      const states = await Promise.all(parents.map((parent) => client.getWorkflowInstanceState(parent)));
      assert.ok(states.some((state) => state === 'continued-as-new'), 'some parents moved on to their second execution');

      const second = startWorker(server().url, prefix, partitions);
      workers.push(second);
      await Promise.all(signals);
      const results = await Promise.all(parents.map((parent) => client.getWorkflowResult(parent, 90_000)));
      results.forEach((result, n) => assert.equal(result, 4 * n + 4 + 1, `result of parent ${n}`));

      for (const [n, first] of parents.entries()) {
        const moved = (await client.getWorkflowInstanceHistory(first)).at(-1);
        assert.ok(moved?.type === 'WorkflowExecutionContinuedAsNew');
        const final = { instanceId: first.instanceId, executionId: moved.attributes.continuedExecutionId };
        const history = await client.getWorkflowInstanceHistory(final);
        assert.deepEqual(history.map((e) => e.sequenceId), history.map((_, i) => i + 1));
        assert.equal(count(history, 'SubWorkflowScheduled'), 2);
        assert.equal(count(history, 'SignalSent'), 2);
        assert.equal(count(history, 'SignalDelivered'), 2, `parent ${n}: each sent signal acknowledged once`);
        assert.equal(count(history, 'SubWorkflowCompleted'), 2, `parent ${n}: each child result delivered once`);
        assert.equal(count(history, 'SignalReceived'), 1, `parent ${n}: the client signal delivered once`);
        for (const k of [0, 1]) {
          const scheduled = history.find((e) => e.type === 'SubWorkflowScheduled' && e.attributes.instanceId === messagingChildId(n, k));
          assert.ok(scheduled?.type === 'SubWorkflowScheduled');
          const child = await client.getWorkflowInstanceHistory({ instanceId: scheduled.attributes.instanceId, executionId: scheduled.attributes.executionId });
          assert.equal(count(child, 'SignalReceived'), 2, `child ${n}/${k}: two signals, each once`);
          assert.equal(count(child, 'WorkflowExecutionStarted'), 1);
          assert.equal(child.at(-1)?.type, 'WorkflowExecutionFinished');
        }
      }
    });
  });
}
