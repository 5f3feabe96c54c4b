/**
 * `promise`'s outcome as `{ value }`, or undefined once `ms` passed first (the promise runs on; a later
 * rejection is handled). Rejects when `promise` rejects in time.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
