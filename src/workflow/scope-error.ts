import type { CancelScope } from './cancel-scope.js';
import { Future } from './future.js';

/**
 * `attempt`'s outcome, except that a failure `replaced` accepts, once `scope` is cancelled, becomes the
 * scope's own `CanceledError`: the caller sees its cancellation, not how the cancelled work ended.
 */
export function withScopeError(scope: CancelScope, attempt: Future<unknown>, replaced: (err: unknown) => boolean): Future<unknown> {
  return Future.from(settled(scope, attempt, replaced));
}

async function settled(scope: CancelScope, attempt: Future<unknown>, replaced: (err: unknown) => boolean): Promise<unknown> {
  try {
    return await attempt;
  } catch (err) {
    if (scope.canceled && replaced(err)) throw scope.error();
    throw err;
  }
}
