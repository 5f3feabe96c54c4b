import { subscribe } from 'node:diagnostics_channel';

// ioredis publishes every command it writes on this diagnostics channel (its tracing support); listening
// counts what this process sends without touching any client. A script call (EVALSHA) counts once, whatever
// it runs inside Redis; each command of a pipeline counts once.
const COMMAND_START_CHANNEL = 'tracing:ioredis:command:start';

const counts = new Map<string, number>();
let listening = false;

function onCommand(message: unknown): void {
  const command = (message as { command?: unknown }).command;
  const name = typeof command === 'string' ? command.toLowerCase() : 'unknown';
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

/** Starts counting the Redis commands every ioredis connection of this process sends. */
export function countRedisCalls(): void {
  if (listening) return;
  listening = true;
  subscribe(COMMAND_START_CHANNEL, onCommand);
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
