import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ActivityOutcome, ActivityTask, WorkflowTask, WorkflowTaskHandoff } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine } from '../helpers/engine.js';
import { everyTrapThrows } from '../helpers/hostile-values.js';
import { watchUnhandledRejections } from '../helpers/unhandled-rejections.js';

/** Its first activity completion fails with a value that throws on every access, as a user getter might. */
class HostileOnce extends MemoryBackend {
  failures = 0;

  override completeActivityTask(task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined> {
    if (this.failures === 0) {
      this.failures += 1;
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a rejection that is not an Error is what this test is about
      return Promise.reject(everyTrapThrows());
    }
    return super.completeActivityTask(task, outcome, handoff);
  }
}

async function add(a: number, b: number): Promise<number> {
  return a + b;
}

async function adds(ctx: WorkflowContext): Promise<number> {
  return workflow.executeActivity(ctx, {}, add, 2, 3);
}

describe('worker task handler failures', () => {
  it('leaves no rejection unhandled when logging a failure throws, and runs the task again after its lease', async () => {
    const backend = new HostileOnce();
    // A logger that serializes what it is given: pino throws on an error whose every trap throws.
    const logger = pino({ level: 'error' }, { write: () => undefined });
    const unhandled = watchUnhandledRejections();
    const { client, stop } = await startEngine(backend, { workflows: [adds], activities: [add], options: { logger, activityLockTimeoutMs: 300 } });
    try {
      const instance = await client.createWorkflowInstance({ instanceId: 'hostile-completion' }, adds);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 5);
      assert.equal(backend.failures, 1);
    } finally {
      await stop();
      await backend.close();
    }
    assert.equal(await unhandled.stop(), 0, 'no unhandled rejection');
  });
});
