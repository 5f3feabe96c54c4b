import { createHash } from 'node:crypto';

/**
 * The execution id of the sub-workflow a parent execution starts with command `commandId`: derived, not
 * drawn, so every replay of the parent names the same child execution.
 */
export function childExecutionId(parentExecutionId: string, commandId: number): string {
  const hex = createHash('sha256').update(`${parentExecutionId}\n${commandId}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The instance id of the `n`-th sub-workflow a parent execution starts without an explicit id. */
export function defaultChildInstanceId(parentInstanceId: string, parentExecutionId: string, n: number): string {
  return `${parentInstanceId}/${parentExecutionId.slice(0, 8)}-${n}`;
}
