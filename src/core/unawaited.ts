/**
 * Returns `promise` with a handler attached that ignores its rejection, so a promise the engine hands to user
 * code that the code never awaits does not surface as an unhandled rejection (which ends a default Node
 * process, and with it every instance the worker runs). Code that awaits it still sees the rejection.
 */
export function safeToLeaveUnawaited<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
