import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { Worker } from '../../src/worker/worker.js';
import { historyFromJson } from '../../src/testing/index.js';
import { testLogger, waitUntil } from '../helpers/engine.js';
import { freePort, useRedisServer } from '../helpers/redis-server.js';
import { redisBackendOn } from '../helpers/redis-backends.js';
import { activities, fulfilOrder, remindLater } from './fixtures/recorded-workflows.js';

const FIXTURES = 'test/cli/fixtures';
const PREFIX = 'replay-cli';
const ORDERS = 35;
const REMINDERS = 15;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command line as a user would in the repository root, with a TypeScript loader. */
async function redflow(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (text: string, start: string): string[] => text.split('\n').filter((line) => line.startsWith(start));

describe('redflow replay (command line)', function () {
  this.timeout(120_000);
  const server = useRedisServer();
  let url: string;
  let orders: WorkflowInstance[];
  let reminders: WorkflowInstance[];
  let exported: string;

  before(async function () {
    url = server().url;
    const backend = redisBackendOn(server(), { prefix: PREFIX });
    const worker = new Worker(backend, { logger: testLogger });
    worker.registerWorkflow(fulfilOrder);
    worker.registerWorkflow(remindLater);
    worker.registerActivity(activities);
    await worker.start();
    const client = new Client(backend);
    try {
      orders = await Promise.all(Array.from({ length: ORDERS }, (_, i) => client.createWorkflowInstance({ instanceId: `order-${i}` }, fulfilOrder, `o${i}`)));
      reminders = await Promise.all(Array.from({ length: REMINDERS }, (_, i) => client.createWorkflowInstance({ instanceId: `reminder-${i}` }, remindLater, `r${i}`)));
      // Every order waits for its 'ship' signal, every reminder for its hour-long timer.
      const waitingOn = async (instance: WorkflowInstance, type: string): Promise<boolean> =>
        (await client.getWorkflowInstanceHistory(instance)).some((event) => event.type === type);
      const allWaiting = async (): Promise<boolean> => {
        const states = await Promise.all([
          ...orders.map((instance) => waitingOn(instance, 'ActivityCompleted')),
          ...reminders.map((instance) => waitingOn(instance, 'TimerScheduled')),
        ]);
        return states.every(Boolean);
      };
      assert.ok(await waitUntil(allWaiting, 30_000), 'all 50 instances reached their wait');
    } finally {
      await worker.stop();
      await backend.close();
    }
    exported = mkdtempSync(join(tmpdir(), 'redflow-histories-'));
  });

  after(function () {
    if (exported !== undefined) rmSync(exported, { recursive: true, force: true });
  });

  it('replays the 50 active instances against compatible code: exit 0, 50 replayed, 0 diverged', async function () {
    const run = await redflow('replay', '--redis', url, '--prefix', PREFIX, '--workflows', `${FIXTURES}/compatible-workflows.ts`);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Checked 50 histories: 50 replayed, 0 diverged, 0 with an unknown workflow, 0 unreadable/);
    assert.deepEqual(lines(run.stdout, 'DIVERGED'), []);
    assert.match(run.stderr, /Replaying the active instances in redis:\/\/.* \(prefix replay-cli\) against .*compatible-workflows\.ts \(exported functions, matched to histories by workflow name: fulfilOrder, remindLater\)/);
  });

  it('names every diverging instance and both sides against incompatible code: exit 1', async function () {
    const run = await redflow('replay', '--redis', url, '--prefix', PREFIX, '--workflows', `./${FIXTURES}/incompatible-workflows.ts`);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /Checked 50 histories: 35 replayed, 15 diverged/);
    const diverged = lines(run.stdout, 'DIVERGED');
    assert.equal(diverged.length, REMINDERS);
    for (const reminder of reminders) {
      const line = diverged.find((text) => text.startsWith(`DIVERGED ${reminder.instanceId} (execution ${reminder.executionId})`));
      assert.ok(line !== undefined, `no line for ${reminder.instanceId}`);
      assert.match(line, /workflow remindLater: history recorded TimerScheduled of timer \(command 1\), but the workflow code issued activity 'waitForOfficeHours' \(command 1\)$/);
    }
  });

  it('fails for instances whose workflow the module does not export, unless --allow-unknown', async function () {
    const args = ['replay', '--redis', url, '--prefix', PREFIX, '--workflows', `${FIXTURES}/orders-only-workflows.ts`];
    const strict = await redflow(...args);
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
    const unknown = lines(strict.stdout, 'UNKNOWN');
    assert.equal(unknown.length, REMINDERS);
    assert.match(unknown[0] ?? '', /^UNKNOWN {2}reminder-\d+ \(execution .+\): the module exports no workflow named remindLater$/);
    assert.match(strict.stdout, /35 replayed, 0 diverged, 15 with an unknown workflow/);
    const allowed = await redflow(...args, '--allow-unknown');
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.equal(lines(allowed.stdout, 'UNKNOWN').length, REMINDERS);
  });

  it('exports the histories of the active instances and replays the folder', async function () {
    const exportRun = await redflow('export-histories', '--redis', url, '--prefix', PREFIX, '--out', exported);
    assert.equal(exportRun.code, 0, exportRun.stdout + exportRun.stderr);
    assert.match(exportRun.stdout, /Exported 50 histories to /);
    const files = readdirSync(exported).sort();
    assert.equal(files.length, 50);
    assert.ok(files.includes('order-0.json') && files.includes('reminder-14.json'));

    const compatible = await redflow('replay', '--histories', exported, '--workflows', `${FIXTURES}/compatible-workflows.ts`);
    assert.equal(compatible.code, 0, compatible.stdout + compatible.stderr);
    assert.match(compatible.stdout, /Checked 50 histories: 50 replayed, 0 diverged/);

    const incompatible = await redflow('replay', '--histories', exported, '--workflows', `${FIXTURES}/incompatible-workflows.ts`);
    assert.equal(incompatible.code, 1);
    const diverged = lines(incompatible.stdout, 'DIVERGED');
    assert.equal(diverged.length, REMINDERS);
    assert.ok(diverged.some((line) => line.startsWith(`DIVERGED ${join(exported, 'reminder-3.json')}: reminder-3 (execution `)), diverged.join('\n'));
    assert.match(diverged[0] ?? '', /but the workflow code issued activity 'waitForOfficeHours'/);
  });

  it('reports a history file it cannot read, and fails', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'redflow-bad-histories-'));
    try {
      writeFileSync(join(dir, 'broken.json'), '{"format": "redflow-history", "version": 1, "events": [');
      const run = await redflow('replay', '--histories', dir, '--workflows', `${FIXTURES}/compatible-workflows.ts`);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^ERROR {4}.*broken\.json: history file .*broken\.json is not JSON/m);
      assert.match(run.stdout, /Checked 1 history: 0 replayed, 0 diverged, 0 with an unknown workflow, 1 unreadable/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes files replayHistory reads back', async function () {
    const { readFile } = await import('node:fs/promises');
    const file = historyFromJson(await readFile(join(exported, 'order-1.json'), 'utf8'));
    assert.equal(file.instance?.instanceId, 'order-1');
    assert.equal(file.history[1]?.type, 'WorkflowExecutionStarted');
  });

  describe('usage errors: exit 2 with a one-line message and no stack', function () {
    const usage: Array<[string, () => Promise<string[]>, RegExp]> = [
      ['a malformed Redis URL', async () => ['replay', '--redis', 'not a url', '--workflows', `${FIXTURES}/compatible-workflows.ts`], /--redis "not a url" is not a URL/],
      ['a URL that is not a Redis URL', async () => ['replay', '--redis', 'http://localhost:80', '--workflows', `${FIXTURES}/compatible-workflows.ts`], /is not a redis:\/\/ or rediss:\/\/ URL/],
      ['a module that does not exist', async () => ['replay', '--redis', url, '--workflows', './no/such/module.ts'], /workflow module not found: .*no\/such\/module\.ts/],
      ['a module without functions', async () => ['replay', '--redis', url, '--workflows', 'package.json'], /exports no function/],
      ['no --workflows', async () => ['replay', '--redis', url], /required option '--workflows <module>' not specified/],
      ['an unknown command', async () => ['replays'], /unknown command 'replays'/],
      ['a bad partition count', async () => ['replay', '--partitions', 'two', '--workflows', `${FIXTURES}/compatible-workflows.ts`], /expected a positive integer/],
      ['a folder that does not exist', async () => ['replay', '--histories', './no-such-folder', '--workflows', `${FIXTURES}/compatible-workflows.ts`], /cannot read the histories folder \.\/no-such-folder/],
      ['a folder without history files', async () => ['replay', '--histories', `${FIXTURES}`, '--workflows', `${FIXTURES}/compatible-workflows.ts`], /has no history files \(\*\.json\)/],
      ['a module that throws while loading, without a loader hint', async () => ['replay', '--histories', '.', '--workflows', `${FIXTURES}/throwing-module.ts`], /cannot load workflow module .*throwing-module\.ts: this module refuses to load$/m],
      ['--histories with --redis', async () => ['replay', '--histories', '.', '--redis', url, '--workflows', `${FIXTURES}/compatible-workflows.ts`], /does not go with --redis/],
      ['a store that does not answer', async () => ['replay', '--redis', `redis://127.0.0.1:${await freePort()}`, '--workflows', `${FIXTURES}/compatible-workflows.ts`], /^redflow: .*Redis/m],
    ];
    for (const [what, args, message] of usage) {
      it(what, async function () {
        const run = await redflow(...(await args()));
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, message);
        assert.doesNotMatch(run.stderr, /^\s+at /m);
      });
    }
  });
});
