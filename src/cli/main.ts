#!/usr/bin/env node
import { processOutput } from './output.js';
import { runCli } from './program.js';

/** Resolves once everything written to `stream` so far has been handed to the system (at once when it is closed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const code = await runCli(process.argv, processOutput());
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// The store is closed by now, but a workflow module may hold timers or connections of its own, and a client
// that never reached Redis can linger for seconds: the check is over, so the process ends with its status.
process.exit(code);
