/**
 * A function that makes its value with `make` on its first call and returns that same value on every call: for
 * what most uses never need and costs something to make (a child logger serialises its bindings).
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
