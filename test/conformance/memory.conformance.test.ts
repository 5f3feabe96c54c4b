import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { backendConformanceSuite } from './backend-suite.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';

backendConformanceSuite('MemoryBackend', (options) => Promise.resolve(new MemoryBackend(options)));

describe('MemoryBackend options', () => {
  it('refuses a retentionMs that is neither a positive integer nor Infinity', () => {
    for (const retentionMs of [0, -1, 1.5, Number.NaN, 'x' as unknown as number]) {
      assert.throws(() => new MemoryBackend({ retentionMs }), (err: unknown) => err instanceof InvalidArgumentError && /retentionMs/.test(err.message));
    }
    for (const retentionMs of [1, Infinity]) assert.doesNotThrow(() => new MemoryBackend({ retentionMs }));
  });
});
