const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/** FNV-1a (32 bit) of the UTF-8 bytes of `text`: stable across processes, platforms and versions. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** The partition an instance lives in; every key of the instance carries it as a Redis Cluster hash tag. */
export function partitionOf(instanceId: string, partitions: number): number {
  return fnv1a32(instanceId) % partitions;
}
