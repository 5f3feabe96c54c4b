import { pino, type Logger } from 'pino';

/** One captured log record. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger at `level` whose records are kept in `lines`, for tests that check what was logged. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: LogLine[]; count(msg: string | RegExp): number } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  const count = (msg: string | RegExp): number =>
    lines.filter((line) => (typeof msg === 'string' ? line.msg.includes(msg) : msg.test(line.msg))).length;
  return { logger, lines, count };
}
