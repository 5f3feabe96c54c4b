/**
 * A Proxy whose every trap throws, and what its traps throw is such a Proxy too: reading, enumerating,
 * converting or even checking the prototype of it throws.
 */
export function everyTrapThrows(depth = 2): object {
  const handler = new Proxy(
    {},
    {
      get: () => () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
        throw depth > 0 ? everyTrapThrows(depth - 1) : new Error('trap');
      },
    },
  );
  return new Proxy({}, handler);
}
