import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { positiveInteger } from '../../src/cli/command-context.js';
import { renderFields, renderTable } from '../../src/cli/format/table.js';
import { parseTimeArgument } from '../../src/cli/format/time-argument.js';
import { compact, formatDate, toJson } from '../../src/cli/format/values.js';

describe('redflow command line formatting', () => {
  it('reads a time option as an ISO time or a duration ago, and refuses anything else', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    assert.equal(parseTimeArgument('90s', now).getTime(), now - 90_000);
    assert.equal(parseTimeArgument('15m', now).getTime(), now - 900_000);
    assert.equal(parseTimeArgument('2h', now).getTime(), now - 7_200_000);
    assert.equal(parseTimeArgument('1d', now).getTime(), now - 86_400_000);
    assert.equal(parseTimeArgument('1w', now).getTime(), now - 604_800_000);
    assert.equal(parseTimeArgument('0s', now).getTime(), now);
    assert.equal(parseTimeArgument('2026-11-30T07:00:00Z', now).toISOString(), '2026-11-30T07:00:00.000Z');
    assert.equal(parseTimeArgument('2026-11-30T07:00:00.250+01:00', now).toISOString(), '2026-11-30T06:00:00.250Z');
    assert.equal(parseTimeArgument('2026-11-30', now).toISOString(), '2026-11-30T00:00:00.000Z');
    // Without an offset, a time is UTC like a date alone, whatever the machine's zone (node reads TZ when it changes).
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      assert.equal(new Date(2026, 10, 30).getTimezoneOffset(), 300, 'the zone took effect');
      assert.equal(parseTimeArgument('2026-11-30', now).toISOString(), '2026-11-30T00:00:00.000Z');
      assert.equal(parseTimeArgument('2026-11-30T08:20', now).toISOString(), '2026-11-30T08:20:00.000Z');
      assert.equal(parseTimeArgument('2026-11-30 08:20:30.5', now).toISOString(), '2026-11-30T08:20:30.500Z');
      assert.equal(parseTimeArgument('2026-11-30T08:20+0100', now).toISOString(), '2026-11-30T07:20:00.000Z');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    for (const bad of ['', 'yesterday', '1y', '-1h', '1.5h', '2026-13-45', 'Mon Nov 30 2026', '99999999999999999d', '2026-11-30T25:00', '2026-11-30T08']) {
      assert.throws(() => parseTimeArgument(bad, now), InvalidArgumentError, bad);
    }
  });

  it('reads a count in decimal digits only', () => {
    assert.equal(positiveInteger('1'), 1);
    assert.equal(positiveInteger('0025'), 25);
    assert.equal(positiveInteger('1000'), 1000);
    for (const bad of ['0', '1e3', '0x10', '0b1', '1.0', ' 5', '5 ', '+5', '-1', '', '99999999999999999999']) {
      assert.throws(() => positiveInteger(bad), InvalidArgumentError, JSON.stringify(bad));
    }
  });

  it('writes any decoded payload as JSON without throwing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const shared = { n: 1 };
    const value = { twice: [shared, shared], big: 12345678901234567890n, map: new Map([['k', 1]]), set: new Set([1, 2]), buf: Buffer.from('hi'), when: new Date(0), cyclic, list: [undefined] };
    assert.deepEqual(JSON.parse(toJson(value)), {
      twice: [{ n: 1 }, { n: 1 }],
      big: '12345678901234567890',
      map: [['k', 1]],
      set: [1, 2],
      buf: { base64: 'aGk=' },
      when: '1970-01-01T00:00:00.000Z',
      cyclic: { a: 1, self: '[circular]' },
      list: [null],
    });
    assert.equal(toJson(undefined), 'null');
    assert.equal(compact('x'.repeat(100), 10), `"${'x'.repeat(8)}…`);
    assert.equal(compact(undefined), '');
    assert.equal(formatDate(new Date('2026-11-30T07:13:28.123Z')), '2026-11-30T07:13:28Z');
    assert.equal(formatDate(undefined), '-');
  });

  it('aligns table columns and fields, one line per row', () => {
    assert.deepEqual(renderTable(['A', 'LONG HEADER', 'C'], [['wide value', 'x', 'last\nline'], ['', 'y', '']]), [
      'A           LONG HEADER  C',
      'wide value  x            last line',
      '            y',
    ]);
    assert.deepEqual(renderFields([['State', 'active'], ['Skipped', undefined], ['Created at', '2026']]), ['State:      active', 'Created at: 2026']);
  });
});
