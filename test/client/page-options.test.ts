import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { Client } from '../../src/client/client.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';

describe('Client listings: page options', () => {
  it('reject options that are not an object, a bad count or a bad cursor with InvalidArgumentError, in every listing', async () => {
    const backend = new MemoryBackend();
    const client = new Client(backend);
    const listings = {
      listWorkflowInstances: (options: never) => client.listWorkflowInstances(options),
      listHeldWorkflowInstances: (options: never) => client.listHeldWorkflowInstances(options),
      listDeadLetterMessages: (options: never) => client.listDeadLetterMessages(options),
    };
    const bad: unknown[] = [null, 'first', { count: 0 }, { count: 1001 }, { count: 2.5 }, { cursor: '' }, { cursor: 7 }];
    try {
      for (const [name, list] of Object.entries(listings)) {
        for (const options of bad) {
          await assert.rejects(list(options as never), InvalidArgumentError, `${name} ${JSON.stringify(options)}`);
        }
        assert.ok(Array.isArray(Object.values(await list({ count: 1000 } as never))[0]), name);
      }
    } finally {
      await backend.close();
    }
  });

  it('rejects a bad filter of listWorkflowInstances with InvalidArgumentError', async () => {
    const backend = new MemoryBackend();
    const client = new Client(backend);
    const bad: unknown[] = [
      { state: 'running' },
      { state: 3 },
      { name: '' },
      { name: 5 },
      { queue: '' },
      { createdAfter: '2026-01-01' },
      { createdBefore: new Date(Number.NaN) },
    ];
    try {
      for (const options of bad) {
        await assert.rejects(client.listWorkflowInstances(options as never), InvalidArgumentError, JSON.stringify(options));
      }
      const page = await client.listWorkflowInstances({ state: 'active', name: 'wf', queue: 'q', createdAfter: new Date(0), createdBefore: new Date() });
      assert.deepEqual(page, { instances: [] });
    } finally {
      await backend.close();
    }
  });
});
