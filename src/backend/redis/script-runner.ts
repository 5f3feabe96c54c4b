import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { findLuaDir, loadLuaScripts, type LuaTarget } from './lua-loader.js';

/** A connection the backend can run commands on: a single Redis or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** One KEYS or ARGV value of a script call. */
export type ScriptArg = string | Buffer | number;

type ScriptCommand = (...args: ScriptArg[]) => Promise<unknown>;

/** Every script in `lua/` that the backend runs, by file name. */
export const SCRIPT_NAMES = [
  'create-workflow-instance',
  'lock-workflow-task',
  'complete-workflow-task',
  'extend-workflow-task',
  'release-workflow-task',
  'hold-workflow-task',
  'retry-held-workflow-instance',
  'complete-activity-task',
  'extend-activity-task',
  'release-activity-task',
  'defer-activity-task',
  'requeue-deferred-activities',
  'reclaim-tasks',
  'fire-timers',
  'start-activity-attempt',
  'time-out-activities',
  'remove-consumer',
  'signal-workflow',
  'cancel-workflow-instance',
  'remove-workflow-instance',
  'deliver-message',
  'hold-relay-lease',
  'ack-relayed-entries',
  'release-relay-lease',
  'hold-partitions',
  'release-partitions',
  'dead-letter-message',
  'retry-dead-letter',
  'announce-worker',
  'withdraw-worker',
  'record-unknown-name',
  'read-presence',
  'read-outcome',
  'ensure-config',
] as const;

/** Name of a script in `lua/`. */
export type ScriptName = (typeof SCRIPT_NAMES)[number];

type ScriptCommands = Map<ScriptName, { command: string; lua: string }>;

const luaDir = findLuaDir();
const commandsByTarget = new Map<LuaTarget, ScriptCommands>();

// Loaded at the first backend of each target; a process that never talks to a Cluster never loads its variant.
function commandsFor(target: LuaTarget): ScriptCommands {
  let commands = commandsByTarget.get(target);
  if (commands !== undefined) return commands;
  const sources = loadLuaScripts(luaDir, target);
  // The command name carries a hash of the script so two redflow versions (or a script's single-Redis and
  // Cluster variants) can share one ioredis client.
  commands = new Map(
    SCRIPT_NAMES.map((name) => {
      const lua = sources.get(name);
      if (lua === undefined) throw new Error(`redflow: lua/${name}.lua is missing`);
      const hash = createHash('sha1').update(lua).digest('hex').slice(0, 8);
      return [name, { command: `redflow:${name}:${hash}`, lua }];
    }),
  );
  commandsByTarget.set(target, commands);
  return commands;
}

/**
 * Runs the scripts of `lua/` on one connection: the only code that touches the untyped commands
 * `defineCommand` installs. ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT, so a Redis restart
 * that empties the script cache costs one extra round trip, nothing more.
 */
export class ScriptRunner {
  readonly #client: RedisClient;
  readonly #commands: ScriptCommands;

  constructor(client: RedisClient) {
    this.#client = client;
    this.#commands = commandsFor(client.isCluster ? 'cluster' : 'redis');
    for (const { command, lua } of this.#commands.values()) {
      if (!(command in client)) client.defineCommand(command, { lua });
    }
  }

  /** Runs script `name`; with `binary`, bulk replies come back as Buffers. */
  run(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[], binary = false): Promise<unknown> {
    const entry = this.#commands.get(name);
    if (entry === undefined) throw new Error(`redflow: unknown script ${name}`);
    const method = binary ? `${entry.command}Buffer` : entry.command;
    const command = (this.#client as unknown as Record<string, ScriptCommand>)[method];
    if (command === undefined) throw new Error(`redflow: script ${name} is not defined on this connection`);
    return command.call(this.#client, keys.length, ...keys, ...args);
  }
}
