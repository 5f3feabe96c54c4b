import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the UI serves as it is: its bytes and content type. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The browser builds of the front end's libraries, by the path the page's import map names them with
 * (`vendor/<file>`): package and export subpath, found in the installed packages, so the UI needs no CDN.
 */
const VENDOR_MODULES: Readonly<Record<string, readonly [string, string]>> = {
  'preact.mjs': ['preact', '.'],
  'preact-hooks.mjs': ['preact', './hooks'],
  'htm.mjs': ['htm', '.'],
};

const require = createRequire(import.meta.url);

/** The folder of the installed package `name`, as this module's imports would find it. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json of ${name} above ${require.resolve(name)}`);
    dir = parent;
  }
}

type ExportTarget = string | { [condition: string]: ExportTarget | undefined };

/**
 * The ES module file of export `subpath` of package `name` for a browser: its `browser`, `import` or `default`
 * target (a browser loads it as is; the `require` build is CommonJS). `import.meta.resolve` would do this, but
 * not under every loader (tsx's CommonJS transform lacks it).
 */
function browserModule(name: string, subpath: string): string {
  const dir = packageDir(name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: Record<string, ExportTarget> };
  let target: ExportTarget | undefined = manifest.exports?.[subpath];
  while (typeof target === 'object') target = target.browser ?? target.import ?? target.default;
  if (typeof target !== 'string') throw new Error(`${name} exports no ES module at ${subpath}`);
  return join(dir, target);
}

/**
 * The page's own files: src/ui/assets/ next to this module's folder (dist/ui/assets/ in the built package, which
 * the build copies there).
 */
const ASSETS_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

function load(path: string): StaticFile {
  return { body: readFileSync(path), contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' };
}

/**
 * Every file the UI serves, by its path below the mount point (`index.html`, `assets/app.js`,
 * `vendor/preact.mjs`, ...), read once. Only these paths are served, so no request path reaches the file system.
 * @throws Error naming the folder or package when the assets or a front-end library cannot be found (a broken
 *   install).
 */
export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let names: string[];
  try {
    names = readdirSync(ASSETS_DIR);
  } catch (err) {
    throw new Error(`the diagnostics UI's files are missing from ${ASSETS_DIR}: ${(err as Error).message}`);
  }
  for (const name of names) {
    if (!(extname(name) in CONTENT_TYPES)) continue;
    files.set(name === 'index.html' ? 'index.html' : `assets/${name}`, load(join(ASSETS_DIR, name)));
  }
  if (!files.has('index.html')) throw new Error(`the diagnostics UI's index.html is missing from ${ASSETS_DIR}`);
  for (const [file, [name, subpath]] of Object.entries(VENDOR_MODULES)) {
    try {
      files.set(`vendor/${file}`, load(browserModule(name, subpath)));
    } catch (err) {
      throw new Error(`the diagnostics UI needs the package ${name}: ${(err as Error).message}`);
    }
  }
  return files;
}
