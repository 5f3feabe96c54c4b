import { fileURLToPath } from 'node:url';
import type { TSESLint } from '@typescript-eslint/utils';
import { RuleTester, type Linter, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The file type-aware cases are linted as; its imports of `redflow` source are relative to it. */
export const typedFile = `${fixtures}workflow.ts`;

/** The path type-aware cases import redflow from. */
export const redflowImport = '../../../src/index.js';

/** Parses TypeScript without type information: rules fall back to annotations and names. */
export const untypedTester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

/**
 * Parses TypeScript with a program over test/eslint-plugin/fixtures (cases set `filename: typedFile`). Every case
 * is different code under the same file name, so the program must follow it: typescript-eslint would otherwise
 * infer a single run when `CI=true` and keep the first case's program for all of them.
 */
export const typedTester = new RuleTester({
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixtures, disallowAutomaticSingleRunInference: true },
  },
});

/** A typescript-eslint rule as ESLint's RuleTester takes it (the two type packages describe the same shape differently). */
export function asEslintRule(rule: TSESLint.RuleModule<string, readonly unknown[]>): Rule.RuleModule {
  return rule as unknown as Rule.RuleModule;
}

/** A typescript-eslint flat config object as ESLint's Linter takes it (same shape, differently described). */
export function asEslintConfig(config: TSESLint.FlatConfig.Config): Linter.Config {
  return config as unknown as Linter.Config;
}
