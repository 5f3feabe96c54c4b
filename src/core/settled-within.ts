import { withTimeout } from './with-timeout.js';

/**
 * The outcome of each of `promises` that settled within `ms` (returns as soon as all have), in order; undefined
 * for each one still running then, which runs on (its later rejection is handled, and changes nothing returned).
 */
export async function settledWithin<T>(promises: ReadonlyArray<Promise<T>>, ms: number): Promise<Array<PromiseSettledResult<T> | undefined>> {
  const outcomes: Array<PromiseSettledResult<T> | undefined> = promises.map(() => undefined);
  const tracked = promises.map((promise, i) =>
    promise.then(
      (value) => {
        outcomes[i] = { status: 'fulfilled', value };
      },
      (reason: unknown) => {
        outcomes[i] = { status: 'rejected', reason };
      },
    ),
  );
  await withTimeout(Promise.all(tracked), ms);
  return [...outcomes];
}
