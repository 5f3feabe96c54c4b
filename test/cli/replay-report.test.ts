import assert from 'node:assert/strict';
import { historyFileName } from '../../src/cli/history-file-name.js';
import type { Output } from '../../src/cli/output.js';
import { ReplayReport } from '../../src/cli/replay-report.js';

function capture(): Output & { out: (line: string) => void; outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (line) => outLines.push(line), err: (line) => errLines.push(line) };
}

describe('redflow replay report', function () {
  it('writes a progress line on standard error every 100 histories, and problems on standard output', function () {
    const output = capture();
    const report = new ReplayReport(output, 250);
    for (let i = 0; i < 250; i++) {
      const item = { label: `order-${i} (execution e${i})`, history: [] };
      report.record(item, i === 150 ? { kind: 'diverged', workflowName: 'order', message: 'history recorded X, but the workflow code issued Y' } : { kind: 'replayed', workflowName: 'order' });
    }
    assert.deepEqual(output.errLines, ['checked 100 of 250 histories (0 diverged) ...', 'checked 200 of 250 histories (1 diverged) ...']);
    assert.deepEqual(output.outLines, ['DIVERGED order-150 (execution e150), workflow order: history recorded X, but the workflow code issued Y']);
    assert.equal(report.summary(), 'Checked 250 histories: 249 replayed, 1 diverged, 0 with an unknown workflow, 0 unreadable, 0 not started yet');
    assert.equal(report.failed(true), true);
  });

  it('fails for an unknown workflow unless allowed, never for executions not started yet', function () {
    const report = new ReplayReport(capture(), undefined);
    report.record({ label: 'a', history: [] }, { kind: 'not-started' });
    assert.equal(report.failed(false), false);
    report.record({ label: 'b', history: [] }, { kind: 'unknown-workflow', workflowName: 'gone' });
    assert.equal(report.failed(false), true);
    assert.equal(report.failed(true), false);
  });
});

describe('history file names', function () {
  it('makes one safe file name of any instance id', function () {
    assert.equal(historyFileName({ instanceId: 'order-42', executionId: 'e' }), 'order-42.json');
    assert.equal(historyFileName({ instanceId: 'tenant/a b', executionId: 'e' }), 'tenant%2Fa%20b.json');
    assert.equal(historyFileName({ instanceId: '..', executionId: 'e' }), '%2E..json');
    const long = historyFileName({ instanceId: 'x'.repeat(300), executionId: 'e' });
    const other = historyFileName({ instanceId: `${'x'.repeat(299)}y`, executionId: 'e' });
    assert.ok(long.length <= 205 && long !== other, long);
  });
});
