import { BackendUnavailableError } from '../../src/errors/errors.js';

const RETRY_INTERVAL_MS = 200;

/**
 * Runs `call` again while it fails with `BackendUnavailableError` (Redis is restarting), as a client in
 * production would, for at most `limitMs`; `attempt` counts from 0. Any other error, or the last
 * `BackendUnavailableError` once the limit passed, is thrown.
 */
export async function whileUnavailable<T>(call: (attempt: number) => Promise<T>, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (err) {
      if (!(err instanceof BackendUnavailableError) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS));
    }
  }
}
