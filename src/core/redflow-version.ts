import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The version of the running redflow package, from its package.json (found by walking up from this module,
 * which runs from `src/core/` and from `dist/core/`); `'unknown'` when it cannot be read.
 */
export function redflowVersion(): string {
  cached ??= readVersion(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

function readVersion(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      try {
        const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'redflow' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // not a package.json we can read: look further up
      }
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
