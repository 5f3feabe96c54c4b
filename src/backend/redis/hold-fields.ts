import type { WorkflowTaskHoldInfo } from '../backend.js';

/** The fields of an execution hash that record its hold (lua/hold-workflow-task.lua), in the order `holdOf` reads. */
export const HOLD_FIELDS = ['holdReason', 'holdErrorType', 'holdErrorMessage', 'holdSince', 'holdAttempts', 'holdRetryAt'] as const;

/** The hold that the values of `HOLD_FIELDS` (an HMGET reply, in that order) record; undefined when there is none. */
export function holdOf(values: ReadonlyArray<string | null>): WorkflowTaskHoldInfo | undefined {
  const [reason, type, message, since, attempts, retryAt] = values;
  if (typeof reason !== 'string') return undefined;
  const retryAtMs = Number(retryAt ?? 0);
  const hold: WorkflowTaskHoldInfo = {
    reason,
    error: { type: type ?? 'Error', message: message ?? '' },
    since: new Date(Number(since)),
    attempts: Number(attempts),
    parked: retryAtMs === 0,
  };
  if (retryAtMs > 0) hold.retryAt = new Date(retryAtMs);
  return hold;
}
