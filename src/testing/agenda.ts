/** One thing due at a virtual time: a timer firing, a callback, a delayed mock outcome, an activity timeout. */
export interface AgendaItem {
  /** Virtual time (epoch ms) it is due at. */
  readonly atMs: number;
  /** What it is, for "blocked on" messages. */
  readonly label: string;
  /** Runs it; the tester awaits what it returns. */
  readonly run: () => void | Promise<void>;
}

interface Entry extends AgendaItem {
  readonly seq: number;
  readonly key: string | undefined;
}

/**
 * What is due in virtual time, earliest first; items due at the same time run in the order they were added,
 * so a test runs the same way every time. Items can be added under a key and removed by it (a cancelled
 * timer). Small by nature (one test's pending timers), so a sorted array does.
 */
export class Agenda {
  private readonly entries: Entry[] = [];
  private seq = 0;

  /** Adds `item`, under `key` when given (a key names one item at most). */
  add(item: AgendaItem, key?: string): void {
    if (key !== undefined) this.remove(key);
    const entry: Entry = Object.assign({}, item, { seq: this.seq++, key });
    let index = this.entries.length;
    while (index > 0 && (this.entries[index - 1] as Entry).atMs > entry.atMs) index -= 1;
    this.entries.splice(index, 0, entry);
  }

  /** Removes the item added under `key`, if any. */
  remove(key: string): void {
    const index = this.entries.findIndex((entry) => entry.key === key);
    if (index >= 0) this.entries.splice(index, 1);
  }

  /** Removes every item whose key starts with `prefix`. */
  removePrefix(prefix: string): void {
    for (let index = this.entries.length - 1; index >= 0; index -= 1) {
      if ((this.entries[index] as Entry).key?.startsWith(prefix) === true) this.entries.splice(index, 1);
    }
  }

  /** The earliest item, without removing it. */
  peek(): AgendaItem | undefined {
    return this.entries[0];
  }

  /** Removes and returns the earliest item. */
  shift(): AgendaItem | undefined {
    return this.entries.shift();
  }

  /** Labels and due times of every item, earliest first. */
  describe(): Array<{ atMs: number; label: string }> {
    return this.entries.map(({ atMs, label }) => ({ atMs, label }));
  }
}
