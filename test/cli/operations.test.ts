import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import type { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { runCli } from '../../src/cli/program.js';
import type { Output } from '../../src/cli/output.js';
import { Worker } from '../../src/worker/worker.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger, waitUntil } from '../helpers/engine.js';
import { freePort, useRedisServer } from '../helpers/redis-server.js';
import { redisBackendOn, redisOptionsOf } from '../helpers/redis-backends.js';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function chargeCard(orderId: string): Promise<string> {
  return `charged ${orderId}`;
}

async function shipment(ctx: WorkflowContext, orderId: string): Promise<string> {
  const how = await workflow.newSignalChannel<{ carrier: string }>(ctx, 'ship').receive();
  return `${orderId} by ${how.carrier}`;
}

async function placeOrder(ctx: WorkflowContext, orderId: string): Promise<string> {
  await workflow.executeActivity(ctx, {}, chargeCard, orderId);
  return workflow.createSubWorkflowInstance(ctx, { instanceId: `${orderId}-shipment` }, shipment, orderId);
}

async function double(_ctx: WorkflowContext, n: number): Promise<number> {
  return n * 2;
}

async function declines(): Promise<never> {
  await Promise.resolve();
  throw new Error('card declined');
}

async function sleepsAnHour(ctx: WorkflowContext): Promise<void> {
  await workflow.sleep(ctx, 3_600_000);
}

async function awaitsForeignPromise(): Promise<string> {
  // A promise the engine does not control: its workflow task is held ('unsettled').
  await new Promise((resolve) => setTimeout(resolve, 50));
  return 'never';
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line.length > 0);

describe('redflow operations commands (command line on a real Redis)', function () {
  this.timeout(60_000);
  const server = useRedisServer();
  let backend: RedisBackend;
  let worker: Worker;
  let client: Client;
  let store: string[];
  const made: Record<string, WorkflowInstance> = {};

  /** Runs the command line in this process on the test's store, as `redflow <args> --redis ... --prefix ...`. */
  async function redflow(...args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const output: Output = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const code = await runCli(['node', 'redflow', ...args, ...store], output);
    return { code, stdout: out.map((line) => `${line}\n`).join(''), stderr: err.map((line) => `${line}\n`).join('') };
  }

  async function json<T>(...args: string[]): Promise<T> {
    const run = await redflow(...args, '--json');
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as T;
  }

  before(async function () {
    backend = redisBackendOn(server());
    const { prefix } = redisOptionsOf(backend);
    store = ['--redis', server().url, '--prefix', prefix as string];
    worker = new Worker(backend, {
      logger: testLogger,
      version: 'cli-test-1',
      heldTaskRetry: { firstRetryIntervalMs: 60_000, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, maxAttempts: 1 },
    });
    for (const fn of [placeOrder, shipment, double, declines, sleepsAnHour, awaitsForeignPromise]) worker.registerWorkflow(fn);
    worker.registerActivity(chargeCard);
    await worker.start();
    client = new Client(backend);
    made.order = await client.createWorkflowInstance({ instanceId: 'order-7' }, placeOrder, 'order-7');
    for (let i = 0; i < 3; i++) made[`double-${i}`] = await client.createWorkflowInstance({ instanceId: `double-${i}` }, double, i);
    made.declined = await client.createWorkflowInstance({ instanceId: 'declined-1' }, declines);
    made.sleeper = await client.createWorkflowInstance({ instanceId: 'sleeper-1' }, sleepsAnHour);
    made.held = await client.createWorkflowInstance({ instanceId: 'held-1' }, awaitsForeignPromise);
    made.unserved = await client.createWorkflowInstance({ instanceId: 'unserved-1', queue: 'nobody' }, double, 1);
    const settled = async (): Promise<boolean> => {
      const [child, held, sleeper] = await Promise.all([
        client.getWorkflowInstanceState({ instanceId: 'order-7-shipment' }).catch(() => undefined),
        client.listHeldWorkflowInstances(),
        client.getWorkflowInstanceHistory(made.sleeper as WorkflowInstance),
      ]);
      return child === 'active' && held.instances.length === 1 && sleeper.some((e) => e.type === 'TimerScheduled');
    };
    assert.ok(await waitUntil(settled, 20_000), 'every instance reached its wait');
    await client.waitForWorkflowInstance(made.declined, 10_000);
    for (let i = 0; i < 3; i++) await client.waitForWorkflowInstance(made[`double-${i}`] as WorkflowInstance, 10_000);
  });

  after(async () => {
    await worker?.stop();
    await backend?.close();
  });

  describe('list', () => {
    it('lists every execution newest first as a table, and as JSON with ISO dates', async () => {
      const run = await redflow('list');
      assert.equal(run.code, 0, run.stderr);
      const [header, ...rows] = lines(run.stdout);
      assert.match(header ?? '', /^INSTANCE\s+EXECUTION\s+WORKFLOW\s+QUEUE\s+STATE\s+CREATED\s+FINISHED$/);
      assert.equal(rows.length, 9, run.stdout);
      assert.match(rows.find((row) => row.startsWith('declined-1 ')) ?? '', /declines\s+default\s+finished\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+\d{4}-/);
      const listed = await json<{ instances: Array<Record<string, unknown>>; nextCursor: string | null }>('list');
      assert.equal(listed.nextCursor, null);
      assert.deepEqual(
        listed.instances.map((i) => i.instanceId),
        rows.map((row) => row.split(/\s+/)[0]),
        'the table and the JSON list the same, in the same order',
      );
      const declined = listed.instances.find((i) => i.instanceId === 'declined-1');
      assert.deepEqual(Object.keys(declined ?? {}), ['instanceId', 'executionId', 'workflow', 'queue', 'state', 'createdAt', 'finishedAt']);
      assert.equal(declined?.executionId, made.declined?.executionId);
      assert.match(String(declined?.createdAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(listed.instances.find((i) => i.instanceId === 'sleeper-1')?.finishedAt, null);
    });

    it('filters by state, workflow, queue and time, and combines them', async () => {
      type Listed = { instances: Array<{ instanceId: string }> };
      const ids = async (...args: string[]): Promise<string[]> => (await json<Listed>('list', ...args)).instances.map((i) => i.instanceId).sort();
      assert.deepEqual(await ids('--state', 'finished'), ['declined-1', 'double-0', 'double-1', 'double-2']);
      assert.deepEqual(await ids('--workflow', 'double'), ['double-0', 'double-1', 'double-2', 'unserved-1']);
      assert.deepEqual(await ids('--queue', 'nobody'), ['unserved-1']);
      assert.deepEqual(await ids('--workflow', 'double', '--state', 'active'), ['unserved-1']);
      assert.equal((await ids('--since', '1h')).length, 9);
      assert.deepEqual(await ids('--until', '1h'), []);
      assert.deepEqual(await ids('--since', new Date(Date.now() + 60_000).toISOString()), []);
      const none = await redflow('list', '--workflow', 'nothing-by-this-name');
      assert.equal(none.code, 0);
      assert.equal(none.stdout, 'No workflow executions match.\n');
    });

    it('pages with --limit and --cursor: every execution once, the cursor printed until the last page', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const run = await redflow('list', '--limit', '4', ...(cursor === undefined ? [] : ['--cursor', cursor]));
        assert.equal(run.code, 0, run.stderr);
        const out = lines(run.stdout);
        const more = out.at(-1)?.match(/^More: --cursor (\S+)$/);
        cursor = more?.[1];
        seen.push(...out.slice(1, more === null || more === undefined ? undefined : -1).map((row) => row.split(/\s+/)[0] as string));
        pages += 1;
      } while (cursor !== undefined);
      assert.equal(pages, 3);
      assert.equal(seen.length, 9);
      assert.equal(new Set(seen).size, 9);
    });
  });

  describe('show', () => {
    it('shows a parent with its child and pending sub-workflow, and the child with its parent', async () => {
      const run = await redflow('show', 'order-7');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Instance: +order-7$/m);
      assert.match(run.stdout, /^Workflow: +placeOrder$/m);
      assert.match(run.stdout, /^State: +active$/m);
      assert.match(run.stdout, /^Inputs: +\["order-7"\]$/m);
      assert.match(run.stdout, /^Children \(1\):$/m);
      assert.match(run.stdout, /^ {2}order-7-shipment\s+\S+\s+shipment\s+default\s+running\s+active$/m);
      assert.match(run.stdout, /^ {2}sub-workflow\s+\d+\s+shipment order-7-shipment$/m);
      const child = await json<Record<string, unknown>>('show', 'order-7-shipment');
      assert.deepEqual(child.parent, { instanceId: 'order-7', executionId: made.order?.executionId, scheduleEventId: 2 });
      assert.deepEqual(Object.keys(child).sort(), [
        'children', 'continuedFrom', 'continuedTo', 'createdAt', 'error', 'executionId', 'finishedAt', 'historyLength', 'hold',
        'inputs', 'instanceId', 'outcome', 'parent', 'pending', 'queue', 'result', 'state', 'workflow',
      ]);
    });

    it('shows the error of a failed instance, a pending timer, and why an instance is held', async () => {
      const failed = await redflow('show', 'declined-1');
      assert.match(failed.stdout, /^Outcome: +failed$/m);
      assert.match(failed.stdout, /^Error: +Error: card declined$/m);
      const sleeper = await redflow('show', 'sleeper-1');
      assert.match(sleeper.stdout, /^ {2}timer\s+\d+\s+fires \d{4}-/m);
      const held = await redflow('show', 'held-1');
      assert.match(held.stdout, /^Held: +unsettled since \S+, 1 attempt\(s\), parked \(retry it with: redflow held retry\): UnsettledWorkflowError: /m);
      const heldJson = await json<{ hold: { reason: string; parked: boolean; retryAt: null } }>('show', 'held-1');
      assert.equal(heldJson.hold.reason, 'unsettled');
      assert.equal(heldJson.hold.parked, true);
      assert.equal(heldJson.hold.retryAt, null);
    });

    it('exits 1 with one line for an unknown instance, and 2 for a bad execution id', async () => {
      const run = await redflow('show', 'no-such-instance');
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, 'redflow: workflow instance not found: no-such-instance\n');
      for (const command of ['show', 'history', 'cancel']) {
        const bogus = await redflow(command, 'order-7', '--execution', 'bogus');
        assert.equal(bogus.code, 1, command);
        assert.equal(bogus.stderr, 'redflow: workflow instance not found: order-7 (execution bogus)\n', command);
      }
      const bad = await redflow('show', 'order-7', '--execution', '');
      assert.equal(bad.code, 2);
      assert.equal(lines(bad.stderr).length, 1);
    });
  });

  describe('history', () => {
    it('prints the events as a table, and as JSON', async () => {
      const run = await redflow('history', 'order-7');
      assert.equal(run.code, 0, run.stderr);
      const [header, ...rows] = lines(run.stdout);
      assert.match(header ?? '', /^SEQ\s+TIME\s+TYPE\s+ID\s+ATTRIBUTES$/);
      assert.match(rows[1] ?? '', /^2\s+\S+Z\s+WorkflowExecutionStarted\s+\{"name":"placeOrder","queue":"default","inputs":\["order-7"\]\}$/);
      const events = await json<Array<{ sequenceId: number; type: string; timestamp: string; scheduleEventId: number | null }>>('history', 'order-7');
      assert.equal(events.length, rows.length);
      assert.deepEqual(events.map((e) => e.sequenceId), events.map((_, i) => i + 1));
      assert.ok(events.some((e) => e.type === 'ActivityScheduled' && e.scheduleEventId === 1));
      assert.ok(events.every((e) => /^\d{4}-\d\d-\d\dT.*Z$/.test(e.timestamp)));
      assert.equal((await redflow('history', 'nope')).code, 1);
    });
  });

  describe('actions', () => {
    it('signals the child with a JSON argument, and the order completes', async () => {
      const bad = await redflow('signal', 'order-7-shipment', 'ship', '--arg', '{carrier');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^redflow: --arg is not JSON: /);
      assert.equal((await redflow('signal', 'nobody-here', 'ship')).code, 1);
      const run = await redflow('signal', 'order-7-shipment', 'ship', '--arg', '{"carrier":"DHL"}');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'Sent signal ship to order-7-shipment.\n');
      assert.equal(await client.getWorkflowResult(made.order as WorkflowInstance, 10_000), 'order-7 by DHL');
      const shown = await json<{ outcome: string; result: string; children: Array<{ status: string; state: string }> }>('show', 'order-7');
      assert.equal(shown.outcome, 'completed');
      assert.equal(shown.result, 'order-7 by DHL');
      assert.deepEqual(shown.children.map((c) => [c.status, c.state]), [['completed', 'finished']]);
    });

    it('cancels a sleeping instance, and says so when it has ended', async () => {
      const run = await redflow('cancel', 'sleeper-1');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'Asked sleeper-1 to cancel.\n');
      await client.waitForWorkflowInstance(made.sleeper as WorkflowInstance, 10_000);
      assert.equal((await json<{ outcome: string }>('show', 'sleeper-1')).outcome, 'canceled');
      const again = await redflow('cancel', 'sleeper-1');
      assert.equal(again.stdout, 'sleeper-1 has already ended (finished): nothing to cancel.\n');
      assert.equal((await redflow('cancel', 'nope')).code, 1);
    });

    it('refuses to remove an active instance (exit 1), removes a finished one, and removes by time', async () => {
      const active = await redflow('remove', 'unserved-1');
      assert.equal(active.code, 1);
      assert.equal(active.stderr, 'redflow: workflow instance is not finished: unserved-1\n');
      assert.equal(await client.getWorkflowInstanceState({ instanceId: 'unserved-1' }), 'active');
      const one = await redflow('remove', 'double-0');
      assert.equal(one.code, 0, one.stderr);
      assert.equal((await redflow('show', 'double-0')).code, 1);
      assert.equal((await redflow('remove', 'double-0')).code, 1);
      const none = await json<{ removedExecutions: number }>('remove', '--finished-before', '1h');
      assert.equal(none.removedExecutions, 0);
      // double-1, double-2, declined-1, order-7 and its shipment, sleeper-1.
      const rest = await redflow('remove', '--finished-before', '0s');
      assert.equal(rest.code, 0, rest.stderr);
      assert.match(rest.stdout, /^Removed 6 executions finished before /);
      for (const usage of [['remove'], ['remove', 'double-1', '--finished-before', '1h'], ['remove', '--finished-before', 'soon']]) {
        const run = await redflow(...usage);
        assert.equal(run.code, 2, usage.join(' '));
        assert.equal(lines(run.stderr).length, 1, run.stderr);
      }
    });

    it('lists the held instance and retries it; retrying one not held exits 1', async () => {
      const run = await redflow('held');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^INSTANCE\s+WORKFLOW\s+QUEUE\s+REASON\s+ATTEMPTS\s+SINCE\s+NEXT ATTEMPT\s+ERROR$/m);
      assert.match(run.stdout, /^held-1\s+awaitsForeignPromise\s+default\s+unsettled\s+1\s+\S+\s+parked\s+UnsettledWorkflowError: /m);
      const listed = await json<{ instances: Array<{ instanceId: string; parked: boolean }> }>('held', 'list');
      assert.deepEqual(listed.instances.map((h) => [h.instanceId, h.parked]), [['held-1', true]]);
      const notHeld = await redflow('held', 'retry', 'unserved-1');
      assert.equal(notHeld.code, 1);
      assert.equal(notHeld.stderr, 'redflow: unserved-1 is not held: nothing to retry\n');
      const retried = await redflow('held', 'retry', 'held-1');
      assert.equal(retried.code, 0, retried.stderr);
      assert.equal(retried.stdout, 'Retrying held-1 now.\n');
    });
  });

  describe('stats and workers', () => {
    it('shows the counts, the backlog per queue and the unserved queue', async () => {
      const stats = await json<{ activeWorkflowInstances: number; liveWorkers: number; unservedQueues: Array<{ queue: string; kind: string }> }>('stats');
      assert.equal(stats.liveWorkers, 1);
      assert.ok(stats.activeWorkflowInstances >= 1);
      assert.deepEqual(stats.unservedQueues.map((u) => [u.queue, u.kind]), [['nobody', 'workflow']]);
      const run = await redflow('stats');
      assert.match(run.stdout, /^Live workers: +1$/m);
      assert.match(run.stdout, /^nobody\s+1\s+0\s+workflow tasks$/m);
    });

    it('lists the live worker with its version and queues', async () => {
      const workers = await json<Array<{ workerId: string; version: string; queues: string[]; workflows: string[] }>>('workers');
      assert.equal(workers.length, 1);
      assert.equal(workers[0]?.workerId, worker.workerId);
      assert.equal(workers[0]?.version, 'cli-test-1');
      assert.deepEqual(workers[0]?.queues, ['default']);
      assert.ok(workers[0]?.workflows.includes('placeOrder'));
      const run = await redflow('workers');
      assert.match(run.stdout, new RegExp(`^${worker.workerId}\\s+\\S+:${process.pid}\\s+default\\s+workflows\\+activities\\s+6\\s+1\\s+cli-test-1\\s`, 'm'));
    });
  });

  describe('bad arguments and an unreachable store', () => {
    it('exits 2 with one line for bad options and unknown commands', async () => {
      const cases = [
        ['list', '--state', 'running'],
        ['list', '--limit', 'many'],
        ['list', '--limit', '5000'],
        ['list', '--limit', '1e3'],
        ['list', '--limit', '0x10'],
        ['list', '--limit', ' 5'],
        ['stats', '--partitions', '1.0'],
        ['list', '--since', 'yesterday'],
        ['list', '--cursor', 'not-a-cursor'],
        ['signal', 'order-7'],
        ['frobnicate'],
      ];
      for (const args of cases) {
        const run = await redflow(...args);
        assert.equal(run.code, 2, args.join(' '));
        assert.equal(run.stdout, '', args.join(' '));
        assert.equal(lines(run.stderr).length, 1, `${args.join(' ')}: ${run.stderr}`);
      }
    });

    it('names the store URL and where it came from when it is not usable, and reads no other database (exit 2)', async () => {
      const run = async (args: string[], redisUrl?: string): Promise<CliRun> => {
        const out: string[] = [];
        const err: string[] = [];
        const saved = process.env.REDIS_URL;
        if (redisUrl === undefined) delete process.env.REDIS_URL;
        else process.env.REDIS_URL = redisUrl;
        try {
          const code = await runCli(['node', 'redflow', ...args], { out: (line) => out.push(line), err: (line) => err.push(line) });
          return { code, stdout: out.join('\n'), stderr: err.join('\n') };
        } finally {
          if (saved === undefined) delete process.env.REDIS_URL;
          else process.env.REDIS_URL = saved;
        }
      };
      const url = server().url;
      const cases: Array<[string[], string | undefined, RegExp]> = [
        [['stats', '--redis', `${url}/abc`], undefined, /^redflow: --redis "redis:\/\/127\.0\.0\.1:\d+\/abc": its database part "abc" is not a database number/],
        [['list'], `${url}/abc`, /^redflow: REDIS_URL "redis:\/\/127\.0\.0\.1:\d+\/abc": its database part "abc" is not a database number/],
        [['stats'], 'garbage', /^redflow: REDIS_URL "garbage" is not a URL/],
        [['stats', '--redis', 'garbage'], undefined, /^redflow: --redis "garbage" is not a URL/],
        [['stats', '--redis', `${url}/99`], undefined, /^redflow: RedisBackend option redis "redis:\/\/127\.0\.0\.1:\d+\/99" names database 99, which the server refuses/],
        [['list'], `${url}/99`, /names database 99, which the server refuses/],
      ];
      for (const [args, redisUrl, message] of cases) {
        const result = await run(args, redisUrl);
        assert.equal(result.code, 2, `${args.join(' ')} ${redisUrl ?? ''}`);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, message);
        assert.equal(lines(result.stderr).length, 1);
      }
    });

    it('refuses a prefix nobody set up (a mistyped one) with one line and exit 2, and writes nothing under it', async () => {
      const prefix = `never-set-up-${Date.now()}`;
      for (const args of [['list'], ['stats'], ['signal', 'order-7', 'ship', '--arg', '1'], ['show', 'order-7']]) {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli(['node', 'redflow', ...args, '--redis', server().url, '--prefix', prefix], { out: (l) => out.push(l), err: (l) => err.push(l) });
        assert.equal(code, 2, args.join(' '));
        assert.deepEqual(out, []);
        assert.equal(err.length, 1);
        assert.match(err[0] ?? '', new RegExp(`no redflow store under prefix "${prefix}"`));
      }
      const raw = new Redis(server().url);
      try {
        assert.deepEqual(await raw.keys(`${prefix}*`), [], 'nothing was written under the prefix');
      } finally {
        raw.disconnect();
      }
    });

    it('as a process: ends quietly with its status when the reader of its output goes away', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'list', '--limit', '1000', ...store], { stdio: ['ignore', 'pipe', 'pipe'] });
      // The reader closes the pipe before the first line: every write of the command meets EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(stderr, '');
      assert.equal(code, 0);
    });

    it('as a process: documents the exit codes in --help, and exits 2 without a stack trace when Redis is unreachable', async () => {
      const spawn = (...args: string[]): Promise<CliRun> =>
        new Promise((resolve) => {
          execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
            resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
          });
        });
      const port = await freePort();
      const [help, unreachable] = await Promise.all([spawn('--help'), spawn('show', 'order-7', '--redis', `redis://127.0.0.1:${port}`)]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Exit status:\n {2}0 {2}done\n {2}1 {2}not found or refused/);
      for (const command of ['list', 'show', 'history', 'signal', 'cancel', 'remove', 'stats', 'workers', 'held']) {
        assert.match(help.stdout, new RegExp(`^ {2}${command}\\b`, 'm'), command);
      }
      assert.equal(unreachable.code, 2);
      assert.equal(unreachable.stdout, '');
      assert.match(unreachable.stderr, new RegExp(`^redflow: cannot reach the store: redis://127\\.0\\.0\\.1:${port} \\(--redis\\): .*\\n$`));
    });
  });
});
