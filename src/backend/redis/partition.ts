const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a (32 bit) of the UTF-8 bytes of `text` (a lone surrogate counts as U+FFFD, as `TextEncoder` writes it):
 * stable across processes, platforms and versions. Encodes as it goes: a start computes it for every instance,
 * and an encoded copy per call was a few percent of a client's CPU.
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      hash = step(hash, code);
      continue;
    }
    if (code < 0x800) {
      hash = step(hash, 0xc0 | (code >> 6));
      hash = step(hash, 0x80 | (code & 0x3f));
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        hash = step(hash, 0xf0 | (code >> 18));
        hash = step(hash, 0x80 | ((code >> 12) & 0x3f));
        hash = step(hash, 0x80 | ((code >> 6) & 0x3f));
        hash = step(hash, 0x80 | (code & 0x3f));
        continue;
      }
      code = 0xfffd;
    }
    hash = step(hash, 0xe0 | (code >> 12));
    hash = step(hash, 0x80 | ((code >> 6) & 0x3f));
    hash = step(hash, 0x80 | (code & 0x3f));
  }
  return hash >>> 0;
}

function step(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME);
}

/** The partition an instance lives in; every key of the instance carries it as a Redis Cluster hash tag. */
export function partitionOf(instanceId: string, partitions: number): number {
  return partitions === 1 ? 0 : fnv1a32(instanceId) % partitions;
}
