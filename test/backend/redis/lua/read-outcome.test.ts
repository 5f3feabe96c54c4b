import assert from 'node:assert/strict';
import { OutcomeRead } from '../../../../src/backend/redis/outcome-read.js';
import { executionKeys, seedExecution, useScripts } from '../script-fixture.js';

describe('lua/read-outcome', () => {
  const { redis } = useScripts();
  const read = (k: { execution: string; history: string }) => new OutcomeRead(redis()).read(k);

  it('returns nothing for an execution that does not exist', async () => {
    assert.equal(await read(executionKeys()), undefined);
  });

  it('returns the state of an active execution without its last event', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { history: ['started', 'task-started'] });
    assert.deepEqual(await read(k), { state: 'active', historyLength: 2, last: undefined });
  });

  it('returns the state, history length and last event of an ended execution', async () => {
    for (const state of ['finished', 'continued-as-new']) {
      const k = executionKeys();
      await seedExecution(redis(), k, { state, history: ['started', 'task-started', `outcome-${state}`] });
      assert.deepEqual(await read(k), { state, historyLength: 3, last: Buffer.from(`outcome-${state}`) });
    }
  });

  it('returns an ended execution whose history is gone without a last event', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { state: 'finished', historyLength: 3 });
    assert.deepEqual(await read(k), { state: 'finished', historyLength: 3, last: undefined });
  });

  it('writes nothing', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { state: 'finished', history: ['a', 'b'] });
    const before = await redis().dump(k.execution);
    await read(k);
    assert.deepEqual(await redis().dump(k.execution), before);
    assert.deepEqual(await redis().lrange(k.history, 0, -1), ['a', 'b']);
  });
});
