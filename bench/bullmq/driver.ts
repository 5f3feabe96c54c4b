import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue } from 'bullmq';
import { mapConcurrent } from '../concurrency.js';
import { expectResult } from '../expect-result.js';
import type { RunHooks, RunOutcome, SystemDriver } from '../driver.js';
import type { Progress } from '../progress.js';
import type { RedisTarget } from '../redis-target.js';
import { bullmqConnection, type BullmqConnection } from '../system.js';
import { UnsupportedWorkloadError } from '../unsupported.js';
import { workloadSize, type WorkloadSpec } from '../workload.js';
import { CompletionWatcher } from './completion-watcher.js';
import { chainJobId } from './jobs.js';
import { treeFlow } from './tree-flow.js';

interface Resources {
  queue: Queue;
  flows: FlowProducer;
  watcher: CompletionWatcher | undefined;
  connection: BullmqConnection;
}

/** Runs workloads on BullMQ: a queue per workload, flows for parents and children, `QueueEvents` for completions. */
export class BullmqDriver implements SystemDriver {
  readonly system = 'bullmq';
  readonly #target: RedisTarget;
  readonly #prefix: string;
  #resources: Resources | undefined;

  constructor(target: RedisTarget, prefix: string) {
    this.#target = target;
    this.#prefix = prefix;
  }

  async prepare(spec: WorkloadSpec): Promise<void> {
    if (spec.kind === 'parents') throw parentsUnsupported();
    const connection = bullmqConnection(this.#target);
    const options = { connection: connection.connection, prefix: this.#prefix };
    const queue = new Queue(spec.kind, options);
    const flows = new FlowProducer(options);
    await queue.waitUntilReady();
    await flows.waitUntilReady();
    const watcher = spec.kind === 'start' ? undefined : await CompletionWatcher.open(queue, connection.connection, this.#prefix);
    this.#resources = { queue, flows, watcher, connection };
  }

  async run(spec: WorkloadSpec, progress: Progress, hooks?: RunHooks): Promise<RunOutcome> {
    const { queue, flows, watcher } = this.#ready();
    const size = workloadSize(spec);
    const wait = (jobId: string): Promise<unknown> => {
      if (watcher === undefined) throw new Error('no completion watcher');
      return watcher.expect(jobId).then((value) => {
        progress.tick();
        return value;
      });
    };
    switch (spec.kind) {
      case 'chain': {
        const runId = randomUUID().slice(0, 8);
        const last = wait(chainJobId(runId, spec.steps - 1));
        await queue.add('step', { runId, step: 0, steps: spec.steps }, { jobId: chainJobId(runId, 0) });
        expectResult(await last, spec.steps, 'last chain job');
        return size;
      }
      case 'fanout': {
        const parent = wait('fanout');
        const children = Array.from({ length: spec.activities }, (_, index) => ({ name: 'branch', queueName: 'fanout', data: { index } }));
        await flows.add({ name: 'parent', queueName: 'fanout', opts: { jobId: 'fanout' }, children });
        expectResult(await parent, spec.activities, 'fan-out parent');
        return size;
      }
      case 'timers': {
        const done = Array.from({ length: spec.runs }, (_, i) => wait(`timer-${i}`));
        await mapConcurrent(spec.runs, spec.concurrency, (i) => queue.add('timer', {}, { jobId: `timer-${i}`, delay: spec.sleepMs }));
        const latenessMs = (await Promise.all(done)).map(Number);
        return { ...size, latenessMs };
      }
      case 'sleepers': {
        const done = Array.from({ length: spec.runs }, (_, i) => wait(`sleeper-${i}`));
        await mapConcurrent(spec.runs, spec.concurrency, async (i) => {
          await queue.add('sleeper', {}, { jobId: `sleeper-${i}`, delay: spec.sleepMs });
          progress.tick();
        });
        await hooks?.allStarted();
        const latenessMs = (await Promise.all(done)).map(Number);
        return { ...size, latenessMs };
      }
      case 'start':
        await mapConcurrent(spec.runs, spec.concurrency, async (index) => {
          await queue.add('start', { index });
          progress.tick();
        });
        return size;
      case 'tree': {
        const expected = workloadSize({ ...spec, runs: 1 }).activities;
        const roots = Array.from({ length: spec.runs }, (_, i) => wait(`tree-${i}`));
        await mapConcurrent(spec.runs, spec.concurrency, (i) => flows.add(treeFlow(`tree-${i}`, spec.shape)));
        (await Promise.all(roots)).forEach((result) => expectResult(result, expected, 'tree root'));
        return size;
      }
      case 'parents':
        throw parentsUnsupported();
    }
  }

  async close(): Promise<void> {
    const resources = this.#resources;
    this.#resources = undefined;
    await resources?.watcher?.close();
    await resources?.flows.close();
    await resources?.queue.close();
    await resources?.connection.close();
  }

  #ready(): Resources {
    if (this.#resources === undefined) throw new Error('BullmqDriver.run before prepare');
    return this.#resources;
  }
}

// A flow's parent cannot wait for a message from outside its children, and a job cannot sleep on a timer in the
// middle: the nearest BullMQ shape would measure something else.
function parentsUnsupported(): UnsupportedWorkloadError {
  return new UnsupportedWorkloadError('BullMQ has no equivalent of the parents workload (a parent that waits for its children and for a signal)');
}
