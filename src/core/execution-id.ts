import { randomBytes } from 'node:crypto';

const ID_BYTES = 12;
// Random bytes are drawn for many ids at once: one draw per id costs more than the rest of starting an instance.
const IDS_PER_DRAW = 256;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A new random execution id: 16 URL-safe base64 characters carrying 96 random bits. An execution id only has
 * to be unique among the executions of one instance id, and it is repeated in several key names and index
 * members per execution, so it is kept shorter than a UUID (36 characters).
 */
export function newExecutionId(): string {
  if (offset === pool.length) {
    pool = randomBytes(ID_BYTES * IDS_PER_DRAW);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
