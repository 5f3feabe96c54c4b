import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const INCLUDE = /^--- @include "([^"]+)"[ \t]*$/gm;
const CLUSTER_LINE = /^(.*?)[ \t]*--- @cluster (.+)$/gm;

/**
 * Which server a script is loaded for. A line `<code> --- @cluster <other code>` runs `<code>` on one Redis
 * and `<other code>` on a Redis Cluster (lua/lib/announce.lua: PUBLISH on one Redis, sharded SPUBLISH on a
 * Cluster).
 */
export type LuaTarget = 'redis' | 'cluster';

/**
 * The package's `lua/` directory. Walks up from `start` because this module runs both from `src/` (tsx)
 * and from `dist/src/` (built), at different depths below the package root.
 */
export function findLuaDir(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'lua'))) return join(dir, 'lua');
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`redflow: no lua/ directory next to a package.json above ${start}`);
    dir = parent;
  }
}

/**
 * Reads `<luaDir>/<name>.lua` with every `--- @include "lib/x"` line replaced by `<luaDir>/lib/x.lua`
 * (itself resolved), and every `--- @cluster` line resolved for `target` (default `'redis'`). A file
 * included twice is inlined once, at its first include; a cycle or a missing file is an error naming the
 * include chain.
 */
export function loadLuaScript(luaDir: string, name: string, target: LuaTarget = 'redis'): string {
  const lua = inline(luaDir, name, new Set(), []);
  return lua.replace(CLUSTER_LINE, (_line, code: string, clusterCode: string) => (target === 'cluster' ? clusterCode : code));
}

/** Every top-level script of `luaDir`, by name (file name without `.lua`), loaded for `target` (default `'redis'`). */
export function loadLuaScripts(luaDir: string, target: LuaTarget = 'redis'): Map<string, string> {
  const scripts = new Map<string, string>();
  for (const file of readdirSync(luaDir).sort()) {
    if (!file.endsWith('.lua')) continue;
    const name = file.slice(0, -'.lua'.length);
    scripts.set(name, loadLuaScript(luaDir, name, target));
  }
  return scripts;
}

function inline(luaDir: string, name: string, done: Set<string>, chain: string[]): string {
  if (chain.includes(name)) throw new Error(`redflow: Lua include cycle: ${[...chain, name].join(' -> ')}`);
  const path = join(luaDir, `${name}.lua`);
  if (!existsSync(path)) {
    const from = chain.length > 0 ? ` (included from ${chain.join(' -> ')})` : '';
    throw new Error(`redflow: Lua file not found: ${path}${from}`);
  }
  done.add(name);
  const source = readFileSync(path, 'utf8');
  return source.replace(INCLUDE, (_line, include: string) => {
    if (done.has(include)) {
      if (chain.includes(include) || include === name) {
        throw new Error(`redflow: Lua include cycle: ${[...chain, name, include].join(' -> ')}`);
      }
      return '';
    }
    return inline(luaDir, include, done, [...chain, name]).trimEnd();
  });
}
