/** Wakes waiters by topic; a wait ends on notify, on timeout or on abort. */
export class Notifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when `topic` is notified, after `timeoutMs` (Infinity: never), or when `signal` aborts. */
  wait(topic: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(topic) ?? new Set();
      this.waiters.set(topic, set);
      const timer = Number.isFinite(timeoutMs) ? setTimeout(done, timeoutMs) : undefined;
      function done(): void {
        clearTimeout(timer);
        set.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Wakes every waiter of `topic`. */
  notify(topic: string): void {
    const set = this.waiters.get(topic);
    if (set === undefined) return;
    this.waiters.delete(topic);
    for (const wake of set) wake();
  }

  /** Wakes every waiter of every topic. */
  wakeAll(): void {
    for (const topic of [...this.waiters.keys()]) this.notify(topic);
  }
}
