import type { TSESLint } from '@typescript-eslint/utils';
import { noFloatingFutures } from './rules/no-floating-futures.js';
import { noIo } from './rules/no-io.js';
import { noRandom } from './rules/no-random.js';
import { noTimers } from './rules/no-timers.js';
import { noWallClock } from './rules/no-wall-clock.js';

export type { RedflowSettings } from './workflow-code.js';
export type { NoIoOptions } from './rules/no-io.js';

const rules = {
  'no-wall-clock': noWallClock,
  'no-random': noRandom,
  'no-timers': noTimers,
  'no-io': noIo,
  'no-floating-futures': noFloatingFutures,
};

/** The shape of the plugin object: its rules and its flat-config preset. */
export interface RedflowPlugin {
  meta: { name: string };
  rules: typeof rules;
  configs: {
    /**
     * One flat-config object: every rule as an error for all JS/TS files (`languageOptions` are left to the rest
     * of the config), with `settings.redflow.workflowFiles` set to `WORKFLOW_FILE_GLOBS`.
     */
    recommended: TSESLint.FlatConfig.Config;
  };
}

/**
 * Files whose whole content the recommended preset treats as workflow code: `*.workflow.*` files. A directory
 * such as `workflows/` is not matched by default, since it often holds activities too.
 */
export const WORKFLOW_FILE_GLOBS: readonly string[] = ['**/*.workflow.*'];

const rulesAsErrors: TSESLint.FlatConfig.Rules = Object.fromEntries(Object.keys(rules).map((name) => [`redflow/${name}`, 'error']));

/** The redflow ESLint plugin: determinism rules for workflow code (see its README for the rules and their setup). */
export const plugin: RedflowPlugin = {
  meta: { name: 'redflow/eslint-plugin' },
  rules,
  configs: {
    recommended: {
      name: 'redflow/recommended',
      files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
      rules: rulesAsErrors,
      settings: { redflow: { workflowFiles: WORKFLOW_FILE_GLOBS } },
    },
  },
};
// The preset names the plugin it configures, which only exists once the object does.
plugin.configs.recommended.plugins = { redflow: plugin };

// ESLint plugins are conventionally default exports: `import redflow from 'redflow/eslint-plugin'`.
export default plugin;
