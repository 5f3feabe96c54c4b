import { AST_NODE_TYPES, ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import { isFromModule, isGlobal, originOf } from '../origin.js';
import { WorkflowCode } from '../workflow-code.js';

const PERF_HOOKS = new Set(['perf_hooks']);

/** Flags reads of the wall clock in workflow code: `Date.now()`, `new Date()`, `Date()`, `performance.now()`. */
export const noWallClock = ESLintUtils.RuleCreator.withoutDocs({
  name: 'no-wall-clock',
  meta: {
    type: 'problem',
    docs: { description: 'Disallow reading the wall clock in workflow code; use workflow.now(ctx)' },
    messages: {
      wallClock:
        '`{{expression}}` reads the wall clock, which differs when the workflow replays on another worker or after a restart. ' +
        'Use `workflow.now(ctx)` (the time of the current workflow task, the same on replay), or read the clock inside `workflow.sideEffect(ctx, fn)`.',
    },
    schema: [],
  },
  create(context) {
    const code = new WorkflowCode(context);
    const check = (node: TSESTree.Node, expression: string): void => {
      // A sideEffect function runs once and its result is recorded: reading the clock there is what it is for.
      if (code.kindAt(node) === 'workflow') context.report({ node, messageId: 'wallClock', data: { expression } });
    };
    return {
      CallExpression(node) {
        const origin = originOf(context, node.callee);
        if (isGlobal(origin, 'Date', 'now')) check(node, 'Date.now()');
        else if (isGlobal(origin, 'Date')) check(node, 'Date()');
        else if (isGlobal(origin, 'performance', 'now') || isFromModule(origin, PERF_HOOKS, 'performance', 'now')) {
          check(node, 'performance.now()');
        }
      },
      NewExpression(node) {
        if (node.arguments.length === 0 && node.callee.type !== AST_NODE_TYPES.Super && isGlobal(originOf(context, node.callee), 'Date')) {
          check(node, 'new Date()');
        }
      },
    };
  },
});
