/**
 * Observes the process's unhandled rejections from now until `stop()` (a test listens; the library installs
 * nothing). `stop()` first lets pending rejections be reported, then returns how many there were.
 */
export function watchUnhandledRejections(): { stop: () => Promise<number> } {
  let count = 0;
  const listener = (): void => {
    count += 1;
  };
  process.on('unhandledRejection', listener);
  return {
    stop: async () => {
      // Node reports an unhandled rejection after the microtask queue drains; a macrotask later it has.
      await new Promise((resolve) => setImmediate(resolve));
      process.off('unhandledRejection', listener);
      return count;
    },
  };
}
