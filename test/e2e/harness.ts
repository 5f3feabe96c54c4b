import type { Logger } from 'pino';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import type { WorkflowContext } from '../../src/workflow/index.js';
import { startEngine, type EngineSetup } from '../helpers/engine.js';

/** Backend settings a scenario may ask for. */
export interface BackendSettings {
  retentionMs?: number;
  /** The backend's own logger (held tasks, connection trouble). */
  logger?: Logger;
}

/** Creates a fresh backend for one test; the harness closes it. */
export type SettingsBackendFactory = (settings?: BackendSettings) => Promise<Backend>;

/** What a scenario uses: engines on the test's backend, and unique ids. */
export interface E2E {
  /** The executor cache size of this run: 128, or 0 (every task replays the whole history). */
  readonly executorCacheSize: number;
  /** The backend of the running test. */
  backend: () => Backend;
  /** Replaces the test's backend by one with `settings` (call before `engine`). */
  useBackend: (settings: BackendSettings) => Promise<Backend>;
  /** A client of the test's backend, without a worker. */
  client: () => Promise<Client>;
  /**
   * Another client of the test's store, as a second worker process would hold (closed after the test);
   * on a store that lives in one process, the test's backend itself.
   */
  peer: () => Promise<Backend>;
  /** Starts a worker for `setup` on `on` (the test's backend by default), stopped after the test, and returns a client. */
  engine: (setup: EngineSetup, on?: Backend) => Promise<Client>;
  /** Starts a worker, runs `wf` with `args` under a fresh id and returns its result. */
  run: <R>(setup: EngineSetup, wf: (ctx: WorkflowContext, ...args: never[]) => Promise<R>, ...args: unknown[]) => Promise<R>;
  /** A unique instance id. */
  id: (label: string) => string;
}

let ids = 0;

/**
 * Defines `scenarios` once with the executor cache and once without it (every task replays the full
 * history), on a fresh backend per test. `peerOf` opens another client of a backend's store (by default
 * the backend itself is its own peer).
 */
export function e2eGroup(
  title: string,
  backendName: string,
  createBackend: SettingsBackendFactory,
  scenarios: (e2e: E2E) => void,
  peerOf: (backend: Backend) => Backend = (backend) => backend,
): void {
  for (const executorCacheSize of [128, 0]) {
    const mode = executorCacheSize > 0 ? 'with executor cache' : 'without executor cache';
    describe(`${title} on ${backendName}, ${mode}`, function () {
      this.timeout(30_000);
      let backend: Backend | undefined;
      const stops: Array<() => Promise<void>> = [];
      const peers: Backend[] = [];

      afterEach(async () => {
        for (const stop of stops.splice(0)) await stop();
        for (const peer of peers.splice(0)) if (peer !== backend) await peer.close();
        await backend?.close();
        backend = undefined;
      });

      async function current(): Promise<Backend> {
        backend ??= await createBackend();
        return backend;
      }

      const e2e: E2E = {
        executorCacheSize,
        backend: () => {
          if (backend === undefined) throw new Error('no backend yet: start an engine first');
          return backend;
        },
        useBackend: async (settings) => {
          await backend?.close();
          backend = await createBackend(settings);
          return backend;
        },
        client: async () => new Client(await current()),
        peer: async () => {
          const peer = peerOf(await current());
          peers.push(peer);
          return peer;
        },
        engine: async (setup, on) => {
          const started = await startEngine(on ?? (await current()), { ...setup, options: { executorCacheSize, ...setup.options } });
          stops.push(started.stop);
          return started.client;
        },
        run: async (setup, wf, ...args) => {
          const client = await e2e.engine(setup);
          const instance = await client.createWorkflowInstance({ instanceId: e2e.id(wf.name) }, wf.name, ...args);
          return client.getWorkflowResult(instance, 20_000) as never;
        },
        id: (label) => `${label}-${process.pid}-${Date.now()}-${++ids}`,
      };
      scenarios(e2e);
    });
  }
}
