import { AST_NODE_TYPES, ASTUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

/**
 * Where an expression's value comes from: a global (`Date.now` is `{ kind: 'global', path: ['Date', 'now'] }`)
 * or a module (`import { randomUUID } from 'node:crypto'` makes `randomUUID` `{ kind: 'module', module: 'crypto',
 * path: ['randomUUID'] }`; a default or namespace import is the module itself, path `[]`).
 */
export type Origin = { kind: 'global'; path: string[] } | { kind: 'module'; module: string; path: string[] };

type AnyRuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

// Names under which the global object itself is reachable: `globalThis.Date.now()` is `Date.now()`.
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);

/** A module specifier without its `node:` scheme, so `node:fs` and `fs` compare equal. */
export function moduleName(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
}

/**
 * The origin of `node` (identifiers and non-computed or string-keyed member chains), or undefined when it is a
 * local value or something this analysis does not follow. A global shadowed by a local declaration is local.
 */
export function originOf(context: AnyRuleContext, node: TSESTree.Node): Origin | undefined {
  const origin = follow(context, node);
  if (origin?.kind === 'global' && origin.path.length > 1 && GLOBAL_OBJECTS.has(origin.path[0] ?? '')) {
    return { kind: 'global', path: origin.path.slice(1) };
  }
  return origin;
}

/** True when `origin` is the global at `path` (`isGlobal(o, 'Date', 'now')`). */
export function isGlobal(origin: Origin | undefined, ...path: string[]): boolean {
  return origin?.kind === 'global' && samePath(origin.path, path);
}

/** True when `origin` is `path` inside one of `modules` (names without `node:`). */
export function isFromModule(origin: Origin | undefined, modules: ReadonlySet<string>, ...path: string[]): boolean {
  return origin?.kind === 'module' && modules.has(origin.module) && samePath(origin.path, path);
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

function follow(context: AnyRuleContext, node: TSESTree.Node): Origin | undefined {
  if (node.type === AST_NODE_TYPES.MemberExpression) {
    const key = propertyKey(node);
    const base = key === undefined ? undefined : follow(context, node.object);
    return base && key !== undefined ? Object.assign({}, base, { path: [...base.path, key] }) : undefined;
  }
  if (node.type !== AST_NODE_TYPES.Identifier) return undefined;
  const variable = ASTUtils.findVariable(context.sourceCode.getScope(node), node);
  // No declaration in scope: a global (declared ones from `languageOptions.globals` have no definitions either).
  if (!variable || variable.defs.length === 0) return { kind: 'global', path: [node.name] };
  const def = variable.defs[0];
  if (!def || variable.defs.length > 1) return undefined;
  return originOfDeclaration(def.node, node.name);
}

function originOfDeclaration(declaration: TSESTree.Node, localName: string): Origin | undefined {
  switch (declaration.type) {
    case AST_NODE_TYPES.ImportSpecifier: {
      const source = importSource(declaration.parent);
      const imported = declaration.imported;
      const name = imported.type === AST_NODE_TYPES.Identifier ? imported.name : imported.value;
      return source === undefined ? undefined : { kind: 'module', module: source, path: name === 'default' ? [] : [name] };
    }
    case AST_NODE_TYPES.ImportDefaultSpecifier:
    case AST_NODE_TYPES.ImportNamespaceSpecifier: {
      const source = importSource(declaration.parent);
      return source === undefined ? undefined : { kind: 'module', module: source, path: [] };
    }
    case AST_NODE_TYPES.VariableDeclarator:
      return originOfRequire(declaration, localName);
    default:
      return undefined;
  }
}

function importSource(parent: TSESTree.Node | undefined): string | undefined {
  return parent?.type === AST_NODE_TYPES.ImportDeclaration ? moduleName(parent.source.value) : undefined;
}

/** `const fs = require('fs')` and `const { readFile } = require('fs')`. */
function originOfRequire(declarator: TSESTree.VariableDeclarator, localName: string): Origin | undefined {
  const module = declarator.init ? requiredModule(declarator.init) : undefined;
  if (module === undefined) return undefined;
  if (declarator.id.type === AST_NODE_TYPES.Identifier) return { kind: 'module', module, path: [] };
  if (declarator.id.type !== AST_NODE_TYPES.ObjectPattern) return undefined;
  for (const property of declarator.id.properties) {
    if (property.type !== AST_NODE_TYPES.Property || property.computed) continue;
    const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
    if (value.type === AST_NODE_TYPES.Identifier && value.name === localName && property.key.type === AST_NODE_TYPES.Identifier) {
      return { kind: 'module', module, path: [property.key.name] };
    }
  }
  return undefined;
}

/** The module of `require('m')` (a global `require` with one string literal), else undefined. */
export function requiredModule(node: TSESTree.Node): string | undefined {
  if (node.type !== AST_NODE_TYPES.CallExpression || node.callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  if (node.callee.name !== 'require' || node.arguments.length !== 1) return undefined;
  const [argument] = node.arguments;
  return argument?.type === AST_NODE_TYPES.Literal && typeof argument.value === 'string' ? moduleName(argument.value) : undefined;
}

function propertyKey(member: TSESTree.MemberExpression): string | undefined {
  if (!member.computed) return member.property.type === AST_NODE_TYPES.Identifier ? member.property.name : undefined;
  return member.property.type === AST_NODE_TYPES.Literal && typeof member.property.value === 'string' ? member.property.value : undefined;
}
