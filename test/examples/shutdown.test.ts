import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { jsonLines, startProcess, survivors, type Exit, type TestProcess } from '../helpers/processes.js';
import { useRedisServer } from '../helpers/redis-server.js';

const READY_MS = 30_000;
const STOP_MS = 15_000;
const GONE_MS = 10_000;

async function exitWithin(proc: TestProcess, timeoutMs: number): Promise<Exit | 'still running'> {
  return Promise.race([proc.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), timeoutMs).unref())]);
}

// Every documented way of running the example's worker, stopped the way a process manager stops it.
describe('stopping the example processes with a signal', function () {
  this.timeout(90_000);
  const server = useRedisServer();
  let running: TestProcess | undefined;

  afterEach(() => running?.killGroup());

  function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): TestProcess {
    running = startProcess(command, args, { REDIS_URL: server().url, REDFLOW_PREFIX: `shutdown-${randomUUID()}`, REDFLOW_LOG_LEVEL: 'info', ...env });
    return running;
  }

  /** Sends `signal` to the process (or its whole group) and checks that the worker stopped and nothing is left. */
  async function stopsGracefully(proc: TestProcess, signal: NodeJS.Signals, target: 'process' | 'group'): Promise<void> {
    process.kill(target === 'group' ? -proc.pid : proc.pid, signal);
    const exit = await exitWithin(proc, STOP_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after ${signal}:\n${proc.lines.join('\n')}`);
    assert.ok(proc.lines.includes(`${signal}: stopping gracefully (send it again to exit at once)`), proc.lines.join('\n'));
    assert.equal(jsonLines(proc.lines).filter((line) => line.msg === 'worker stopped').length, 1, proc.lines.join('\n'));
    assert.deepEqual(await survivors(proc, GONE_MS), [], 'no process of the group survives');
  }

  const workerReady = (line: string): boolean => line.startsWith('order worker running');

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`node --import tsx examples/order/worker.ts (the Dockerfile's command) stops on ${signal}`, async () => {
      const proc = start(process.execPath, ['--import', 'tsx', 'examples/order/worker.ts']);
      await proc.waitForLine(workerReady, READY_MS);
      await stopsGracefully(proc, signal, 'process');
    });
  }

  it('npm run worker stops when npm gets SIGTERM, as from a process manager or as PID 1 of a container', async () => {
    const proc = start('npm', ['run', 'worker']);
    await proc.waitForLine(workerReady, READY_MS);
    await stopsGracefully(proc, 'SIGTERM', 'process');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`npm run worker stops when its whole process group gets ${signal} (Ctrl-C, systemd), although npm forwards it again`, async () => {
      const proc = start('npm', ['run', 'worker']);
      await proc.waitForLine(workerReady, READY_MS);
      await stopsGracefully(proc, signal, 'group');
    });
  }

  it('npm run demo stops its in-process worker on SIGTERM while orders run', async () => {
    const proc = start('npm', ['run', 'demo']);
    // The orders then take most of a second: a failed first charge, a 200 ms retry, a 500 ms durable sleep.
    await proc.waitForLine((line) => line.startsWith('started order-'), READY_MS);
    await stopsGracefully(proc, 'SIGTERM', 'process');
  });

  it('a second signal during a stop that does not finish exits at once, unless it is the same request twice', async () => {
    const proc = start(process.execPath, ['--import', 'tsx', 'test/examples/stuck-stop-process.ts']);
    await proc.waitForLine((line) => line === 'ready', READY_MS);
    // Delivered together, as to a process group under `npm run`: one request.
    process.kill(proc.pid, 'SIGTERM');
    process.kill(proc.pid, 'SIGTERM');
    await proc.waitForLine((line) => line.startsWith('SIGTERM: stopping gracefully'), STOP_MS);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(proc.child.exitCode, null, 'the duplicate signal did not end the process');
    process.kill(proc.pid, 'SIGINT');
    const exit = await exitWithin(proc, STOP_MS);
    assert.deepEqual(exit, { code: 130, signal: null }, proc.lines.join('\n'));
    assert.ok(proc.lines.includes('SIGINT again: exiting without finishing the stop'));
    assert.deepEqual(await survivors(proc, GONE_MS), []);
  });
});
