import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface PresetPlugin {
  rules: Record<string, unknown>;
  configs: { recommended: Linter.Config };
}

describe('redflow/eslint-plugin package export', function () {
  this.timeout(120_000);
  let plugin: PresetPlugin;

  before(async () => {
    // CI builds before testing; a fresh checkout builds here so the export is checked against real output.
    if (!existsSync(`${root}dist/eslint-plugin/index.js`)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    // The package's own name resolves through its "exports" map (self-reference), as it would for a user; a
    // variable specifier keeps the type-checker from resolving it against a dist/ that may not exist yet.
    const specifier = 'redflow/eslint-plugin';
    const loaded = (await import(specifier)) as { default: PresetPlugin };
    plugin = loaded.default;
  });

  it('maps the subpath to the built plugin and its types', () => {
    const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, Record<string, string>>; files: string[] };
    assert.deepEqual(manifest.exports['./eslint-plugin'], { types: './dist/eslint-plugin/index.d.ts', import: './dist/eslint-plugin/index.js' });
    assert.ok(existsSync(`${root}dist/eslint-plugin/index.d.ts`));
    assert.ok(manifest.files.includes('dist'));
  });

  it('exposes every rule and a recommended preset that works as one element of a flat config', async () => {
    assert.deepEqual(Object.keys(plugin.rules).sort(), ['no-floating-futures', 'no-io', 'no-random', 'no-timers', 'no-wall-clock']);
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      // As in a user's eslint.config.js: a parser, then the preset as one element.
      overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, plugin.configs.recommended],
    });
    const workflowSource = [
      "import { workflow, type WorkflowContext } from 'redflow';",
      'export async function wf(ctx: WorkflowContext): Promise<number> {',
      "  workflow.executeActivity(ctx, {}, 'charge');",
      '  return Date.now();',
      '}',
      'export const loadedAt = Date.now();',
    ].join('\n');
    const [functions] = await eslint.lintText(workflowSource, { filePath: `${root}examples/probe/main.ts` });
    assert.deepEqual(functions?.messages.map((m) => [m.ruleId, m.line]), [
      ['redflow/no-floating-futures', 3],
      ['redflow/no-wall-clock', 4],
    ]);
    // In a *.workflow.* file the whole file is workflow code, module level included.
    const [wholeFile] = await eslint.lintText(workflowSource, { filePath: `${root}examples/probe/order.workflow.ts` });
    assert.deepEqual(wholeFile?.messages.map((m) => [m.ruleId, m.line]), [
      ['redflow/no-floating-futures', 3],
      ['redflow/no-wall-clock', 4],
      ['redflow/no-wall-clock', 6],
    ]);
  });
});
