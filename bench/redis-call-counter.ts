import { Redis } from 'ioredis';

const counts = new Map<string, number>();
let counting = false;

/**
 * Starts counting the Redis commands every ioredis connection of this process sends (redflow's and BullMQ's
 * alike: both use this ioredis). A script call (EVALSHA) counts once, whatever it runs inside Redis; each
 * command of a pipeline counts once.
 */
export function countRedisCalls(): void {
  if (counting) return;
  counting = true;
  // Wrapping the one method every command passes through costs far less than ioredis's tracing channel,
  // which allocates a context per command and slowed each chain step by about 0.1 ms.
  const proto = Redis.prototype;
  const { sendCommand } = proto; // eslint-disable-line @typescript-eslint/unbound-method -- rebound below with apply
  proto.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    const name = args[0].name.toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return sendCommand.apply(this, args);
  };
}

/** The commands sent since the last call, by name; forgets them. */
export function takeRedisCalls(): Record<string, number> {
  const taken = Object.fromEntries(counts);
  counts.clear();
  return taken;
}

/** Adds `more` into `into`, command by command. */
export function addCalls(into: Record<string, number>, more: Record<string, number>): Record<string, number> {
  for (const [name, n] of Object.entries(more)) into[name] = (into[name] ?? 0) + n;
  return into;
}

/** The total of a by-command count. */
export function totalCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, n) => sum + n, 0);
}
