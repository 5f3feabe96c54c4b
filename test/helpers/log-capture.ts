import { pino, type Logger } from 'pino';

/** One captured log record, parsed: its level, time (ms), message and whatever bindings it carried. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  instanceId?: string;
  executionId?: string;
  err?: { message?: string; type?: string };
  [field: string]: unknown;
}

/**
 * A pino logger at `level` whose records are kept, parsed, in `lines`, for tests that check what was logged;
 * `count` tells how many messages contain `msg` (or match it).
 */
export function captureLogs(level: pino.Level = 'debug'): { logger: Logger; lines: LogLine[]; count(msg: string | RegExp): number } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const count = (msg: string | RegExp): number =>
    lines.filter((line) => (typeof msg === 'string' ? line.msg.includes(msg) : msg.test(line.msg))).length;
  return { logger, lines, count };
}
