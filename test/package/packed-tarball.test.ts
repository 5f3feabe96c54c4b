import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useRedisServer } from '../helpers/redis-server.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The first ```ts block after the README's "A complete example" heading. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## A complete example$/m)[1];
  const block = section === undefined ? undefined : /```ts\n([\s\S]*?)```/.exec(section);
  if (block?.[1] === undefined) throw new Error('README.md has no ```ts block under "## A complete example"');
  return block[1];
}

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

/**
 * Copies the production dependencies of the lockfile (what `npm install redflow` adds beside it) from this
 * checkout's node_modules into `project`, so that installing the tarball there finds every dependency in
 * place and needs no registry. Development dependencies stay out: an import of one from dist/ fails.
 */
function copyProductionDependencies(project: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev === true || entry.devOptional === true) continue;
    const installed = join(ROOT, path);
    // Optional packages for other platforms are absent.
    if (existsSync(installed)) cpSync(installed, join(project, path), { recursive: true, dereference: true });
  }
}

/**
 * What `npm pack` reads to build and ship the package: the manifest and lockfile, the build's tsconfigs and
 * sources, and the files package.json's `files` and npm add (dist/ is built from src/, lua/ shipped as is).
 */
const PACKAGE_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'lua', 'README.md', 'LICENSE'];

/**
 * A copy of the package's inputs in `dir`, with this checkout's node_modules linked in for the build. `npm pack`
 * runs there, not here: its `prepack` removes dist/, which must not touch this checkout's build.
 */
function copyPackageInputs(dir: string): void {
  for (const input of PACKAGE_INPUTS) cpSync(join(ROOT, input), join(dir, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/** Links `names` from this checkout's node_modules into `project` (their own dependencies resolve from here). */
function linkDevelopmentPackages(project: string, names: readonly string[]): void {
  for (const name of names) {
    mkdirSync(dirname(join(project, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name), 'dir');
  }
}

/** The modification time of this checkout's dist/, or undefined when there is none. */
function rootDistMtimeMs(): number | undefined {
  return statSync(join(ROOT, 'dist'), { throwIfNoEntry: false })?.mtimeMs;
}

// A day-long sleep through `redflow/testing`: the tester's clock skips it.
const TESTER_SCRIPT = `import { workflow } from 'redflow';
import { WorkflowTester } from 'redflow/testing';

async function nap(ctx, name) {
  await workflow.sleep(ctx, 24 * 60 * 60 * 1000);
  return name + ' rested';
}
const tester = new WorkflowTester(nap);
await tester.execute('Ada');
console.log(tester.workflowResult());
`;

// The diagnostics UI from \`redflow/ui\` on a MemoryBackend: its page, a front-end library and the API, over HTTP.
const UI_SCRIPT = `import { Client, MemoryBackend } from 'redflow';
import { startDiagnosticsServer } from 'redflow/ui';

const backend = new MemoryBackend();
const ui = await startDiagnosticsServer({ client: new Client(backend), port: 0 });
try {
  for (const path of ['', 'vendor/preact.mjs', 'api/instances']) {
    const res = await fetch(ui.url + path);
    const text = await res.text();
    console.log(res.status, res.headers.get('content-type'), text.includes('<title>redflow diagnostics</title>') || text.includes('createElement') || text);
  }
} finally {
  await ui.close();
  await backend.close();
}
`;

// The plugin as a user's flat config sets it up, linting a workflow that reads the clock.
const LINT_SCRIPT = `import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import redflow from 'redflow/eslint-plugin';

const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: [...tseslint.configs.recommended, redflow.configs.recommended] });
const source = "import { workflow, type WorkflowContext } from 'redflow';\\nexport async function wf(ctx: WorkflowContext) { workflow.sleep(ctx, 1); return Date.now(); }\\n";
const [result] = await eslint.lintText(source, { filePath: 'order.ts' });
console.log(result.messages.map((m) => m.ruleId).join(' '));
`;

// Both telemetry entry points, with the optional peers a user installs beside redflow.
const TELEMETRY_SCRIPT = `import { openTelemetry, prometheusMetrics } from 'redflow/telemetry';

const telemetry = openTelemetry();
const metrics = prometheusMetrics();
const text = await metrics.metrics();
console.log(telemetry.enabled, text.includes('# TYPE redflow_workflow_started_total counter'));
`;

// `npm pack` of a copy of this checkout, installed into a scratch project as a user would, runs the README's example.
describe('the packed tarball', function () {
  this.timeout(120_000);
  const server = useRedisServer();
  let scratch: string;
  let project: string;
  let packed: PackResult;
  let distMtimeMs: { before: number | undefined; after: number | undefined };

  before(async function () {
    this.timeout(120_000);
    scratch = mkdtempSync(join(tmpdir(), 'redflow-pack-'));
    const source = join(scratch, 'source');
    mkdirSync(source);
    copyPackageInputs(source);
    const before = rootDistMtimeMs();
    // Runs `prepack` (removes dist/) and `prepare` (builds it), as `npm publish` would, in the copy.
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: source, maxBuffer: 16 * 1024 * 1024 });
    distMtimeMs = { before, after: rootDistMtimeMs() };
    const [result] = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackResult[];
    if (result === undefined) throw new Error(`npm pack reported no package: ${stdout}`);
    packed = result;

    project = join(scratch, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    copyProductionDependencies(project);
    await run('npm', ['install', join(scratch, packed.filename), '--offline', '--no-audit', '--no-fund'], { cwd: project });
    // The lint plugin's peers, as a user installs them beside redflow; linked after `npm install`, which would
    // remove them as extraneous.
    linkDevelopmentPackages(project, ['eslint', 'typescript-eslint', '@typescript-eslint/utils', '@opentelemetry/api', 'prom-client']);
    writeFileSync(join(project, 'tester.mjs'), TESTER_SCRIPT);
    writeFileSync(join(project, 'telemetry.mjs'), TELEMETRY_SCRIPT);
    writeFileSync(join(project, 'lint.mjs'), LINT_SCRIPT);
    writeFileSync(join(project, 'ui.mjs'), UI_SCRIPT);

    // Type-check the example against the installed declarations and compile it, with this checkout's tsc.
    writeFileSync(join(project, 'example.ts'), readmeExample());
    const types = join(ROOT, 'node_modules', '@types');
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, typeRoots: [types], types: ['node'], outDir: 'out' };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.ts'] }));
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project]);
  });

  after(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it("leaves this checkout's dist/ alone", () => {
    assert.equal(distMtimeMs.after, distMtimeMs.before);
  });

  it('holds the build, the Lua scripts, README and LICENSE, and no sources or source maps', () => {
    const paths = packed.files.map((file) => file.path);
    const expected = ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/eslint-plugin/index.js', 'dist/telemetry/index.js', 'dist/cli/main.js'];
    for (const path of expected.concat(['dist/ui/index.js', 'dist/ui/assets/index.html', 'dist/ui/assets/app.js', 'dist/ui/assets/style.css'])) {
      assert.ok(paths.includes(path), `${path} missing from the package`);
    }
    assert.ok(paths.some((path) => /^lua\/.+\.lua$/.test(path)), 'no Lua scripts in the package');
    assert.deepEqual(
      paths.filter((path) => path.endsWith('.map') || /^(src|test|examples)\//.test(path)),
      [],
    );
  });

  for (const backend of ['MemoryBackend', 'Redis'] as const) {
    it(`runs the README's example on ${backend}`, async () => {
      const env = { ...process.env, REDIS_URL: backend === 'Redis' ? server().url : '', REDFLOW_LOG_LEVEL: 'warn' };
      const { stdout } = await run(process.execPath, [join('out', 'example.js')], { cwd: project, env, timeout: 30_000 });
      assert.deepEqual(stdout.trim().split('\n'), ['Ada: 47']);
    });
  }

  it('runs a WorkflowTester from `redflow/testing`', async () => {
    const { stdout } = await run(process.execPath, ['tester.mjs'], { cwd: project, timeout: 30_000 });
    assert.equal(stdout.trim(), 'Ada rested');
  });

  it('loads `redflow/eslint-plugin`, whose recommended preset flags a floating future and the clock', async () => {
    const { stdout } = await run(process.execPath, ['lint.mjs'], { cwd: project, timeout: 30_000 });
    assert.equal(stdout.trim(), 'redflow/no-floating-futures redflow/no-wall-clock');
  });

  it('loads `redflow/telemetry`, whose Prometheus registry holds the metrics', async () => {
    const { stdout } = await run(process.execPath, ['telemetry.mjs'], { cwd: project, timeout: 30_000 });
    assert.equal(stdout.trim(), 'true true');
  });

  it('serves the diagnostics UI from `redflow/ui`: its page, Preact from the installed package, and the API', async () => {
    const { stdout } = await run(process.execPath, ['ui.mjs'], { cwd: project, timeout: 30_000 });
    assert.deepEqual(stdout.trim().split('\n'), [
      '200 text/html; charset=utf-8 true',
      '200 text/javascript; charset=utf-8 true',
      '200 application/json; charset=utf-8 {"instances":[]}',
    ]);
  });

  it('installs the `redflow` command, which prints its help', async () => {
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'redflow'), ['--help'], { cwd: project });
    assert.match(stdout, /^Usage: redflow /);
    assert.match(stdout, /^ {2}replay \[options\]/m);
    assert.match(stdout, /^ {2}export-histories \[options\]/m);
    assert.match(stdout, /^ {2}ui \[options\]/m);
  });
});
