import type { UnknownName, UnservedName, WorkerInfo } from '../management-types.js';
import { UNKNOWN_NAME_RETENTION_MS, assertTtlMs, assertUnknownName, assertWorkerId, decodeWorkerInfo, encodeWorkerInfo, sortWorkers } from '../worker-info.js';

/**
 * The live workers and recently unknown names of a `MemoryBackend`. Infos are kept encoded, as Redis keeps
 * them, so what comes out is a copy; expired entries are dropped when read or written, as on Redis.
 */
export class MemoryWorkerPresence {
  /** Encoded info and expiry (ms since the epoch) by worker id. */
  readonly #workers = new Map<string, { info: string; expiresAt: number }>();
  /** Last-seen time (ms) by JSON `[kind, queue, name]`. */
  readonly #unknownNames = new Map<string, number>();

  /** `Backend.announceWorker`. */
  announce(info: WorkerInfo, ttlMs: number): void {
    assertTtlMs(ttlMs);
    const encoded = encodeWorkerInfo(info);
    const now = Date.now();
    this.#prune(now);
    this.#workers.set(info.workerId, { info: encoded, expiresAt: now + ttlMs });
  }

  /** `Backend.withdrawWorker`. */
  withdraw(workerId: string): void {
    assertWorkerId(workerId);
    this.#workers.delete(workerId);
  }

  /** `Backend.listWorkers`. */
  list(): WorkerInfo[] {
    this.#prune(Date.now());
    const workers: WorkerInfo[] = [];
    for (const { info } of this.#workers.values()) {
      const decoded = decodeWorkerInfo(info);
      if (decoded !== undefined) workers.push(decoded);
    }
    return sortWorkers(workers);
  }

  /** `Backend.recordUnknownName`. */
  recordUnknownName(name: UnknownName): void {
    assertUnknownName(name);
    const now = Date.now();
    this.#prune(now);
    this.#unknownNames.set(JSON.stringify([name.kind, name.queue, name.name]), now);
  }

  /** The names recorded within `UNKNOWN_NAME_RETENTION_MS`. */
  unknownNames(): UnservedName[] {
    this.#prune(Date.now());
    return [...this.#unknownNames].map(([member, seenAt]) => {
      const [kind, queue, name] = JSON.parse(member) as [UnknownName['kind'], string, string];
      return { kind, queue, name, lastSeenAt: new Date(seenAt) };
    });
  }

  #prune(now: number): void {
    for (const [id, { expiresAt }] of this.#workers) if (expiresAt <= now) this.#workers.delete(id);
    for (const [member, seenAt] of this.#unknownNames) if (seenAt <= now - UNKNOWN_NAME_RETENTION_MS) this.#unknownNames.delete(member);
  }
}
