// UTF-8, which Redis keys, hash fields and msgpack strings are made of, cannot hold a lone surrogate: encoders
// replace it with U+FFFD, so a string holding one would come back changed and two different ids could name
// the same keys. Such strings are refused wherever they would be stored.

/**
 * ` (lone surrogate U+D83E at index 8)`: where the first lone surrogate of `text` is, for an error message;
 * '' when `text` is well-formed UTF-16.
 */
export function describeLoneSurrogate(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    return ` (lone surrogate U+${code.toString(16).toUpperCase()} at index ${i})`;
  }
  return '';
}
