import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isChildMessage, type ChildMessage, type ParentMessage, type WorkerReport, type WorkerSample } from './ipc.js';
import type { WorkerConfig } from './system.js';

// `npm run bench` runs the harness compiled to JavaScript (bench/tsconfig.json), and its workers run the compiled
// worker entry with plain Node, as redflow is deployed and as BullMQ runs: through tsx, every closure the engine
// makes would also get its name defined on it (esbuild's keepNames), which costs CPU and memory BullMQ does not pay.
// The smoke tests run the TypeScript sources through tsx, and so do their workers.
const COMPILED = import.meta.url.endsWith('.js');
const ENTRY = fileURLToPath(new URL(COMPILED ? './worker-process.js' : './worker-process.ts', import.meta.url));
// tsx is resolved through require, from wherever this file runs.
const LOADER_ARGS = COMPILED ? [] : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
const READY_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

type ReplyType = ChildMessage['type'];

/** One worker child process and its request/reply channel. */
class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #waiters = new Map<ReplyType, (message: ChildMessage) => void>();
  readonly #exited: Promise<void>;
  #failure: Error | undefined;

  constructor(config: WorkerConfig, nodeArgs: string[]) {
    // Worker output goes to stderr, so stdout keeps only the harness's table or JSON lines.
    this.#child = spawn(process.execPath, [...nodeArgs, ...LOADER_ARGS, ENTRY, JSON.stringify(config)], {
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    this.#child.on('message', (message: unknown) => {
      if (!isChildMessage(message)) return;
      if (message.type === 'failed') this.#fail(new Error(`worker process failed: ${message.message}`));
      const waiter = this.#waiters.get(message.type);
      this.#waiters.delete(message.type);
      waiter?.(message);
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#fail(new Error(`worker process exited (${signal ?? code})`));
        resolve();
      });
    });
  }

  /** Waits for a message of `type`, after sending `request` if given. */
  async exchange(type: ReplyType, request?: ParentMessage, timeoutMs = REPLY_TIMEOUT_MS): Promise<ChildMessage> {
    if (this.#failure !== undefined) throw this.#failure;
    const reply = new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker process did not answer ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.set(type, (message) => {
        clearTimeout(timer);
        if (message.type === 'failed') reject(this.#failure ?? new Error(message.message));
        else resolve(message);
      });
    });
    if (request !== undefined) this.#child.send(request);
    return reply;
  }

  async report(collectGarbage = false): Promise<WorkerReport> {
    const reply = await this.exchange('report', { type: 'report', collectGarbage });
    if (reply.type !== 'report') throw new Error(`unexpected reply ${reply.type}`);
    return reply.report;
  }

  async sample(collectGarbage = false): Promise<WorkerSample> {
    const reply = await this.exchange('sample', { type: 'sample', collectGarbage });
    if (reply.type !== 'sample') throw new Error(`unexpected reply ${reply.type}`);
    return reply.sample;
  }

  /** The process id of the worker process. */
  get pid(): number {
    return this.#child.pid ?? 0;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    if (this.#child.connected) this.#child.send({ type: 'stop' } satisfies ParentMessage);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const [, waiter] of this.#waiters) waiter({ type: 'failed', message: err.message });
    this.#waiters.clear();
  }
}

/** Worker processes serving one system's workload; each reports its CPU, memory, commands and step marks. */
export class WorkerPool {
  readonly #processes: WorkerProcess[];

  private constructor(processes: WorkerProcess[]) {
    this.#processes = processes;
  }

  /** Spawns `count` worker processes (node started with `nodeArgs`) and waits until each is serving. */
  static async start(config: WorkerConfig, count: number, nodeArgs: string[] = []): Promise<WorkerPool> {
    const processes = Array.from({ length: count }, () => new WorkerProcess(config, nodeArgs));
    const pool = new WorkerPool(processes);
    try {
      await Promise.all(processes.map((p) => p.exchange('ready', undefined, READY_TIMEOUT_MS)));
    } catch (err) {
      await pool.stop();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.#processes.length;
  }

  /** The worker processes' ids, in the order of their reports. */
  get pids(): number[] {
    return this.#processes.map((p) => p.pid);
  }

  /** Starts every process's measurements afresh. */
  async reset(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.exchange('reset', { type: 'reset' })));
  }

  /** Each process's measurements since the last reset; with `collectGarbage`, after a full GC where exposed. */
  report(collectGarbage = false): Promise<WorkerReport[]> {
    return Promise.all(this.#processes.map((p) => p.report(collectGarbage)));
  }

  /** Each process's memory and tasks run so far, without resetting anything; with `collectGarbage`, after a full GC where exposed. */
  sample(collectGarbage = false): Promise<WorkerSample[]> {
    return Promise.all(this.#processes.map((p) => p.sample(collectGarbage)));
  }

  /** Stops every process gracefully (killing one that does not exit in time). */
  async stop(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.stop()));
  }
}
