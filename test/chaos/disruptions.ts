import type { RedisServer } from '../helpers/redis-server.js';
import type { WorkerFleet } from './worker-fleet.js';

/** The driver's faults: a worker killed with SIGKILL every 1–3 s (and replaced), and redis-server restarted. */
export class Disruptions {
  restarts = 0;
  private killing: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  private readonly fleet: WorkerFleet;
  private readonly server: RedisServer;
  private readonly random: () => number;

  constructor(fleet: WorkerFleet, server: RedisServer, random: () => number) {
    this.fleet = fleet;
    this.server = server;
    this.random = random;
  }

  /**
   * Starts killing a random worker now and every 1–3 s (as `random` draws) until `stop()`; a kill waits for
   * the replacement of the one before to be ready.
   */
  startKilling(): void {
    this.killing ??= this.killLoop();
  }

  /** Kills redis-server with SIGKILL and starts it again on its directory: AOF keeps its data, else it is lost. */
  async restartRedis(): Promise<void> {
    await this.server.restart({ crash: true });
    this.restarts++;
  }

  /** Stops the kills and waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.killing;
  }

  private async killLoop(): Promise<void> {
    while (!this.stopped) {
      const { ready } = await this.fleet.killOne(this.random);
      const pause = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000 + this.random() * 2_000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      await Promise.all([ready, pause]);
    }
  }
}
