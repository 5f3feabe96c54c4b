import assert from 'node:assert/strict';
import { toJsonSafe } from '../../src/ui/server/json-safe.js';
import { formatDuration } from '../../src/ui/server/history-timeline.js';

describe('toJsonSafe (payloads for the diagnostics UI)', () => {
  it('keeps JSON values and marks what JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const error = new TypeError('bad', { cause: 7n });
    const value = {
      text: 'a',
      list: [1, null, true],
      missing: undefined,
      big: 12n,
      nan: NaN,
      at: new Date('2024-01-02T03:04:05.006Z'),
      invalid: new Date(NaN),
      pattern: /x+/gi,
      map: new Map<unknown, unknown>([[{ k: 1 }, new Set(['s'])]]),
      bytes: new Uint8Array([1, 2, 255]),
      buffer: new ArrayBuffer(2),
      cyclic,
    };
    const safe = toJsonSafe(value) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(safe)), safe, 'survives JSON');
    assert.deepEqual(Object.assign({}, safe, { cyclic: undefined }), {
      text: 'a',
      list: [1, null, true],
      missing: { $undefined: true },
      big: { $bigint: '12' },
      nan: { $number: 'NaN' },
      at: { $date: '2024-01-02T03:04:05.006Z' },
      invalid: { $date: 'Invalid Date' },
      pattern: { $regexp: '/x+/gi' },
      map: { $map: [[{ k: 1 }, { $set: ['s'] }]] },
      bytes: { $bytes: { type: 'Uint8Array', length: 3, hex: '0102ff' } },
      buffer: { $bytes: { type: 'ArrayBuffer', length: 2, hex: '0000' } },
      cyclic: undefined,
    });
    assert.deepEqual(safe.cyclic, { name: 'loop', self: { $cycle: true } });
    const shownError = toJsonSafe(error) as { $error: Record<string, unknown> };
    assert.equal(shownError.$error.name, 'TypeError');
    assert.equal(shownError.$error.message, 'bad');
    assert.deepEqual(shownError.$error.cause, { $bigint: '7' });
  });

  it('marks a value repeated side by side only where it contains itself', () => {
    const shared = { n: 1 };
    assert.deepEqual(toJsonSafe([shared, shared]), [{ n: 1 }, { n: 1 }]);
  });

  it('formats durations with their unit', () => {
    assert.deepEqual([250, 1500, 125_000, 3 * 3_600_000, 50 * 3_600_000].map(formatDuration), ['250ms', '1.5s', '2m 5s', '3h 0m', '2d 2h']);
  });
});
