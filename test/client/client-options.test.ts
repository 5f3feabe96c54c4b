import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { Client } from '../../src/client/client.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { captureLogs } from '../helpers/log-capture.js';

describe('Client options: logger', () => {
  it('refuses a logger that is not a pino logger with InvalidArgumentError', async () => {
    const backend = new MemoryBackend();
    try {
      for (const logger of [null, 'warn', 42, {}, { warn: 'loud' }]) {
        assert.throws(
          () => new Client(backend, { logger: logger as never }),
          (err: unknown) => err instanceof InvalidArgumentError && /logger/.test(err.message),
          JSON.stringify(logger),
        );
      }
    } finally {
      await backend.close();
    }
  });

  it('takes a pino logger, or none, and getStats answers the same either way', async () => {
    const backend = new MemoryBackend();
    try {
      const { logger, lines } = captureLogs();
      const stats = await new Client(backend, { logger }).getStats();
      assert.deepEqual(stats, await new Client(backend).getStats());
      assert.deepEqual(lines, [], 'nothing unserved, nothing logged');
    } finally {
      await backend.close();
    }
  });
});
