import { ScriptRunner, type RedisClient } from './script-runner.js';

/** What read-outcome.lua found of an existing execution. */
export interface StoredOutcome {
  /** The execution hash's `state`, as stored. */
  state: string;
  /** The number of events in its history: the sequence id of `last`. */
  historyLength: number;
  /** The encoded last history event once the execution has ended; undefined while it is active or has no history. */
  last: Buffer | undefined;
}

/** Keys of read-outcome.lua: one execution's hash and history. */
export interface OutcomeReadKeys {
  execution: string;
  history: string;
}

/**
 * Reads an execution's state and, once it has ended, its outcome in one script call (read-outcome.lua):
 * what `getWorkflowResult` and every wait for an execution ask of Redis.
 */
export class OutcomeRead {
  readonly #runner: ScriptRunner;

  constructor(client: RedisClient) {
    this.#runner = new ScriptRunner(client);
  }

  /** Runs read-outcome.lua; undefined when the execution does not exist. */
  async read(keys: OutcomeReadKeys): Promise<StoredOutcome | undefined> {
    const reply = (await this.#runner.run('read-outcome', [keys.execution, keys.history], [], true)) as [Buffer, Buffer, Buffer | null] | null;
    if (reply === null) return undefined;
    const [state, historyLength, last] = reply;
    return { state: state.toString(), historyLength: Number(historyLength.toString()), last: last ?? undefined };
  }
}
