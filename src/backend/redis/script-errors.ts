/** Codes a Lua script puts as the first word of an error reply; mirrors `ERR` in lua/lib/errors.lua. */
export const SCRIPT_ERROR_CODES = ['INSTANCE_EXISTS', 'LEASE_LOST', 'HISTORY_CONFLICT'] as const;

/** One of the codes a Lua script can fail with. */
export type ScriptErrorCode = (typeof SCRIPT_ERROR_CODES)[number];

const known = new Set<string>(SCRIPT_ERROR_CODES);

/** The script error code of a Redis error reply, or undefined when it is some other error. */
export function scriptErrorCode(err: unknown): ScriptErrorCode | undefined {
  if (!(err instanceof Error)) return undefined;
  const first = err.message.split(' ', 1)[0] ?? '';
  return known.has(first) ? (first as ScriptErrorCode) : undefined;
}
