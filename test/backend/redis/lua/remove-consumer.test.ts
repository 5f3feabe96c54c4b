import assert from 'node:assert/strict';
import { GROUP, addAndDeliver, createGroup, executionKeys, useScripts } from '../script-fixture.js';

describe('lua/remove-consumer', () => {
  const { redis, scripts } = useScripts();

  async function consumers(stream: string): Promise<string[]> {
    const info = (await redis().xinfo('CONSUMERS', stream, GROUP)) as Array<Array<string | number>>;
    return info.map((fields) => String(fields[fields.indexOf('name') + 1]));
  }

  it('deletes a consumer with nothing pending', async () => {
    const k = executionKeys();
    await createGroup(redis(), k.workflowTasks);
    await redis().xgroup('CREATECONSUMER', k.workflowTasks, GROUP, 'idle-worker');
    assert.deepEqual(await consumers(k.workflowTasks), ['idle-worker']);

    assert.equal(await scripts().removeConsumer(k.workflowTasks, GROUP, 'idle-worker'), true);
    assert.deepEqual(await consumers(k.workflowTasks), []);
  });

  it('keeps a consumer whose pending entries must stay reclaimable', async () => {
    const k = executionKeys();
    await addAndDeliver(redis(), k.workflowTasks, { i: 'x', e: 'y' }, 'busy-worker');
    assert.equal(await scripts().removeConsumer(k.workflowTasks, GROUP, 'busy-worker'), false);
    assert.deepEqual(await consumers(k.workflowTasks), ['busy-worker']);
  });

  it('does nothing when the stream or group does not exist', async () => {
    const k = executionKeys();
    assert.equal(await scripts().removeConsumer(k.workflowTasks, GROUP, 'someone'), false);
    assert.equal(await redis().exists(k.workflowTasks), 0);
  });
});
