/** Exit status of the `redflow` command when it did what it was asked (every history replayed as recorded, ...). */
export const EXIT_OK = 0;
/**
 * Exit status when what was asked was not found or was refused (an unknown instance, removing an active one,
 * retrying one not held), or `redflow replay` found a history that diverged or could not be checked.
 */
export const EXIT_FAILED = 1;
/** Exit status when the command could not run: bad arguments, module not found, store unreachable. */
export const EXIT_USAGE = 2;

/**
 * A problem with how the command was called or with what it was pointed at, reported as one line (no stack)
 * with exit status `EXIT_USAGE`.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
