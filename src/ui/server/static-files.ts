import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
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
 * (`vendor/<file>`): resolved from the installed packages as Node resolves an `import`, so the UI needs no CDN.
 */
const VENDOR_MODULES: Readonly<Record<string, string>> = {
  'preact.mjs': 'preact',
  'preact-hooks.mjs': 'preact/hooks',
  'htm.mjs': 'htm',
};

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
  for (const [file, specifier] of Object.entries(VENDOR_MODULES)) {
    let path: string;
    try {
      path = fileURLToPath(import.meta.resolve(specifier));
    } catch (err) {
      throw new Error(`the diagnostics UI needs the package ${specifier.split('/')[0]}: ${(err as Error).message}`);
    }
    files.set(`vendor/${file}`, load(path));
  }
  return files;
}
