import { safeToLeaveUnawaited } from '../core/unawaited.js';
import { ChannelClosedError, InvalidArgumentError } from '../errors/errors.js';
import { contextInternals, type WorkflowContext } from './context.js';

/** The outcome of `tryReceive`. */
export type ReceiveResult<T> = { ok: true; value: T } | { ok: false };

interface Receiver<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

interface Sender<T> {
  value: T;
  resolve(): void;
}

/**
 * A channel between concurrent parts of one workflow. Values pass in the order they were sent; waiting
 * receivers are served in the order they started waiting. Only workflow code and the engine touch it, so
 * every hand-over happens at the same point on replay.
 */
export class Channel<T> {
  private readonly capacity: number;
  private readonly buffer: T[] = [];
  private readonly receivers: Array<Receiver<T>> = [];
  private readonly senders: Array<Sender<T>> = [];
  private readonly readyListeners = new Set<() => void>();
  private closedFlag = false;

  /** `capacity` values wait in the channel without a receiver; 0 makes every send wait for one. */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * Sends `value`: resolves once a receiver took it or it found room in the buffer. Rejects with
   * `ChannelClosedError` on a closed channel (a rejection nobody awaits is ignored, as with every promise a
   * channel returns: a signal that arrives after its channel was closed is dropped that way).
   */
  send(value: T): Promise<void> {
    if (this.closedFlag) return safeToLeaveUnawaited(Promise.reject(new ChannelClosedError()));
    const receiver = this.receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(value);
      return Promise.resolve();
    }
    if (this.buffer.length < this.capacity) {
      this.buffer.push(value);
      this.notifyReady();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.senders.push({ value, resolve });
      this.notifyReady();
    });
  }

  /** The next value; rejects with `ChannelClosedError` once the channel is closed and empty. */
  receive(): Promise<T> {
    const next = this.tryReceive();
    if (next.ok) return Promise.resolve(next.value);
    if (this.closedFlag) return safeToLeaveUnawaited(Promise.reject(new ChannelClosedError()));
    return safeToLeaveUnawaited(new Promise((resolve, reject) => this.receivers.push({ resolve, reject })));
  }

  /** The next value if one is ready now, without waiting. */
  tryReceive(): ReceiveResult<T> {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as T;
      // A waiting sender takes the freed slot.
      const sender = this.senders.shift();
      if (sender !== undefined) {
        this.buffer.push(sender.value);
        sender.resolve();
      }
      return { ok: true, value };
    }
    const sender = this.senders.shift();
    if (sender !== undefined) {
      sender.resolve();
      return { ok: true, value: sender.value };
    }
    return { ok: false };
  }

  /** Closes the channel: buffered values can still be received; waiting receivers get `ChannelClosedError`. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const receiver of this.receivers.splice(0)) receiver.reject(new ChannelClosedError());
    this.notifyReady();
  }

  /** True when `receive()` would settle at once (a value, or closed). */
  get ready(): boolean {
    return this.buffer.length > 0 || this.senders.length > 0 || this.closedFlag;
  }

  /** True while a receiver or a `select` waits for this channel to become ready. */
  get awaited(): boolean {
    return this.receivers.length > 0 || this.readyListeners.size > 0;
  }

  /** Calls `listener` whenever the channel may have become ready; returns the function that stops it. */
  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /** Values sent but not received yet, in order (for carrying signals over continue-as-new). */
  pendingValues(): T[] {
    return [...this.buffer, ...this.senders.map((sender) => sender.value)];
  }

  private notifyReady(): void {
    for (const listener of [...this.readyListeners]) listener();
  }
}

/** An unbuffered channel: each send waits for a receiver. */
export function newChannel<T>(ctx: WorkflowContext): Channel<T> {
  contextInternals(ctx);
  return new Channel<T>(0);
}

/** A channel holding up to `size` values that no one received yet. */
export function newBufferedChannel<T>(ctx: WorkflowContext, size: number): Channel<T> {
  contextInternals(ctx);
  if (!Number.isInteger(size) || size < 0) throw new InvalidArgumentError('size must be an integer >= 0');
  return new Channel<T>(size);
}
