import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm run example -- <name>` runs examples/<name>/main.ts; without a known name it lists the samples.
const here = dirname(fileURLToPath(import.meta.url));
const samples = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'main.ts')))
  .map((entry) => entry.name)
  .sort();
const name = process.argv[2];
if (name === undefined || !samples.includes(name)) {
  console.error(`${name === undefined ? 'no sample named' : `unknown sample '${name}'`}; run one of: npm run example -- <${samples.join('|')}>`);
  process.exit(2);
}
await import(`./${name}/main.ts`);
