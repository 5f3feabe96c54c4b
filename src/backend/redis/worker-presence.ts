import type { TaskKind, UnknownName, UnservedName, WorkerInfo } from '../management-types.js';
import { UNKNOWN_NAME_RETENTION_MS, assertTtlMs, assertUnknownName, assertWorkerId, decodeWorkerInfo, encodeWorkerInfo, sortWorkers } from '../worker-info.js';
import { unknownNamesKey, workerInfosKey, workersKey } from './keys.js';
import type { RedisContext } from './redis-context.js';
import { ScriptRunner } from './script-runner.js';

/** What read-presence.lua found: the live workers and, when asked for, the recently unknown names. */
export interface PresenceRead {
  workers: WorkerInfo[];
  unknownNames: UnservedName[];
}

/**
 * Live workers and the names they lacked, on Redis: three keys under the hash tag `{workers}` (see
 * `workersKey`), written and read by one script per operation on the Redis clock, so the workers' clocks do
 * not decide when an announcement expires.
 */
export class RedisWorkerPresence {
  readonly #runner: ScriptRunner;
  readonly #workers: string;
  readonly #infos: string;
  readonly #unknownNames: string;

  constructor(context: RedisContext) {
    this.#runner = new ScriptRunner(context.client);
    this.#workers = workersKey(context.prefix);
    this.#infos = workerInfosKey(context.prefix);
    this.#unknownNames = unknownNamesKey(context.prefix);
  }

  /** Runs announce-worker.lua; `InvalidArgumentError` (storing nothing) for a malformed info or ttl. */
  async announce(info: WorkerInfo, ttlMs: number): Promise<void> {
    assertTtlMs(ttlMs);
    const encoded = encodeWorkerInfo(info);
    await this.#runner.run('announce-worker', [this.#workers, this.#infos], [info.workerId, ttlMs, encoded]);
  }

  /** Runs withdraw-worker.lua. */
  async withdraw(workerId: string): Promise<void> {
    assertWorkerId(workerId);
    await this.#runner.run('withdraw-worker', [this.#workers, this.#infos], [workerId]);
  }

  /** Runs record-unknown-name.lua; `InvalidArgumentError` (storing nothing) for a bad kind, queue or name. */
  async recordUnknownName(name: UnknownName): Promise<void> {
    assertUnknownName(name);
    const member = JSON.stringify([name.kind, name.queue, name.name]);
    await this.#runner.run('record-unknown-name', [this.#unknownNames], [member, UNKNOWN_NAME_RETENTION_MS]);
  }

  /** Runs read-presence.lua: the live workers (sorted as `listWorkers`), and the unknown names with `withNames`. */
  async read(withNames: boolean): Promise<PresenceRead> {
    const keys = [this.#workers, this.#infos, this.#unknownNames];
    const [infos, names] = (await this.#runner.run('read-presence', keys, [UNKNOWN_NAME_RETENTION_MS, withNames ? 1 : 0])) as [string[], string[]];
    const workers: WorkerInfo[] = [];
    for (const info of infos) {
      const decoded = decodeWorkerInfo(info);
      if (decoded !== undefined) workers.push(decoded);
    }
    const unknownNames: UnservedName[] = [];
    for (let i = 0; i + 1 < names.length; i += 2) {
      const name = parseMember(names[i] as string);
      if (name !== undefined) unknownNames.push(Object.assign({}, name, { lastSeenAt: new Date(Number(names[i + 1])) }));
    }
    return { workers: sortWorkers(workers), unknownNames };
  }
}

function parseMember(member: string): UnknownName | undefined {
  try {
    const [kind, queue, name] = JSON.parse(member) as [TaskKind, string, string];
    const parsed = { kind, queue, name };
    assertUnknownName(parsed);
    return parsed;
  } catch {
    return undefined;
  }
}
