import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { startProcess, type Exit, type TestProcess } from '../helpers/processes.js';
import { useRedisServer } from '../helpers/redis-server.js';

// The lines each sample must print (besides its first line, which names the backend or says it needs none).
const SAMPLES: Record<string, string[]> = {
  simple: ['result: Hello, Ada!'],
  retries: ['result: 10800 cents at rate 1.08; rejected after one attempt: unknown currency XYZ'],
  timer: ['result: slept at least 100 ms: true; the hour-long timer was cancelled', 'timer events: TimerScheduled, TimerScheduled, TimerFired, TimerCanceled'],
  signal: ['result: travel expense approved by Grace'],
  'sub-workflows': ['result: 20 words (3 + 12 + 5) counted by 3 sub-workflows', 'child book-…-chapter-2 is finished'],
  cancellation: ['  cancelled booking hotel-lisbon', 'result: ended cancelled after its cleanup'],
  'continue-as-new': ['first execution ended continued-as-new', 'result: 30 items in 3 executions'],
  'select-timeout': ['result: order-1: paid 4200 cents', 'result: order-2: no payment within 100 ms: cancelled'],
  'side-effects': ['result: the code ran 3 times and saw 1 token; the side effect ran 1 time, recorded in 1 event'],
  queues: ['result: harbour.jpg published with harbour-thumb.webp', 'the activity was scheduled on queue gpu'],
  testing: [
    'result: charged on day 30: receipt-1',
    'virtual time elapsed: 30 days',
    'activity call: chargeCard(ada, 999) at 2026-01-31T00:00:00.000Z, mocked: true',
    'result: cancelled on day 12: too expensive; chargeCard calls: 0',
    'a workflow that does not replay: NonDeterminismError',
  ],
  'worker-pod': ['pod 1 stopped gracefully with both orders in flight (its SIGTERM handler does exactly this)', 'result: pod-…-1 paid €15.00', 'result: pod-…-2 paid €30.00'],
};
// Samples that need no backend print this first line whatever REDIS_URL says; they still run under both settings.
const BACKENDLESS_HEADERS: Record<string, string> = {
  testing: 'testing sample with WorkflowTester: no backend, virtual time (REDIS_URL is not used)',
};
// Folders with a main.ts that have tests of their own: the order demo (test/examples/shutdown.test.ts) and
// the patching example (test/examples/patching.test.ts).
const TESTED_ELSEWHERE = ['order', 'patching'];
// Samples run side by side, a few at a time: each is mostly a node start-up.
const PARALLEL = 3;

interface Run {
  exit: Exit;
  lines: string[];
}

/** Starts every sample with `env(name)`, at most PARALLEL at once; returns each one's exit and lines to come. */
function runAll(env: (name: string) => NodeJS.ProcessEnv, running: Set<TestProcess>): Map<string, Promise<Run>> {
  const runs = new Map<string, Promise<Run>>();
  const lanes: Array<Promise<unknown>> = Array.from({ length: PARALLEL }, () => Promise.resolve());
  Object.keys(SAMPLES).forEach((name, i) => {
    const run = lanes[i % PARALLEL]!.then(async () => {
      const proc = startProcess('node', ['--import', 'tsx', 'examples/run.ts', name], { REDIS_URL: '', REDFLOW_LOG_LEVEL: '', ...env(name) });
      running.add(proc);
      const exit = await proc.exited;
      running.delete(proc);
      return { exit, lines: proc.lines };
    });
    lanes[i % PARALLEL] = run.catch(() => undefined);
    runs.set(name, run);
  });
  return runs;
}

// Every sample in examples/ runs to its end on both backends and prints what it shows.
describe('the samples in examples/', function () {
  this.timeout(60_000);
  const server = useRedisServer();
  const running = new Set<TestProcess>();
  after(() => running.forEach((proc) => proc.killGroup()));

  it('has a smoke test for every sample folder', () => {
    const folders = readdirSync('examples', { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(`examples/${entry.name}/main.ts`))
      .map((entry) => entry.name)
      .filter((name) => !TESTED_ELSEWHERE.includes(name));
    assert.deepEqual(folders.sort(), Object.keys(SAMPLES).sort());
  });

  it('`npm run example` without a known name lists the samples and exits 2', async () => {
    const proc = startProcess('npm', ['run', '--silent', 'example', '--', 'no-such-sample'], {});
    running.add(proc);
    assert.deepEqual(await proc.exited, { code: 2, signal: null } satisfies Exit);
    assert.match(proc.lines.join('\n'), /unknown sample 'no-such-sample'; run one of: npm run example -- <.*\bworker-pod\b.*>/);
  });

  for (const backend of ['MemoryBackend', 'Redis'] as const) {
    describe(`on ${backend}`, () => {
      let runs: Map<string, Promise<Run>>;
      let header: string;
      before(() => {
        const url = server().url;
        header = backend === 'Redis' ? `on Redis at ${url}` : 'on MemoryBackend (set REDIS_URL to use Redis)';
        // A prefix per sample: samples side by side on one Redis must not serve each other's queues.
        runs = runAll((name) => (backend === 'Redis' ? { REDIS_URL: url, REDFLOW_PREFIX: `${name}-${randomUUID()}` } : {}), running);
      });

      for (const [name, expected] of Object.entries(SAMPLES)) {
        it(name, async () => {
          const { exit, lines } = await runs.get(name)!;
          const output = lines.join('\n');
          assert.deepEqual(exit, { code: 0, signal: null } satisfies Exit, output);
          assert.equal(lines[0], BACKENDLESS_HEADERS[name] ?? `${name} sample ${header}`, output);
          for (const line of expected) assert.ok(lines.includes(line), `missing line ${JSON.stringify(line)} in:\n${output}`);
        });
      }
    });
  }
});
