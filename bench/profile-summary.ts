// Summarises a V8 CPU profile (from `npm run bench -- ... --cpu-prof DIR`): self time by code area and by function.
// Usage: npx tsx bench/profile-summary.ts DIR/file.cpuprofile [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a redflow or bench folder, an npm package, Node itself, or a V8 pseudo-frame. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const own = /\/(src|bench|lua)\/(.*\/)?/.exec(url);
  if (own) return `${own[1]}/${own[2] ?? ''}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

function top(entries: Map<string, number>, totalUs: number, count: number): string[] {
  return [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
}

const [file, countArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const us = profile.timeDeltas[i] ?? 0;
  if (node === undefined) return;
  const { functionName, url, lineNumber } = node.callFrame;
  const area = areaOf(url, functionName);
  if (area === '(idle)') return;
  totalUs += us;
  byArea.set(area, (byArea.get(area) ?? 0) + us);
  const where = url === '' ? '' : ` ${url.replace(/^.*?\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}`;
  const name = `${functionName || '(anonymous)'}${where}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
});
const count = Number(countArg ?? 25);
console.log(`busy ${(totalUs / 1000).toFixed(0)} ms (idle left out)\n\nby area:`);
console.log(top(byArea, totalUs, count).join('\n'));
console.log('\nby function (self time):');
console.log(top(byFunction, totalUs, count).join('\n'));
