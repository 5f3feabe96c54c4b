import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('telemetry: the engine without its optional peers', function () {
  this.timeout(30_000);

  it('runs a workflow through the package root while @opentelemetry/api and prom-client cannot be imported', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', `${fixtures}forbid-telemetry.ts`, `${fixtures}core-without-telemetry.ts`],
      { cwd: fixtures, timeout: 25_000 },
    );
    const line = stdout.trim().split('\n').pop() ?? '';
    const report = JSON.parse(line) as { result: number; telemetryImport: string };
    assert.equal(report.result, 42);
    // The refusal is real: the telemetry entry point, which needs the peers, cannot load in that process. ESM
    // resolves a module's imports concurrently, so whichever peer is resolved first is the one refused.
    assert.match(report.telemetryImport, /forbidden import of (@opentelemetry\/api|prom-client) /);
  });
});
