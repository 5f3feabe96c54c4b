import { createHash } from 'node:crypto';
import { Command, Pipeline } from 'ioredis';
import type { RedisClient, ScriptArg } from './script-runner.js';

/** One Lua script, sent as EVALSHA, or as EVAL on a connection that may not have it yet. */
export class LuaScript {
  /** The script's source. */
  readonly lua: string;
  /** The SHA-1 of `lua`, hex: what EVALSHA names it by. */
  readonly sha: string;
  /** Sockets that have been sent the source: EVALSHA finds it there. */
  readonly #sent = new WeakSet<object>();

  constructor(lua: string) {
    this.lua = lua;
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * Sends the script to `container` (a client, or a pipeline of one); `call` is ioredis's calling convention for
   * scripts: the number of keys, the keys, then the arguments. With `binary`, bulk replies come back as Buffers.
   * Returns what `container.sendCommand` returns: a client's reply promise, which rejects with the script's
   * reply error or the driver's error; a pipeline itself, which then holds the reply.
   *
   * A connection that answers NOSCRIPT (Redis restarted, failed over, or ran `SCRIPT FLUSH`) gets the source
   * next time. A client's call is then sent again at once: the script did not run. A pipeline's reply stays the
   * NOSCRIPT error, for its caller to send the whole pipeline again (replica-acks.ts): sent alone, the script
   * would run after the rest of the pipeline, a WAIT among it.
   */
  send(container: RedisClient | Pipeline, call: readonly ScriptArg[], binary: boolean): unknown {
    const argv: ScriptArg[] = [this.sha, ...call];
    const options = commandOptions(container instanceof Pipeline ? container.redis : container, binary);
    const command = new ScriptCommand(this, argv, options);
    if (container instanceof Pipeline) return container.sendCommand(command);
    command.promise = command.promise.catch((err: unknown) => {
      if (!isNoScript(err)) throw err;
      const again = new ScriptCommand(this, argv, options);
      void container.sendCommand(again);
      return again.promise;
    });
    return container.sendCommand(command);
  }

  /** Marks the source as sent on `socket`; returns whether it had been sent there before. */
  markSent(socket: object): boolean {
    if (this.#sent.has(socket)) return true;
    this.#sent.add(socket);
    return false;
  }

  /** Marks `socket` as lacking the script (it answered NOSCRIPT): the next command sends the source. */
  forget(socket: object): void {
    this.#sent.delete(socket);
  }
}

type CommandOptions = NonNullable<ConstructorParameters<typeof Command>[2]>;

/** The options ioredis's own script commands take from a client. */
function commandOptions(client: RedisClient, binary: boolean): CommandOptions {
  // `keyPrefix` is not among them: RedisBackend refuses a client that has one (options.ts).
  const replyEncoding = binary ? null : 'utf8';
  return client.options.showFriendlyErrorStack === true ? { replyEncoding, errorStack: new Error() } : { replyEncoding };
}

/** Whether `err` is Redis's NOSCRIPT reply: the script was not run, as the connection lacked it. */
export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/**
 * An EVALSHA written in one buffer. ioredis writes a command with a Buffer argument by collecting its parts and
 * measuring each twice; a completion has some twenty arguments, and this was a tenth of a client's CPU per start.
 * Like ioredis's own script commands, it sends EVAL with the source on a connection the script was not sent on.
 */
class ScriptCommand extends Command {
  readonly #script: LuaScript;

  constructor(script: LuaScript, argv: ScriptArg[], options: CommandOptions) {
    super('evalsha', argv, options);
    this.#script = script;
  }

  override toWritable(socket: object): Buffer {
    const script = this.#script;
    if (script.markSent(socket)) {
      this.name = 'evalsha';
      this.args[0] = script.sha;
    } else {
      this.name = 'eval';
      this.args[0] = script.lua;
    }
    const reject = this.reject;
    this.reject = (err: Error) => {
      if (isNoScript(err)) script.forget(socket);
      reject.call(this, err);
    };
    // Command's constructor made every number of `argv` a string.
    return respCommand(this.name, this.args as Array<string | Buffer>);
  }
}

/** The RESP array of bulk strings of a command: its name (ASCII) and `args` (strings as UTF-8), in one buffer. */
export function respCommand(name: string, args: ReadonlyArray<string | Buffer>): Buffer {
  const lengths = new Array<number>(args.length);
  let size = headerLength(args.length + 1) + bulkLength(name.length);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string | Buffer;
    const length = typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
    lengths[i] = length;
    size += bulkLength(length);
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.write(`*${args.length + 1}\r\n$${name.length}\r\n${name}\r\n`, 0, 'latin1');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string | Buffer;
    at += out.write(`$${lengths[i]}\r\n`, at, 'latin1');
    at += typeof arg === 'string' ? out.write(arg, at, 'utf8') : arg.copy(out, at);
    at = out.writeUInt16BE(0x0d0a, at);
  }
  return out;
}

// `*<n>\r\n` and `$<n>\r\n<bytes>\r\n`.
function headerLength(count: number): number {
  return String(count).length + 3;
}

function bulkLength(length: number): number {
  return String(length).length + 5 + length;
}
