import { safeToLeaveUnawaited } from '../core/unawaited.js';
import { contextInternals, type WorkflowContext } from './context.js';
import type { Channel } from './channel.js';
import type { Future } from './future.js';

/** One alternative of `select`; build it with `onFuture`, `onReceive` or `onDefault`. */
export type SelectCase<R> =
  | { readonly kind: 'future'; readonly future: Future<unknown>; readonly handler: (future: Future<unknown>) => R | PromiseLike<R> }
  | { readonly kind: 'receive'; readonly channel: Channel<unknown>; readonly handler: (value: unknown, ok: boolean) => R | PromiseLike<R> }
  | { readonly kind: 'default'; readonly handler: () => R | PromiseLike<R> };

/** Ready once `future` settles; the handler receives the settled future (await it for its value or error). */
export function onFuture<T, R>(future: Future<T>, handler: (future: Future<T>) => R | PromiseLike<R>): SelectCase<R> {
  return { kind: 'future', future, handler: handler as (future: Future<unknown>) => R | PromiseLike<R> };
}

/** Ready when `channel` has a value or is closed; `ok` is false for a closed, empty channel. */
export function onReceive<T, R>(channel: Channel<T>, handler: (value: T | undefined, ok: boolean) => R | PromiseLike<R>): SelectCase<R> {
  return { kind: 'receive', channel: channel, handler: handler as (value: unknown, ok: boolean) => R | PromiseLike<R> };
}

/** Taken when no other case is ready at the moment `select` is called. */
export function onDefault<R>(handler: () => R | PromiseLike<R>): SelectCase<R> {
  return { kind: 'default', handler };
}

/**
 * Waits for the first ready case and returns its handler's result. When several are ready, the earliest in
 * argument order wins, so the choice depends on the history alone. Rejects with whatever the handler threw
 * (ignored if nobody awaits the select).
 */
export function select<R>(ctx: WorkflowContext, ...cases: Array<SelectCase<R>>): Promise<R> {
  return safeToLeaveUnawaited(firstReady(ctx, cases));
}

async function firstReady<R>(ctx: WorkflowContext, cases: Array<SelectCase<R>>): Promise<R> {
  contextInternals(ctx);
  for (;;) {
    for (const c of cases) {
      if (c.kind === 'future' && c.future.settled) return c.handler(c.future);
      if (c.kind === 'receive' && c.channel.ready) {
        const next = c.channel.tryReceive();
        return next.ok ? c.handler(next.value, true) : c.handler(undefined, false);
      }
    }
    const fallback = cases.find((c) => c.kind === 'default');
    if (fallback !== undefined) return fallback.handler();
    await anyMayBeReady(cases);
  }
}

/** Resolves once some case may have become ready (a future settled, a channel got a value or closed). */
function anyMayBeReady<R>(cases: Array<SelectCase<R>>): Promise<void> {
  return new Promise((resolve) => {
    const stops: Array<() => void> = [];
    let woken = false;
    const wake = (): void => {
      if (woken) return;
      woken = true;
      for (const stop of stops) stop();
      resolve();
    };
    for (const c of cases) {
      if (c.kind === 'future') c.future.then(wake, wake);
      else if (c.kind === 'receive') stops.push(c.channel.onReady(wake));
    }
  });
}
