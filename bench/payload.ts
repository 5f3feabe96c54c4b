const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A string of `sizeBytes` ASCII characters: the result a tree activity returns. */
export function payload(sizeBytes: number): string {
  let text = '';
  for (let i = 0; i < sizeBytes; i++) text += ALPHABET[(i * 7 + 3) % ALPHABET.length];
  return text;
}
