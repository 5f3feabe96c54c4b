import assert from 'node:assert/strict';
import type { ActivityOutcome, ActivityTask, Backend, WorkflowPollRequest, WorkflowTask, WorkflowTaskHandoff } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine } from '../helpers/engine.js';

/** Counts the history a worker reads: in task claims (polled or handed over) and through full history reads. */
function countingBackend(inner: Backend): {
  backend: Backend;
  historyEventsClaimed: () => number;
  historyReads: () => number;
  tasks: () => number;
  handedOver: () => number;
} {
  let claimed = 0;
  let reads = 0;
  let tasks = 0;
  let handed = 0;
  const backend = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'pollWorkflowTasks') {
        return async (request: WorkflowPollRequest): Promise<WorkflowTask[]> => {
          const result = await target.pollWorkflowTasks(request);
          for (const task of result) claimed += task.history.length;
          tasks += result.length;
          return result;
        };
      }
      if (property === 'completeActivityTask') {
        return async (task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined> => {
          const next = await target.completeActivityTask(task, outcome, handoff);
          if (next !== undefined) {
            claimed += next.history.length;
            tasks += 1;
            handed += 1;
          }
          return next;
        };
      }
      if (property === 'getWorkflowInstanceHistory') reads += 1;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { backend, historyEventsClaimed: () => claimed, historyReads: () => reads, tasks: () => tasks, handedOver: () => handed };
}

async function step(i: number): Promise<number> {
  return i;
}

async function fiveSteps(ctx: WorkflowContext): Promise<number> {
  let total = 0;
  for (let i = 1; i <= 5; i++) total += await workflow.executeActivity(ctx, {}, step, i);
  return total;
}

describe('worker executor cache', () => {
  for (const executorCacheSize of [128, 0]) {
    it(`${executorCacheSize > 0 ? 'never re-reads' : 're-reads'} the history with executorCacheSize ${executorCacheSize}`, async () => {
      const memory = new MemoryBackend();
      const counting = countingBackend(memory);
      const { client, stop } = await startEngine(counting.backend, { workflows: [fiveSteps], activities: [step], options: { executorCacheSize } });
      try {
        const instance = await client.createWorkflowInstance({ instanceId: `cache-${executorCacheSize}` }, fiveSteps);
        assert.equal(await client.getWorkflowResult(instance, 10_000), 15);
        assert.equal(counting.tasks(), 6);
        assert.equal(counting.handedOver(), 5, 'each activity outcome handed its workflow task straight back');
        assert.equal(counting.historyReads(), 0);
        if (executorCacheSize > 0) {
          assert.equal(counting.historyEventsClaimed(), 0, 'a cached executor is current: claims carry no history');
        } else {
          // Without the cache every task replays everything before it: 3 + 6 + 9 + 12 + 15 events.
          assert.equal(counting.historyEventsClaimed(), 45);
        }
      } finally {
        await stop();
        await memory.close();
      }
    });
  }
});
