import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Client, createLogger, RedisBackend, type WorkflowInstance } from '../../src/index.js';
import { mapConcurrent } from '../concurrency.js';
import { expectResult } from '../expect-result.js';
import type { RunHooks, RunOutcome, SystemDriver } from '../driver.js';
import type { Progress } from '../progress.js';
import { workloadSize, type ParentsSpec, type TreeSpec, type WorkloadSpec } from '../workload.js';
import { UnsupportedWorkloadError } from '../unsupported.js';
import type { RedisTarget } from '../redis-target.js';
import { backendConnection, type BackendConnection } from './connection.js';
import { PARENTS_SIGNAL, benchParent, expectedParentResult } from './parents-workflows.js';
import { benchTreeProbe, benchTreeRoot } from './tree-workflows.js';
import { START_WORKFLOW, benchChain, benchFanout, benchTimer } from './workflows.js';

const RESULT_TIMEOUT_MS = 30 * 60_000;
// A parent with one empty child finishes in milliseconds on a local worker.
const SUB_WORKFLOW_PROBE_TIMEOUT_MS = 3000;

/** Runs workloads on redflow through its `Client`. */
export class RedflowDriver implements SystemDriver {
  readonly system = 'redflow';
  readonly #backend: RedisBackend;
  readonly #client: Client;
  readonly #connection: BackendConnection;

  /** A client of `target` under `prefix`, with `partitions` (the backend's default when absent). */
  constructor(target: RedisTarget, prefix: string, partitions?: number) {
    const logger = createLogger({ name: 'bench-client', defaultLevel: 'warn', destination: pino.destination(2) });
    this.#connection = backendConnection(target);
    this.#backend = new RedisBackend({ redis: this.#connection.redis, prefix, partitions, logger });
    this.#client = new Client(this.#backend);
  }

  async prepare(spec: WorkloadSpec): Promise<void> {
    // Connects before the clock starts; the instance does not exist, which is fine.
    await this.#client.getWorkflowInstanceState({ instanceId: 'bench-warm-up', executionId: 'none' }).catch(() => undefined);
    if (spec.kind === 'tree' || spec.kind === 'parents') await this.#probeSubWorkflows();
  }

  // Sub-workflows need backend support that a backend may not have yet; without it the tree would wait forever.
  async #probeSubWorkflows(): Promise<void> {
    const probe = await this.#client.createWorkflowInstance({ instanceId: 'tree-probe' }, benchTreeProbe);
    try {
      await this.#client.getWorkflowResult(probe, SUB_WORKFLOW_PROBE_TIMEOUT_MS);
    } catch (err) {
      throw new UnsupportedWorkloadError(`redflow on Redis did not run a sub-workflow within ${SUB_WORKFLOW_PROBE_TIMEOUT_MS} ms (${String(err)})`);
    }
  }

  async run(spec: WorkloadSpec, progress: Progress, hooks?: RunHooks): Promise<RunOutcome> {
    const size = workloadSize(spec);
    switch (spec.kind) {
      case 'chain': {
        const instance = await this.#client.createWorkflowInstance({ instanceId: 'chain' }, benchChain, spec.steps);
        expectResult(await this.#client.getWorkflowResult(instance, RESULT_TIMEOUT_MS), spec.steps, 'chain result');
        progress.tick();
        return size;
      }
      case 'fanout': {
        const instance = await this.#client.createWorkflowInstance({ instanceId: 'fanout' }, benchFanout, spec.activities);
        expectResult(await this.#client.getWorkflowResult(instance, RESULT_TIMEOUT_MS), spec.activities, 'fan-out result');
        progress.tick();
        return size;
      }
      case 'timers': {
        const instances = await mapConcurrent(spec.runs, spec.concurrency, (i) =>
          this.#client.createWorkflowInstance({ instanceId: `timer-${i}` }, benchTimer, spec.sleepMs),
        );
        const latenessMs = await Promise.all(instances.map((instance) => this.#awaitResult(instance, progress)));
        return { ...size, latenessMs };
      }
      case 'sleepers': {
        const instances = await mapConcurrent(spec.runs, spec.concurrency, async (i) => {
          const instance = await this.#client.createWorkflowInstance({ instanceId: `sleeper-${i}` }, benchTimer, spec.sleepMs);
          progress.tick();
          return instance;
        });
        await hooks?.allStarted();
        const latenessMs = await Promise.all(instances.map((instance) => this.#awaitResult(instance, progress)));
        return { ...size, latenessMs };
      }
      case 'start':
        await mapConcurrent(spec.runs, spec.concurrency, async (i) => {
          await this.#client.createWorkflowInstance({ instanceId: `start-${i}` }, START_WORKFLOW);
          progress.tick();
        });
        return size;
      case 'tree':
        await this.#runTree(spec, progress);
        return size;
      case 'parents':
        return { completionMs: await this.#runParents(spec, progress), ...size };
    }
  }

  // Each parent is signalled right after its start; its completion time runs from before the start until the
  // client had its result. The signal's value is the parent's index, which comes back in the result.
  // `concurrency` bounds the starts in flight, not the parents running.
  async #runParents(spec: ParentsSpec, progress: Progress): Promise<number[]> {
    const started = await mapConcurrent(spec.runs, spec.concurrency, async (i) => {
      const began = performance.now();
      const parent = await this.#client.createWorkflowInstance({ instanceId: `parent-${i}` }, benchParent, spec.children, spec.sleepMs);
      await this.#client.signalWorkflow(parent.instanceId, PARENTS_SIGNAL, i);
      const completed = this.#client.getWorkflowResult(parent, RESULT_TIMEOUT_MS).then((result) => {
        const ms = performance.now() - began;
        expectResult(result, expectedParentResult(spec.children, i), `parent ${i} result`);
        progress.tick();
        return ms;
      });
      // Awaited below with the others; until then a failure must not count as unhandled.
      completed.catch(() => undefined);
      return { completed };
    });
    return Promise.all(started.map((parent) => parent.completed));
  }

  async #runTree(spec: TreeSpec, progress: Progress): Promise<void> {
    const expected = workloadSize({ ...spec, runs: 1 }).activities;
    const roots = await mapConcurrent(spec.runs, spec.concurrency, (i) =>
      this.#client.createWorkflowInstance({ instanceId: `tree-${i}` }, benchTreeRoot, spec.shape),
    );
    const results = await Promise.all(roots.map((root) => this.#awaitResult(root, progress)));
    results.forEach((result) => expectResult(result, expected, 'tree root result'));
  }

  async #awaitResult(instance: WorkflowInstance<number>, progress: Progress): Promise<number> {
    const result = await this.#client.getWorkflowResult(instance, RESULT_TIMEOUT_MS);
    progress.tick();
    return result;
  }

  async close(): Promise<void> {
    await this.#backend.close();
    await this.#connection.close();
  }
}
