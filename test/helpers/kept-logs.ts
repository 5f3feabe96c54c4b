import { pino, type Logger } from 'pino';

/** A line a kept logger wrote, parsed. */
export type LogLine = Record<string, unknown> & {
  msg?: string;
  instanceId?: string;
  executionId?: string;
  err?: { message?: string };
};

/** A logger (level `warn` unless told) that keeps what it logs, parsed, for assertions. */
export function keptLogs(level = 'warn'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}
