import assert from 'node:assert/strict';
import { UnknownNames } from '../../src/worker/unknown-names.js';
import { captureLogs } from '../helpers/log-capture.js';

describe('UnknownNames', () => {
  it('warns about a name at most once per interval, per kind, queue and name', () => {
    const { logger, lines } = captureLogs();
    let now = 1_000_000;
    const names = new UnknownNames(logger, { intervalMs: 60_000, now: () => now });

    names.report('workflow', 'default', 'billing');
    names.report('workflow', 'default', 'billing');
    now += 59_999;
    names.report('workflow', 'default', 'billing');
    assert.equal(lines.length, 1, 'one line within the interval');
    assert.equal(lines[0]?.level, 40, 'a warning');
    assert.match(lines[0]?.msg ?? '', /workflow billing is not registered on this worker \(queue default\)/);
    assert.deepEqual([lines[0]?.kind, lines[0]?.queue, lines[0]?.name], ['workflow', 'default', 'billing']);

    names.report('activity', 'default', 'billing');
    names.report('workflow', 'other', 'billing');
    names.report('workflow', 'default', 'shipping');
    assert.equal(lines.length, 4, 'another kind, queue or name has its own interval');

    now += 1;
    names.report('workflow', 'default', 'billing');
    assert.equal(lines.length, 5, 'warned again once the interval is over');
  });

  it('forgets names whose interval is over once it remembers many, and still rate limits', () => {
    const { logger, lines } = captureLogs();
    let now = 0;
    const names = new UnknownNames(logger, { intervalMs: 10, now: () => now });
    for (let i = 0; i < 1000; i++) names.report('activity', 'q', `old-${i}`);
    now = 100;
    names.report('activity', 'q', 'fresh');
    names.report('activity', 'q', 'fresh');
    assert.equal(lines.length, 1001);
    names.report('activity', 'q', 'old-1');
    assert.equal(lines.length, 1002, 'a forgotten name is warned about again');
  });

  it('records each warned name in the store, as rarely as it warns, and logs a failed record at debug level', async () => {
    const { logger, lines } = captureLogs();
    let now = 0;
    const recorded: unknown[] = [];
    let fail = false;
    const names = new UnknownNames(logger, {
      intervalMs: 10,
      now: () => now,
      record: (name) => {
        recorded.push(name);
        return fail ? Promise.reject(new Error('store unreachable')) : Promise.resolve();
      },
    });
    names.report('activity', 'q', 'refund');
    names.report('activity', 'q', 'refund');
    assert.deepEqual(recorded, [{ kind: 'activity', queue: 'q', name: 'refund' }]);
    fail = true;
    now = 10;
    names.report('activity', 'q', 'refund');
    assert.equal(recorded.length, 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.filter((line) => line.level === 20 && line.msg === 'could not record the unknown name').length, 1);
  });
});
