import { constants } from 'node:os';

// `npm run` forwards SIGINT and SIGTERM to its script, so when the signal went to the whole process group
// (Ctrl-C in a terminal, systemd stopping a unit) the process gets it twice within milliseconds.
const SAME_REQUEST_MS = 1000;

/**
 * Stops the process gracefully on SIGTERM or SIGINT: runs `stop` (stop the worker, then close the backend) and
 * exits 0 once it resolves, 1 if it rejects. A further signal more than a second after the first exits at once
 * with 128 + its number, as a shell reports a death by that signal; one sooner is the same request delivered
 * twice and is ignored. Returns a function that tells whether a stop was requested.
 */
export function stopOnSignals(stop: () => Promise<void>): () => boolean {
  let firstAt: number | undefined;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        console.log(`${signal}: stopping gracefully (send it again to exit at once)`);
        stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error('stop failed', err);
            process.exit(1);
          },
        );
      } else if (Date.now() - firstAt > SAME_REQUEST_MS) {
        console.log(`${signal} again: exiting without finishing the stop`);
        process.exit(128 + constants.signals[signal]);
      }
    });
  }
  return () => firstAt !== undefined;
}
