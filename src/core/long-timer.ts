// setTimeout fires at once for delays beyond 2^31 - 1 ms (about 24.8 days): longer waits go in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer for any delay (ms), even one beyond what `setTimeout` takes; `unref`'d, so it keeps no process alive. */
export class LongTimer {
  #timer: NodeJS.Timeout | undefined;
  #cleared = false;

  /** Runs `fire` once, `delayMs` from now (at once when it is not positive). */
  constructor(delayMs: number, fire: () => void) {
    this.#arm(Date.now() + Math.max(0, delayMs), fire);
  }

  /** Stops the timer; `fire` never runs after this. */
  clear(): void {
    this.#cleared = true;
    clearTimeout(this.#timer);
  }

  #arm(dueMs: number, fire: () => void): void {
    if (this.#cleared) return;
    const leftMs = dueMs - Date.now();
    this.#timer = setTimeout(() => (leftMs > MAX_TIMER_MS ? this.#arm(dueMs, fire) : fire()), Math.max(0, Math.min(leftMs, MAX_TIMER_MS)));
    this.#timer.unref();
  }
}
