import { createHash } from 'node:crypto';
import { Command, Pipeline } from 'ioredis';
import type { RedisClient, ScriptArg } from './script-runner.js';

/** One Lua script, sent as EVALSHA, or as EVAL on a connection that may not have it yet. */
export class LuaScript {
  readonly lua: string;
  readonly sha: string;
  /** Sockets that have been sent the script's source: EVALSHA finds it there. */
  readonly #loaded = new WeakSet<object>();

  constructor(lua: string) {
    this.lua = lua;
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * Sends the script to `container` (a client, or a pipeline of one); `call` is ioredis's calling convention for
   * scripts: the number of keys, the keys, then the arguments. With `binary`, bulk replies come back as Buffers.
   * Returns what `container.sendCommand` returns: a client's reply promise, which rejects with the script's
   * reply error or the driver's error; a pipeline itself, which then holds the reply. A connection that answers
   * NOSCRIPT (Redis restarted, or `SCRIPT FLUSH`) is sent the source once more, on the client: the script did not
   * run. The reply is then the second one's, for a pipeline too.
   */
  send(container: RedisClient | Pipeline, call: readonly ScriptArg[], binary: boolean): unknown {
    const argv: ScriptArg[] = [this.sha, ...call];
    const replyEncoding = binary ? null : 'utf8';
    const command = new ScriptCommand(this, argv, replyEncoding);
    command.promise = command.promise.catch((err: unknown) => {
      if (!isNoScript(err)) throw err;
      const again = new ScriptCommand(this, argv, replyEncoding);
      void (container instanceof Pipeline ? container.redis : container).sendCommand(again);
      return again.promise;
    });
    return container.sendCommand(command);
  }

  /** Whether `socket` has been sent the source; marks it as sent. */
  loadOn(socket: object): boolean {
    if (this.#loaded.has(socket)) return true;
    this.#loaded.add(socket);
    return false;
  }

  /** Marks `socket` as lacking the script (it answered NOSCRIPT): the next command sends the source. */
  forget(socket: object): void {
    this.#loaded.delete(socket);
  }
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/**
 * An EVALSHA written in one buffer. ioredis writes a command with a Buffer argument by collecting its parts and
 * measuring each twice; a completion has some twenty arguments, and this was a tenth of a client's CPU per start.
 * Like ioredis's own script commands, it sends EVAL with the source on a connection the script was not sent on.
 */
class ScriptCommand extends Command {
  readonly #script: LuaScript;

  constructor(script: LuaScript, argv: ScriptArg[], replyEncoding: BufferEncoding | null) {
    super('evalsha', argv, { replyEncoding });
    this.#script = script;
  }

  override toWritable(socket: object): Buffer {
    const script = this.#script;
    if (script.loadOn(socket)) {
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
    return respCommand(this.name, this.args as Array<string | Buffer>);
  }
}

/** The RESP array of bulk strings of a command: its name and `args` (strings as UTF-8), in one buffer. */
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
