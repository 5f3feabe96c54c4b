import { noFloatingFutures } from '../../src/eslint-plugin/rules/no-floating-futures.js';
import { asEslintRule, redflowImport, typedFile, typedTester, untypedTester } from './rule-tester.js';

const rule = asEslintRule(noFloatingFutures);
const header = "import { workflow, type WorkflowContext } from 'redflow';\n";
const wf = (body: string): string => `${header}export async function wf(ctx: WorkflowContext) { ${body} }`;

untypedTester.run('no-floating-futures', rule, {
  valid: [
    wf("await workflow.executeActivity(ctx, {}, 'charge');"),
    wf("const a = workflow.executeActivity(ctx, {}, 'a'); const b = workflow.executeActivity(ctx, {}, 'b'); return Promise.all([a, b]);"),
    wf("const timer = workflow.scheduleTimer(ctx, 1000); return workflow.select(ctx, workflow.onFuture(timer, () => 'late'));"),
    // `void` leaves a future running on purpose.
    wf("void workflow.signalWorkflow(ctx, 'other', 'ping');"),
    wf("return workflow.executeActivity(ctx, {}, 'a');"),
    wf("const pending = [workflow.executeActivity(ctx, {}, 'a')]; await Promise.all(pending);"),
    // Calls that return plain values.
    wf("workflow.logger(ctx).info('x'); workflow.deprecatePatch(ctx, 'p');"),
    // A local object that is not redflow's namespace, and a namespace's other members.
    "import * as rf from 'redflow';\nconst jobs = { sleep: (n: number) => n };\nexport function f() { jobs.sleep(1); rf.sleep(1); }",
  ],
  invalid: [
    { code: wf("workflow.executeActivity(ctx, {}, 'charge');"), errors: [{ messageId: 'floating' }] },
    {
      code: wf("workflow.sleep(ctx, 10); workflow.createSubWorkflowInstance(ctx, {}, 'child'); workflow.sideEffect(ctx, () => 1);"),
      errors: [{ messageId: 'floating' }, { messageId: 'floating' }, { messageId: 'floating' }],
    },
    {
      code: wf("if (ctx.canceled) workflow.executeActivity(ctx, {}, 'undo'); else ctx.canceled || workflow.scheduleTimer(ctx, 5);"),
      errors: [{ messageId: 'floating' }, { messageId: 'floating' }],
    },
    {
      code: wf("const receipt = workflow.executeActivity(ctx, {}, 'charge'); return 'done';"),
      errors: [{ messageId: 'unused', data: { name: 'receipt' } }],
    },
    {
      // Only written, never read.
      code: wf("let t = workflow.scheduleTimer(ctx, 5); t = workflow.scheduleTimer(ctx, 6);"),
      errors: [{ messageId: 'unused', data: { name: 't' } }],
    },
    {
      // The namespace under another name, or read off the module's namespace object or `require`.
      code: "import { workflow as wf, type WorkflowContext } from 'redflow';\nexport async function f(ctx: WorkflowContext) { wf.executeActivity(ctx, {}, 'a'); }",
      errors: [{ messageId: 'floating' }],
    },
    {
      code: "import * as rf from 'redflow';\nexport async function f(ctx: rf.WorkflowContext) { rf.workflow.executeActivity(ctx, {}, 'a'); const t = rf.workflow.scheduleTimer(ctx, 5); }",
      errors: [{ messageId: 'floating' }, { messageId: 'unused', data: { name: 't' } }],
    },
    {
      code: "const { workflow: w } = require('redflow');\nexport async function f(ctx) { w.sleep(ctx, 10); }",
      errors: [{ messageId: 'floating' }],
    },
  ],
});

const typedHeader = `import { workflow, type Future, type WorkflowContext } from '${redflowImport}';\n`;
const typedWf = (body: string): string => `${typedHeader}export async function wf(ctx: WorkflowContext, later: () => Future<number>) { ${body} }`;

typedTester.run('no-floating-futures (type-aware)', rule, {
  valid: [
    { code: typedWf('await later(); await ctx.done;'), filename: typedFile },
    { code: typedWf('const n: number = await later(); return n;'), filename: typedFile },
    { code: typedWf('void later();'), filename: typedFile },
  ],
  invalid: [
    // Any expression typed Future counts, not only workflow.* calls: here a helper's result and ctx.done.
    { code: typedWf('later(); ctx.done;'), filename: typedFile, errors: [{ messageId: 'floating' }, { messageId: 'floating' }] },
    {
      code: typedWf('const f = ctx.canceled ? later() : undefined;'),
      filename: typedFile,
      errors: [{ messageId: 'unused', data: { name: 'f' } }],
    },
    {
      code: `${typedHeader}const run = workflow;\nexport async function wf(ctx: WorkflowContext) { run.executeActivity(ctx, {}, 'a'); }`,
      filename: typedFile,
      errors: [{ messageId: 'floating' }],
    },
  ],
});
