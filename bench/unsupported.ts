/** A system cannot run a workload (yet): the harness skips that system with a note instead of failing. */
export class UnsupportedWorkloadError extends Error {
  override readonly name = 'UnsupportedWorkloadError';
}
