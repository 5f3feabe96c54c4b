import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** One parsed pino line: its level, time (ms), message and whatever bindings it carried. */
export interface CapturedLine {
  level: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger at `level` whose lines land, parsed, in `lines`: for tests that count what was logged. */
export function capturingLogger(level: pino.Level = 'info'): { logger: Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as CapturedLine);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
