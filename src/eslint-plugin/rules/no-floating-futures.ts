import { AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type { Type } from 'typescript';
import { originOf } from '../origin.js';
import { typeServices } from '../workflow-code.js';

// `workflow.*` calls whose result must be awaited (futures, and the promises of `sleep` and `select`): recognised by
// name, so the rule works without type information too.
const WAITED_CALLS = new Set(['executeActivity', 'createSubWorkflowInstance', 'scheduleTimer', 'sideEffect', 'signalWorkflow', 'sleep', 'select']);

/**
 * Flags workflow futures that nothing waits for: a `workflow.executeActivity(...)` (or other future-returning
 * call) as a statement of its own, or assigned to a variable that is never read. With type information, any
 * expression of type `Future` counts. `void` marks a future left running on purpose.
 */
export const noFloatingFutures = ESLintUtils.RuleCreator.withoutDocs({
  name: 'no-floating-futures',
  meta: {
    type: 'problem',
    docs: { description: 'Require workflow futures to be awaited (futures are thenables, which no-floating-promises skips)' },
    messages: {
      floating:
        'This workflow future is not awaited: the workflow goes on without its result, may finish before it, and never sees it fail. ' +
        '`await` it, combine it with `Promise.all` / `Promise.race` or `workflow.select`, or write `void` before it to leave it running on purpose.',
      unused:
        '`{{name}}` holds a workflow future that is never awaited or read: the workflow goes on without its result and never sees it fail. ' +
        '`await {{name}}` where its result is needed, or pass it to `Promise.all` / `workflow.select`.',
    },
    schema: [],
  },
  create(context) {
    const services = typeServices(context);

    const isFutureType = (type: Type): boolean =>
      type.isUnion() ? type.types.some(isFutureType) : type.getSymbol()?.getName() === 'Future' && type.getProperty('then') !== undefined;

    const isFuture = (node: TSESTree.Expression): boolean => {
      switch (node.type) {
        case AST_NODE_TYPES.ChainExpression:
        case AST_NODE_TYPES.TSAsExpression:
        case AST_NODE_TYPES.TSNonNullExpression:
        case AST_NODE_TYPES.TSSatisfiesExpression:
          return isFuture(node.expression);
        case AST_NODE_TYPES.ConditionalExpression:
          return isFuture(node.consequent) || isFuture(node.alternate);
        case AST_NODE_TYPES.LogicalExpression:
          return isFuture(node.right);
        case AST_NODE_TYPES.SequenceExpression: {
          const last = node.expressions.at(-1);
          return last !== undefined && isFuture(last);
        }
        case AST_NODE_TYPES.AwaitExpression:
        case AST_NODE_TYPES.UnaryExpression:
        case AST_NODE_TYPES.AssignmentExpression:
          return false;
        default:
          return isWaitedCall(context, node) || (services !== undefined && isFutureType(services.getTypeAtLocation(node)));
      }
    };

    return {
      ExpressionStatement(node) {
        if (isFuture(node.expression)) context.report({ node, messageId: 'floating' });
      },
      VariableDeclarator(node) {
        if (node.id.type !== AST_NODE_TYPES.Identifier || !node.init || !isFuture(node.init)) return;
        const [variable] = context.sourceCode.getDeclaredVariables(node);
        // Sound only when nothing reads the variable: any read may hand the future to something that awaits it.
        if (variable && !variable.references.some((reference) => reference.isRead())) {
          context.report({ node, messageId: 'unused', data: { name: node.id.name } });
        }
      },
    };
  },
});

/**
 * `workflow.executeActivity(...)` and the other `WAITED_CALLS` on redflow's `workflow` namespace, however it is
 * reached: an object named `workflow`, an import of `workflow` under another name (`import { workflow as wf }`),
 * or `workflow` read off a namespace import or `require` (`rf.workflow.sleep(...)`). The exporting module is not
 * checked, so a re-export through the application's own modules is recognised too.
 */
function isWaitedCall(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, node: TSESTree.Expression): boolean {
  if (node.type !== AST_NODE_TYPES.CallExpression) return false;
  const callee = node.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed) return false;
  if (callee.property.type !== AST_NODE_TYPES.Identifier || !WAITED_CALLS.has(callee.property.name)) return false;
  if (callee.object.type === AST_NODE_TYPES.Identifier && callee.object.name === 'workflow') return true;
  const origin = originOf(context, callee.object);
  return origin?.kind === 'module' && origin.path.length === 1 && origin.path[0] === 'workflow';
}
