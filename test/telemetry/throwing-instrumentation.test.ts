import assert from 'node:assert/strict';
import type { ActivityTask } from '../../src/backend/backend.js';
import type { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import { guardInstrumentation } from '../../src/core/guarded-instrumentation.js';
import type { ActivityAttemptObserver, Instrumentation, WorkflowStartObserver, WorkflowTaskObserver } from '../../src/core/instrumentation.js';
import { Worker } from '../../src/worker/worker.js';
import { captureLogs, type LogLine } from '../helpers/log-capture.js';
import { redisBackendOn } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { ORDER_RESULT, flakyCharge, order, ship, shipping } from './scenario.js';

function hookError(hook: string): Error {
  return new Error(`${hook} is broken`);
}

/** An instrumentation whose every hook throws, before any observer exists. */
function throwingHooks(): Instrumentation {
  const fail = (hook: string) => (): never => {
    throw hookError(hook);
  };
  return {
    enabled: true,
    workflowStarting: fail('workflowStarting'),
    workflowTaskStarted: fail('workflowTaskStarted'),
    activityAttemptStarted: fail('activityAttemptStarted'),
    leaseLost: fail('leaseLost'),
    attach: fail('attach'),
  };
}

/**
 * An instrumentation whose hooks return observers whose every member throws: `committed` after the task's commit,
 * `failed`, `timerFired`, the trace contexts (when read), an activity's `runInContext` after it ran the activity
 * (or, with `runInContext: 'before'`, before running it) and `ended`.
 */
function throwingObservers(runInContext: 'after' | 'before'): Instrumentation {
  const fail = (hook: string): never => {
    throw hookError(hook);
  };
  return {
    enabled: true,
    workflowStarting: (): WorkflowStartObserver => ({
      get traceContext(): never {
        return fail('start traceContext');
      },
      end: () => fail('end'),
    }),
    workflowTaskStarted: (): WorkflowTaskObserver => ({
      get traceContext(): never {
        return fail('task traceContext');
      },
      timerFired: () => fail('timerFired'),
      committed: () => fail('committed'),
      failed: () => fail('failed'),
    }),
    activityAttemptStarted: (): ActivityAttemptObserver => ({
      runInContext: <T>(run: () => T): T => {
        if (runInContext === 'after') run();
        return fail('runInContext');
      },
      ended: () => fail('ended'),
    }),
    leaseLost: () => fail('leaseLost'),
    attach: () => () => fail('detach'),
  };
}

/** The warnings about hooks that threw, by hook. */
function hookWarnings(lines: LogLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (line.level === 40 && typeof line.hook === 'string') counts.set(line.hook, (counts.get(line.hook) ?? 0) + 1);
  }
  return counts;
}

// Instrumentation is user code the engine calls: whatever it throws must not change what the engine does.
describe('telemetry: an instrumentation that throws', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let backend: RedisBackend;

  afterEach(async () => {
    await backend?.close();
  });

  /** Runs `order` (activities with a retry, timers, a signal, a child) to its end with `telemetry` everywhere. */
  async function runOrderWith(telemetry: Instrumentation, prefix: string): Promise<{ lines: LogLine[] }> {
    backend = redisBackendOn(redis(), { prefix });
    const logs = captureLogs('debug');
    const worker = new Worker(backend, { logger: logs.logger, telemetry, workflowLockTimeoutMs: 5_000, activityLockTimeoutMs: 5_000 });
    worker.registerWorkflow(order).registerWorkflow(shipping).registerActivity(flakyCharge).registerActivity(ship);
    await worker.start();
    try {
      const client = new Client(backend, { telemetry, logger: logs.logger });
      await client.createWorkflowInstance({ instanceId: prefix }, order, 'o-1');
      await client.signalWorkflow(prefix, 'approve', 'yes');
      assert.equal(await client.getWorkflowResult({ instanceId: prefix }, 15_000), ORDER_RESULT);
      assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
      const held = logs.lines.filter((line) => /held/i.test(line.msg));
      assert.deepEqual(held, [], 'a task was held');
    } finally {
      await worker.stop();
    }
    return { lines: logs.lines };
  }

  it('runs workflows and activities to the right results when every hook throws', async () => {
    const { lines } = await runOrderWith(throwingHooks(), 'throwing-hooks');
    // Each hook that threw is warned about once, however many tasks it threw for.
    const warnings = hookWarnings(lines);
    assert.deepEqual([...warnings.keys()].sort(), ['activityAttemptStarted', 'attach', 'workflowStarting', 'workflowTaskStarted']);
    assert.deepEqual([...new Set(warnings.values())], [1]);
    assert.ok(lines.some((line) => line.level === 20 && line.hook === 'workflowTaskStarted'), 'later throws are logged at debug');
  });

  it('commits and delivers everything when every observer member throws, after the commit or around the activity', async () => {
    const { lines } = await runOrderWith(throwingObservers('after'), 'throwing-observers');
    const warnings = hookWarnings(lines);
    for (const hook of [
      'workflowStarting().traceContext',
      'workflowStarting().end',
      'workflowTaskStarted().traceContext',
      'workflowTaskStarted().timerFired',
      'workflowTaskStarted().committed',
      'activityAttemptStarted().runInContext',
      'activityAttemptStarted().ended',
      'attach() detach',
    ]) {
      assert.equal(warnings.get(hook), 1, hook);
    }
  });

  it('holds nothing when only committed throws, after the task committed', async () => {
    const quiet = (): undefined => undefined;
    const telemetry: Instrumentation = {
      enabled: true,
      workflowStarting: () => ({ traceContext: undefined, end: quiet }),
      workflowTaskStarted: () => ({
        traceContext: undefined,
        timerFired: quiet,
        failed: quiet,
        committed: () => {
          throw hookError('committed');
        },
      }),
      activityAttemptStarted: () => ({ runInContext: (run) => run(), ended: quiet }),
      leaseLost: quiet,
      attach: () => quiet,
    };
    const { lines } = await runOrderWith(telemetry, 'throwing-commit');
    assert.deepEqual([...hookWarnings(lines).entries()], [['workflowTaskStarted().committed', 1]]);
  });

  it('runs the activity once when runInContext throws before running it', async () => {
    const { lines } = await runOrderWith(throwingObservers('before'), 'throwing-context');
    assert.equal(hookWarnings(lines).get('activityAttemptStarted().runInContext'), 1);
  });
});

describe('telemetry: guardInstrumentation', () => {
  const task = { name: 'charge', queue: 'default' } as ActivityTask;

  it('gives the activity its own outcome, run once, whatever runInContext does around it', async () => {
    const logs = captureLogs('debug');
    const runs: string[] = [];
    const cases: Array<[string, ActivityAttemptObserver['runInContext']]> = [
      ['calls run twice', <T>(run: () => T): T => (run(), run())],
      ['never calls run', <T>(): T => undefined as T],
      ['returns something else', <T>(run: () => T): T => (run(), 'not the result' as T)],
      ['rejects on its own', <T>(run: () => T): T => Promise.resolve(run()).then(() => Promise.reject(hookError('async runInContext'))) as T],
    ];
    for (const [label, runInContext] of cases) {
      const guarded = guardInstrumentation(
        Object.assign(throwingHooks(), { activityAttemptStarted: (): ActivityAttemptObserver => ({ runInContext, ended: () => undefined }) }),
        logs.logger,
      );
      const observer = guarded.activityAttemptStarted(task, 0);
      const result = await observer.runInContext(async () => {
        runs.push(label);
        return 42;
      });
      assert.equal(result, 42, label);
      const failing = (): never => {
        throw new TypeError(`activity of case ${label}`);
      };
      assert.throws(() => observer.runInContext(failing), { name: 'TypeError', message: `activity of case ${label}` });
    }
    assert.deepEqual(runs, cases.map(([label]) => label));
    // The activity's own throw is never taken for the hook's.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(!logs.lines.some((line) => line.err?.message?.startsWith('activity of case') === true));
    assert.equal(logs.lines.filter((line) => line.err?.message === 'async runInContext is broken').length, 1);
  });

  it('reports a hook whose promise rejects instead of leaving the rejection unhandled, and drops unstorable trace contexts', async () => {
    const logs = captureLogs('debug');
    const rejected: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void rejected.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const guarded = guardInstrumentation(
        Object.assign(throwingHooks(), {
          leaseLost: async (): Promise<void> => Promise.reject(hookError('async leaseLost')),
          workflowStarting: (): WorkflowStartObserver => ({ traceContext: { traceparent: 7 } as unknown as Record<string, string>, end: () => undefined }),
        }),
        logs.logger,
      );
      guarded.leaseLost('activity', 'default');
      assert.equal(guarded.workflowStarting({ instanceId: 'i', executionId: 'e' }, 'w', 'default').traceContext, undefined);
      assert.doesNotThrow(() => guarded.attach(backendless)());
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(rejected, []);
      assert.deepEqual([...hookWarnings(logs.lines).keys()].sort(), ['attach', 'leaseLost', 'workflowStarting().traceContext']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

const backendless = {} as Parameters<Instrumentation['attach']>[0];
