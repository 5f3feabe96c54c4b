import type { Logger } from 'pino';
import { BackendClosedError } from '../../errors/errors.js';
import type { RedisClient } from './scripts.js';

/**
 * Connections for blocking commands, duplicated from the backend's connection. A blocked connection
 * serves nobody else, so each concurrent read gets its own; idle ones are reused.
 */
export class BlockingPool {
  readonly #base: RedisClient;
  readonly #logger: Logger;
  readonly #name: string;
  readonly #idle: RedisClient[] = [];
  readonly #all = new Set<RedisClient>();
  #closed = false;

  constructor(base: RedisClient, logger: Logger, name: string) {
    this.#base = base;
    this.#logger = logger;
    this.#name = name;
  }

  /** Runs `command` on a connection no one else uses meanwhile. Rejects with `BackendClosedError` after `close()`. */
  async use<T>(command: (connection: RedisClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new BackendClosedError();
    const connection = this.#idle.pop() ?? this.#create();
    let healthy = true;
    try {
      return await command(connection);
    } catch (err) {
      healthy = false;
      if (this.#closed) throw new BackendClosedError();
      throw err;
    } finally {
      if (healthy && !this.#closed) this.#idle.push(connection);
      else this.#drop(connection);
    }
  }

  /** Disconnects every connection at once, ending blocked commands. */
  close(): void {
    this.#closed = true;
    for (const connection of this.#all) connection.disconnect();
    this.#all.clear();
    this.#idle.length = 0;
  }

  #create(): RedisClient {
    const connection = this.#base.duplicate();
    // The connection guard reports outages once; each failed attempt is only worth a debug line.
    connection.on('error', (err: unknown) => this.#logger.debug({ err, connection: this.#name }, 'redis connection error'));
    this.#all.add(connection);
    return connection;
  }

  #drop(connection: RedisClient): void {
    if (this.#all.delete(connection)) connection.disconnect();
  }
}
