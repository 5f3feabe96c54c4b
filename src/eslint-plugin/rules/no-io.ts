import { AST_NODE_TYPES, ESLintUtils, type TSESTree } from '@typescript-eslint/utils';
import { isGlobal, moduleName, originOf, requiredModule } from '../origin.js';
import { WorkflowCode } from '../workflow-code.js';

/** Node built-in modules whose use in workflow code does I/O or reads the machine it runs on. */
const IO_MODULES: readonly string[] = [
  'child_process',
  'cluster',
  'dgram',
  'dns',
  'dns/promises',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'inspector',
  'net',
  'os',
  'readline',
  'readline/promises',
  'repl',
  'tls',
  'worker_threads',
];

const NETWORK_GLOBALS = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'];

/** Options of `no-io`. */
export interface NoIoOptions {
  /** More modules to treat as I/O (database and HTTP clients...), compared without a `node:` scheme. Default none. */
  modules?: string[];
}

/**
 * Flags I/O in workflow code: the network globals (`fetch`, `XMLHttpRequest`, `WebSocket`, `EventSource`) and
 * values imported or required from node's I/O modules (and the `modules` option) used in workflow code.
 */
export const noIo = ESLintUtils.RuleCreator.withoutDocs<[NoIoOptions], 'network' | 'moduleUse' | 'moduleImport'>({
  name: 'no-io',
  meta: {
    type: 'problem',
    docs: { description: 'Disallow I/O in workflow code; do it in an activity' },
    messages: {
      network:
        '`{{name}}` does network I/O whose result is not recorded: a replay would do it again and may see something else. ' +
        'Move it into an activity and call that with `workflow.executeActivity(ctx, options, activity, ...args)`.',
      moduleUse:
        '`{{name}}` comes from `{{module}}`, which does I/O (or reads the machine): its result is not recorded and differs on replay. ' +
        'Move it into an activity and call that with `workflow.executeActivity(ctx, options, activity, ...args)`.',
      moduleImport:
        'This workflow file imports `{{module}}`, which does I/O (or reads the machine). ' +
        'Import it in an activity and call that with `workflow.executeActivity(ctx, options, activity, ...args)`.',
    },
    schema: [
      {
        type: 'object',
        properties: { modules: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ modules: [] }],
  },
  create(context, [options]) {
    const code = new WorkflowCode(context);
    const ioModules = new Set([...IO_MODULES, ...(options.modules ?? []).map(moduleName)]);
    const inWorkflow = (node: TSESTree.Node): boolean => code.kindAt(node) !== 'other';

    const checkModuleCall = (node: TSESTree.Node, module: string | undefined): void => {
      if (module !== undefined && ioModules.has(module) && inWorkflow(node)) {
        context.report({ node, messageId: 'moduleUse', data: { name: context.sourceCode.getText(node), module } });
      }
    };

    // Module-level bindings are fine until workflow code uses them: report each use there.
    const checkUses = (declaration: TSESTree.Node, module: string): void => {
      for (const variable of context.sourceCode.getDeclaredVariables(declaration)) {
        for (const reference of variable.references) {
          if (!reference.isValueReference || reference.init === true || !inWorkflow(reference.identifier)) continue;
          context.report({ node: reference.identifier, messageId: 'moduleUse', data: { name: variable.name, module } });
        }
      }
    };

    return {
      CallExpression(node) {
        checkModuleCall(node, requiredModule(node));
        const origin = originOf(context, node.callee);
        const name = NETWORK_GLOBALS.find((global) => isGlobal(origin, global));
        if (name && inWorkflow(node)) context.report({ node, messageId: 'network', data: { name } });
      },
      NewExpression(node) {
        if (node.callee.type === AST_NODE_TYPES.Super) return;
        const origin = originOf(context, node.callee);
        const name = NETWORK_GLOBALS.find((global) => isGlobal(origin, global));
        if (name && inWorkflow(node)) context.report({ node, messageId: 'network', data: { name } });
      },
      ImportExpression(node) {
        if (node.source.type === AST_NODE_TYPES.Literal && typeof node.source.value === 'string') {
          checkModuleCall(node, moduleName(node.source.value));
        }
      },
      ImportDeclaration(node) {
        const module = moduleName(node.source.value);
        if (!ioModules.has(module) || node.importKind === 'type') return;
        if (code.isWorkflowFile) {
          context.report({ node, messageId: 'moduleImport', data: { module } });
          return;
        }
        checkUses(node, module);
      },
      VariableDeclarator(node) {
        const module = node.init ? requiredModule(node.init) : undefined;
        // A require inside workflow code is reported as a call already.
        if (module !== undefined && ioModules.has(module) && !inWorkflow(node)) checkUses(node, module);
      },
    };
  },
});
