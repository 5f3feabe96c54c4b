import { createHash } from 'node:crypto';
import type { WorkflowInstance } from '../core/instance.js';

// File names stay well below the usual 255-byte limit.
const MAX_NAME_LENGTH = 200;

/**
 * The file name `redflow export-histories` gives an execution's history: its instance id, percent-encoded so
 * that any id makes one safe file name, plus `.json`; an id too long for that is cut and made unique with a hash.
 */
export function historyFileName(instance: WorkflowInstance): string {
  const encoded = encodeURIComponent(instance.instanceId).replace(/^\./, '%2E');
  if (encoded.length <= MAX_NAME_LENGTH) return `${encoded}.json`;
  const hash = createHash('sha256').update(instance.instanceId).digest('hex').slice(0, 16);
  return `${encoded.slice(0, MAX_NAME_LENGTH - 17)}-${hash}.json`;
}
