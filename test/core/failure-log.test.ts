import assert from 'node:assert/strict';
import { FailureLog } from '../../src/core/failure-log.js';
import { BackendUnavailableError } from '../../src/errors/errors.js';
import { captureLogs } from '../helpers/log-capture.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('FailureLog', () => {
  it('logs a run of failures once, with the fields of the failure that began it, and its recovery once', () => {
    const logs = captureLogs();
    const log = new FailureLog(logs.logger, { failed: 'reading failed', recovered: 'reading works again', bindings: { partition: 3 } });
    log.failed(new Error('one'), { targetPartitions: [5] });
    log.failed(new Error('two'));
    assert.equal(log.failing, true);
    log.succeeded();
    log.succeeded();
    assert.deepEqual(
      logs.lines.map((line) => [line.msg, (line as unknown as { partition?: number }).partition]),
      [
        ['reading failed', 3],
        ['reading works again', 3],
      ],
    );
    assert.deepEqual((logs.lines[0] as unknown as { targetPartitions?: number[] }).targetPartitions, [5]);
    assert.equal(log.failing, false);
  });

  it('with quietMs, counts a success as recovery only once that long passed since the latest failure', async () => {
    const logs = captureLogs();
    const log = new FailureLog(logs.logger, { failed: 'a node did not answer', recovered: 'every node answers', quietMs: 100 });
    // Failures of one part between successes of the rest: one line, no recovery in between.
    for (let i = 0; i < 5; i++) {
      log.failed(new Error('timeout'));
      log.succeeded();
    }
    assert.equal(logs.count('a node did not answer'), 1);
    assert.equal(logs.count('every node answers'), 0);
    await pause(120);
    log.succeeded();
    assert.equal(logs.count('every node answers'), 1);
  });

  it('for a loop, leaves out an unreachable store, which the connection reports', () => {
    const logs = captureLogs();
    const log = FailureLog.forLoop(logs.logger, 'timer loop');
    log.failed(new BackendUnavailableError('down'));
    log.succeeded();
    assert.equal(logs.lines.length, 0);
    log.failed(new Error('WRONGTYPE'));
    assert.equal(logs.count('timer loop failed'), 1);
  });
});
