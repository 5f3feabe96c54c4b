import type { RelayLeaseHold, RelayScripts } from './relay-scripts.js';
import type { RedisClient } from './script-runner.js';

// How long a request to hold a lease waits for others to join it. Relays renew at the same instants
// (`RelayLeases.nextRenewalAt`), so their requests meet within a few milliseconds; none waits on a hot path.
const GATHER_MS = 5;

interface Request {
  lease: string;
  resolve(held: RelayLeaseHold): void;
  reject(err: unknown): void;
}

/**
 * Takes and renews the relay leases of one backend's relays (one per partition it owns), gathering the
 * requests made within a few milliseconds into one hold-relay-lease call: on one Redis a single call for
 * every partition, on a Cluster one per partition (each has a slot of its own). This is what keeps an idle
 * owner of many partitions down to about one command per renewal period.
 */
export class RelayLeases {
  readonly #client: RedisClient;
  readonly #scripts: RelayScripts;
  readonly #owner: string;
  readonly #leaseMs: number;
  // Each process renews at its own phase, so a fleet's renewals do not all reach Redis in the same millisecond.
  readonly #phaseMs: number;
  #gathering: Request[] = [];

  /** `owner`: the relays' name, the value of the leases they hold; `leaseMs`: how long a hold lasts. */
  constructor(client: RedisClient, scripts: RelayScripts, owner: string, leaseMs: number) {
    this.#client = client;
    this.#scripts = scripts;
    this.#owner = owner;
    this.#leaseMs = leaseMs;
    this.#phaseMs = Math.random() * this.renewalMs;
  }

  /** How long (ms) a hold lasts. */
  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** How often (ms) a holder renews: a third of the lease, so one late renewal never loses it. */
  get renewalMs(): number {
    return this.#leaseMs / 3;
  }

  /** The next renewal instant after `nowMs` (ms since the epoch), the same for every relay of the backend. */
  nextRenewalAt(nowMs: number): number {
    return (Math.floor((nowMs - this.#phaseMs) / this.renewalMs) + 1) * this.renewalMs + this.#phaseMs;
  }

  /**
   * Takes or renews `lease`: `'renewed'` or `'taken'` when the caller's relay holds it for `leaseMs` from now
   * (`'taken'`: it had run out, and another relay may have held it meanwhile), `'other'` when another does.
   */
  hold(lease: string): Promise<RelayLeaseHold> {
    return new Promise((resolve, reject) => {
      // The first request of a gathering sends it.
      if (this.#gathering.push({ lease, resolve, reject }) === 1) setTimeout(() => this.#send(), GATHER_MS);
    });
  }

  #send(): void {
    const requests = this.#gathering;
    this.#gathering = [];
    const groups = this.#client.isCluster ? requests.map((request) => [request]) : [requests];
    for (const group of groups) {
      this.#scripts.holdRelayLeases(group.map((request) => request.lease), this.#owner, this.#leaseMs).then(
        (held) => group.forEach((request, i) => request.resolve(held[i] ?? 'other')),
        (err: unknown) => group.forEach((request) => request.reject(err)),
      );
    }
  }
}
