import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine } from '../helpers/engine.js';

async function echo(x: number): Promise<number> {
  return x;
}

async function logsEachStep(ctx: WorkflowContext): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await workflow.executeActivity(ctx, {}, echo, i);
    workflow.logger(ctx).info({ step: i }, 'step done');
    workflow.logger(ctx).child({ step: i }).info('child step done');
  }
}

describe('workflow logger', () => {
  it('logs each line once, also through a child logger, although every task replays the workflow (executorCacheSize 0)', async () => {
    const lines: Array<{ msg: string; step?: number; instanceId?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const backend = new MemoryBackend();
    const { client, stop } = await startEngine(backend, {
      workflows: [logsEachStep],
      activities: [echo],
      options: { executorCacheSize: 0, logger: pino({ level: 'info' }, sink) },
    });
    try {
      const instance = await client.createWorkflowInstance({ instanceId: 'logging' }, logsEachStep);
      await client.getWorkflowResult(instance, 10_000);
      const steps = lines.filter((line) => line.msg === 'step done');
      assert.deepEqual(steps.map((line) => line.step), [0, 1, 2]);
      assert.ok(steps.every((line) => line.instanceId === 'logging'), 'workflow log lines carry the instance id');
      const childSteps = lines.filter((line) => line.msg === 'child step done');
      assert.deepEqual(childSteps.map((line) => line.step), [0, 1, 2], 'a child of the workflow logger is silent while replaying too');
    } finally {
      await stop();
      await backend.close();
    }
  });
});
