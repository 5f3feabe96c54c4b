import { Channel } from '../workflow/channel.js';

/** A signal as it arrived. */
export interface ReceivedSignal {
  name: string;
  arg: unknown;
}

/**
 * The signals of one execution: a channel per name, created on the first signal or the first
 * `newSignalChannel` call, whichever comes first, so signals that arrive early wait in arrival order.
 */
export class SignalInbox {
  private readonly channels = new Map<string, Channel<unknown>>();
  /** Every signal received, oldest first; the unconsumed ones are the last few of each name. */
  private readonly log: ReceivedSignal[] = [];

  /** The channel of `name`. */
  channel(name: string): Channel<unknown> {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = new Channel<unknown>(Infinity);
      this.channels.set(name, channel);
    }
    return channel;
  }

  /** Hands a signal to its channel (and to a receiver waiting on it). */
  receive(name: string, arg: unknown): void {
    this.log.push({ name, arg });
    void this.channel(name).send(arg);
  }

  /** True while some code waits on a signal channel: a signal could wake it. */
  awaited(): boolean {
    for (const channel of this.channels.values()) if (channel.awaited) return true;
    return false;
  }

  /** Signals no workflow code received, in arrival order (carried over by continue-as-new). */
  unconsumed(): ReceivedSignal[] {
    const left = new Map<string, number>();
    for (const [name, channel] of this.channels) left.set(name, channel.pendingValues().length);
    const result: ReceivedSignal[] = [];
    for (let i = this.log.length - 1; i >= 0; i--) {
      const signal = this.log[i] as ReceivedSignal;
      const count = left.get(signal.name) ?? 0;
      if (count > 0) {
        left.set(signal.name, count - 1);
        result.push(signal);
      }
    }
    return result.reverse();
  }
}
