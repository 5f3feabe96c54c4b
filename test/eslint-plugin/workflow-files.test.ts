import assert from 'node:assert/strict';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { globToRegExp } from '../../src/eslint-plugin/file-glob.js';
import { plugin, WORKFLOW_FILE_GLOBS } from '../../src/eslint-plugin/index.js';
import { noWallClock } from '../../src/eslint-plugin/rules/no-wall-clock.js';
import { asEslintConfig, asEslintRule, untypedTester } from './rule-tester.js';

describe('workflow file globs', () => {
  it('matches ** across directories, * and ? within a segment, {a,b} alternatives', () => {
    const matches = (glob: string, path: string): boolean => globToRegExp(glob).test(path);
    assert.ok(matches('**/workflows/**', 'workflows/order.ts'));
    assert.ok(matches('**/workflows/**', 'src/app/workflows/sub/order.ts'));
    assert.ok(!matches('**/workflows/**', 'src/workflowsx/order.ts'));
    assert.ok(matches('**/*.workflow.*', 'src/order.workflow.ts'));
    assert.ok(!matches('**/*.workflow.*', 'src/order.workflow/main.ts'));
    assert.ok(matches('src/*.{ts,mts}', 'src/a.mts'));
    assert.ok(!matches('src/*.{ts,mts}', 'src/a.js'));
    assert.ok(!matches('src/*.ts', 'src/deep/a.ts'));
    assert.ok(matches('src/?.ts', 'src/a.ts'));
    assert.ok(!matches('a+b.ts', 'aab.ts'));
  });

  it('treats the default globs as whole-file workflow code and other files by function only', () => {
    const linter = new Linter();
    const lint = (filename: string): number =>
      linter.verify('export const loadedAt = Date.now();', [{ languageOptions: { parser: tseslint.parser } }, asEslintConfig(plugin.configs.recommended)], { filename }).length;
    assert.deepEqual(WORKFLOW_FILE_GLOBS, ['**/*.workflow.*']);
    assert.equal(lint('src/order.workflow.ts'), 1);
    assert.equal(lint('src/workflows/order.workflow.ts'), 1);
    // A `workflows/` directory often holds activities too: only a glob of the user's own makes it workflow code.
    assert.equal(lint('src/workflows/order.ts'), 0);
    assert.equal(lint('src/activities/order.ts'), 0);
  });

  it('rejects a workflowFiles setting that is neither a boolean nor an array of globs', () => {
    const linter = new Linter();
    const config = [
      { languageOptions: { parser: tseslint.parser } },
      asEslintConfig({ ...plugin.configs.recommended, settings: { redflow: { workflowFiles: 'src/workflows/**' } } }),
    ];
    assert.throws(() => linter.verify('Date.now();', config, { filename: 'a.ts' }), /settings\.redflow\.workflowFiles must be a boolean or an array of glob strings/);
  });
});

untypedTester.run('no-wall-clock (workflowFiles globs)', asEslintRule(noWallClock), {
  valid: [{ code: 'export const at = Date.now();', filename: 'src/activities/a.ts', settings: { redflow: { workflowFiles: ['src/workflows/**'] } } }],
  invalid: [
    {
      code: 'export const at = Date.now();',
      filename: 'src/workflows/a.ts',
      settings: { redflow: { workflowFiles: ['src/workflows/**'] } },
      errors: [{ messageId: 'wallClock' }],
    },
  ],
});
