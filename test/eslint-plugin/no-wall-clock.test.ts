import { noWallClock } from '../../src/eslint-plugin/rules/no-wall-clock.js';
import { asEslintRule, redflowImport, typedFile, typedTester, untypedTester } from './rule-tester.js';

const rule = asEslintRule(noWallClock);
const header = "import type { WorkflowContext } from 'redflow';\n";

untypedTester.run('no-wall-clock', rule, {
  valid: [
    // Not workflow code: no WorkflowContext parameter.
    'export async function activity(): Promise<number> { return Date.now(); }',
    `${header}export async function wf(ctx: WorkflowContext) { return workflow.now(ctx); }`,
    // A date built from a value is deterministic.
    `${header}export async function wf(ctx: WorkflowContext, at: number) { return new Date(at).toISOString(); }`,
    // The function given to sideEffect runs once and is recorded.
    `${header}export async function wf(ctx: WorkflowContext) { return workflow.sideEffect(ctx, () => Date.now()); }`,
    // A local Date shadows the global.
    `${header}export async function wf(ctx: WorkflowContext) { const Date = { now: () => 1 }; return Date.now(); }`,
    // Whole-file recognition is off unless the setting says so.
    'export const started = Date.now();',
  ],
  invalid: [
    {
      code: `${header}export async function wf(ctx: WorkflowContext) { return Date.now(); }`,
      errors: [{ messageId: 'wallClock', data: { expression: 'Date.now()' } }],
    },
    {
      code: `${header}export const wf = async (ctx: WorkflowContext) => [new Date(), Date(), globalThis.Date.now()];`,
      errors: [
        { messageId: 'wallClock', data: { expression: 'new Date()' } },
        { messageId: 'wallClock', data: { expression: 'Date()' } },
        { messageId: 'wallClock', data: { expression: 'Date.now()' } },
      ],
    },
    {
      // Nested callbacks inside a workflow are workflow code; a qualified type name counts too.
      code: "import type * as redflow from 'redflow';\nexport async function wf(ctx: redflow.WorkflowContext, xs: number[]) { return xs.map(() => performance.now()); }",
      errors: [{ messageId: 'wallClock', data: { expression: 'performance.now()' } }],
    },
    {
      code: "import { performance } from 'node:perf_hooks';\nexport function wf(ctx: WorkflowContext = undefined!) { return performance.now(); }",
      errors: [{ messageId: 'wallClock', data: { expression: 'performance.now()' } }],
    },
    {
      code: 'export const started = Date.now();',
      settings: { redflow: { workflowFiles: true } },
      errors: [{ messageId: 'wallClock' }],
    },
  ],
});

typedTester.run('no-wall-clock (type-aware)', rule, {
  valid: [
    {
      code: `import { Worker, MemoryBackend } from '${redflowImport}';\nnew Worker(new MemoryBackend(), {}).registerActivity(async () => Date.now());`,
      filename: typedFile,
    },
  ],
  invalid: [
    {
      // The context parameter is typed by the registerWorkflow signature, not annotated.
      code: `import { Worker, MemoryBackend } from '${redflowImport}';\nnew Worker(new MemoryBackend(), {}).registerWorkflow(async (ctx) => { void ctx; return Date.now(); });`,
      filename: typedFile,
      errors: [{ messageId: 'wallClock', data: { expression: 'Date.now()' } }],
    },
    {
      // An alias of WorkflowContext.
      code: `import type { WorkflowContext } from '${redflowImport}';\ntype Ctx = WorkflowContext;\nexport async function wf(ctx: Ctx) { void ctx; return new Date(); }`,
      filename: typedFile,
      errors: [{ messageId: 'wallClock', data: { expression: 'new Date()' } }],
    },
  ],
});
