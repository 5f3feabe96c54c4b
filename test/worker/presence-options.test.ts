import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { Client } from '../../src/client/client.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { Worker } from '../../src/worker/worker.js';
import { testLogger } from '../helpers/engine.js';

describe('worker presence options', () => {
  const backend = new MemoryBackend({ logger: testLogger });
  after(() => backend.close());

  it('refuses a presenceIntervalMs that is not a positive integer of milliseconds', () => {
    for (const presenceIntervalMs of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 31, '1000' as unknown as number]) {
      assert.throws(
        () => new Worker(backend, { logger: testLogger, presenceIntervalMs }),
        (err: unknown) => err instanceof InvalidArgumentError && /presenceIntervalMs/.test(err.message),
        String(presenceIntervalMs),
      );
    }
    assert.doesNotThrow(() => new Worker(backend, { logger: testLogger, presenceIntervalMs: 1 }));
  });

  it('refuses a version that is not a non-empty string', () => {
    for (const version of [42, '', null, { sha: 'x' }, '\uD800', 'v'.repeat(201)]) {
      assert.throws(
        () => new Worker(backend, { logger: testLogger, version: version as unknown as string }),
        (err: unknown) => err instanceof InvalidArgumentError && /version/.test(err.message),
        JSON.stringify(version),
      );
    }
    assert.doesNotThrow(() => new Worker(backend, { logger: testLogger, version: '3f2c1ab' }));
    assert.doesNotThrow(() => new Worker(backend, { logger: testLogger, version: 'v'.repeat(200) }));
  });

  it('gives every worker its own id', () => {
    assert.notEqual(new Worker(backend, { logger: testLogger }).workerId, new Worker(backend, { logger: testLogger }).workerId);
  });

  it('refuses a client logger that is not a logger', () => {
    for (const logger of [42, {}, null]) {
      assert.throws(() => new Client(backend, { logger: logger as never }), (err: unknown) => err instanceof InvalidArgumentError && /logger/.test(err.message));
    }
  });
});
