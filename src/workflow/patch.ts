import { assertName } from '../core/validation.js';
import { contextInternals, type WorkflowContext } from './context.js';

/**
 * Guards a change to workflow code that instances already running must not see: `if (patched(ctx, 'id'))
 * { new code } else { old code }`. Returns true when the execution reaches this point for the first time
 * (the patch is then recorded in its history as a `PatchRecorded` event, once per execution) or when its
 * history recorded the patch; false while replaying a history made before the patch existed, so that
 * execution keeps the old branch to its end. The first answer for a patch id holds for the rest of the
 * execution.
 *
 * Code older than the patch that replays a history which recorded it fails with `NonDeterminismError`
 * naming the patch (with the worker's default `onNonDeterminism: 'hold'` the instance waits for newer code).
 * Once no running execution can take the old branch, replace the check with `deprecatePatch(ctx, 'id')`.
 * @throws InvalidArgumentError when `patchId` is not a non-empty, well-formed string, or when called inside a
 *   `sideEffect` function (replay does not run it, so the check would be lost).
 */
export function patched(ctx: WorkflowContext, patchId: string): boolean {
  const { runtime } = contextInternals(ctx);
  assertName(patchId, 'patchId');
  return runtime.patched(patchId);
}

/**
 * Marks a patch whose old branch has been removed: the code keeps only the new branch, and histories that
 * recorded the patch still replay. Running live it records the patch (`PatchRecorded` with `deprecated:
 * true`), so a rollback to code that still calls `patched(ctx, patchId)` takes the new branch; replaying, it
 * requires nothing; nor does it record anything in an execution where `patched(ctx, patchId)` answered false.
 * Remove the call once no running execution recorded the patch.
 * @throws InvalidArgumentError when `patchId` is not a non-empty, well-formed string, or when called inside a
 *   `sideEffect` function.
 */
export function deprecatePatch(ctx: WorkflowContext, patchId: string): void {
  const { runtime } = contextInternals(ctx);
  assertName(patchId, 'patchId');
  runtime.deprecatePatch(patchId);
}
