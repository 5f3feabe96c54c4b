import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fnv1a32, partitionOf } from '../../../src/backend/redis/partition.js';

/** FNV-1a over `TextEncoder`'s bytes: the definition the stored partitions of existing instances follow. */
function reference(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

describe('partitionOf', () => {
  it('hashes FNV-1a test vectors', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });

  it('hashes the UTF-8 bytes TextEncoder writes, for every width of character and for lone surrogates', () => {
    const samples = ['order-42', 'é', 'ß€', '日本語', '💡', 'a💡b', '\ud800', '\udc00x', 'x\ud83d', '\ud83d\ud83d\udca1', '\u07ff\u0800\uffff'];
    for (const text of samples) assert.equal(fnv1a32(text), reference(text), JSON.stringify(text));
    // Random UTF-16, lone surrogates included.
    for (let n = 0; n < 2_000; n++) {
      const units = randomBytes(16);
      const text = String.fromCharCode(...Array.from({ length: 8 }, (_, i) => units.readUInt16LE(i * 2)));
      assert.equal(fnv1a32(text), reference(text), JSON.stringify(text));
    }
  });

  it('puts every id in partition 0 of 1, and spreads ids over several', () => {
    assert.equal(partitionOf('anything', 1), 0);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const partition = partitionOf(`order-${i}`, 8);
      assert.equal(partition, reference(`order-${i}`) % 8);
      seen.add(partition);
    }
    assert.equal(seen.size, 8);
  });
});
