/** A bounded least-recently-used map of live executors, keyed by execution. Size 0 keeps nothing. */
export class ExecutorCache<V> {
  private readonly entries = new Map<string, V>();
  private readonly maxSize: number;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  /** The entry for `key`, marked as most recently used. */
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** The entry for `key` without touching its recency. */
  peek(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: string, value: V): void {
    if (this.maxSize <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxSize) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Drops the entry for `key`. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }
}
