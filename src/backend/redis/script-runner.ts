import { Cluster, Redis, type Pipeline } from 'ioredis';
import { findLuaDir, loadLuaScripts, type LuaTarget } from './lua-loader.js';
import { LuaScript } from './script-command.js';

/** A connection the backend can run commands on: a single Redis or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** One KEYS or ARGV value of a script call. */
export type ScriptArg = string | Buffer | number;

type ScriptMethod = (...args: ScriptArg[]) => unknown;

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

type ScriptCommands = Map<ScriptName, { command: string; script: LuaScript }>;

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
      const script = new LuaScript(lua);
      return [name, { command: `redflow:${name}:${script.sha.slice(0, 8)}`, script }];
    }),
  );
  commandsByTarget.set(target, commands);
  return commands;
}

/**
 * Runs the scripts of `lua/` on one connection: the only code that touches the untyped commands it installs.
 * Each script is a command named after it on the client, which the connection guard watches like any other
 * command, sent as one buffer by `LuaScript` (EVALSHA, and EVAL on a connection's first use and after NOSCRIPT, so
 * a Redis restart that empties the script cache costs one extra round trip, nothing more). ioredis's
 * `defineCommand` still registers each script: a pipeline (the `replicaAcks` path) takes its commands from that
 * registry, and copies the client's method, so it queues the same command.
 */
export class ScriptRunner {
  readonly #client: RedisClient;
  readonly #commands: ScriptCommands;

  constructor(client: RedisClient) {
    this.#client = client;
    this.#commands = commandsFor(client.isCluster ? 'cluster' : 'redis');
    // A client made by another copy of ioredis keeps that copy's script commands: it might not take this copy's.
    // So does one that auto-pipelines: its other commands wait for the next flush, and a script written at once
    // would overtake them.
    const ownWrites = (client instanceof Redis || client instanceof Cluster) && client.options.enableAutoPipelining !== true;
    const methods = client as unknown as Record<string, ScriptMethod>;
    for (const { command, script } of this.#commands.values()) {
      if (command in client) continue;
      client.defineCommand(command, { lua: script.lua });
      if (!ownWrites) continue;
      methods[command] = sendScript(script, false);
      methods[`${command}Buffer`] = sendScript(script, true);
    }
  }

  /** Runs script `name`; with `binary`, bulk replies come back as Buffers. */
  run(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[], binary = false): Promise<unknown> {
    const entry = this.#commands.get(name);
    if (entry === undefined) throw new Error(`redflow: unknown script ${name}`);
    const method = binary ? `${entry.command}Buffer` : entry.command;
    const command = (this.#client as unknown as Record<string, ScriptMethod>)[method];
    if (command === undefined) throw new Error(`redflow: script ${name} is not defined on this connection`);
    return command.call(this.#client, keys.length, ...keys, ...args) as Promise<unknown>;
  }
}

/**
 * A script's command in ioredis's calling convention (`numKeys, ...keys, ...args`), sent by `LuaScript`. A pipeline
 * copies its client's commands: called on one, it queues the script there.
 */
function sendScript(script: LuaScript, binary: boolean): ScriptMethod {
  return function (this: RedisClient | Pipeline, ...call: ScriptArg[]): unknown {
    return script.send(this, call, binary);
  };
}
