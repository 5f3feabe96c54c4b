import { CanceledError } from '../errors/errors.js';
import { Future, type FutureSettler } from './future.js';

/** A node of the cancellation tree: cancelling it cancels every scope below it. */
export class CancelScope {
  private readonly listeners = new Set<() => void>();
  private readonly children = new Set<CancelScope>();
  private canceledFlag = false;
  readonly done: Future<void>;
  private readonly settleDone: FutureSettler<void>;

  constructor(parent?: CancelScope) {
    [this.done, this.settleDone] = Future.create<void>();
    if (parent !== undefined) {
      if (parent.canceled) this.cancel();
      else parent.children.add(this);
    }
  }

  /** True once this scope or an ancestor was cancelled. */
  get canceled(): boolean {
    return this.canceledFlag;
  }

  /** Registers work to cancel with the scope; returns the function that unregisters it. */
  onCancel(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels the scope and everything below it, once. */
  cancel(): void {
    if (this.canceledFlag) return;
    this.canceledFlag = true;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
    for (const child of this.children) child.cancel();
    this.children.clear();
    this.settleDone.resolve();
  }

  /**
   * True while code may be waiting for a cancellation request to reach this scope: it is not cancelled, and
   * its `done` (or that of a scope below it) was awaited. A disconnected scope is not below any other.
   */
  awaitsCancellation(): boolean {
    if (this.canceledFlag) return false;
    if (this.done.observed) return true;
    for (const child of this.children) if (child.awaitsCancellation()) return true;
    return false;
  }

  /** A `CanceledError` for work refused or stopped by this scope. */
  error(): CanceledError {
    return new CanceledError('canceled: the workflow context was canceled');
  }
}
