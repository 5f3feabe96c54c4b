import { relative, sep } from 'node:path';
import { AST_NODE_TYPES, ESLintUtils, type ParserServicesWithTypeInformation, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { globToRegExp } from './file-glob.js';

/**
 * What kind of code a node sits in: `workflow` (replayed, must be deterministic), `side-effect` (the function
 * passed to `workflow.sideEffect`, run once and recorded, so it may read the clock or draw random numbers), or
 * `other` (activities, clients, anything else).
 */
export type CodeKind = 'workflow' | 'side-effect' | 'other';

/** The plugin's shared settings, read from `settings.redflow` of the flat config. */
export interface RedflowSettings {
  /**
   * Files whose whole content is workflow code, not only the functions taking a `WorkflowContext`: `true` for
   * every linted file, or globs relative to ESLint's working directory (`**`, `*`, `?`, `{a,b}`). Default none;
   * the recommended preset sets `WORKFLOW_FILE_GLOBS`.
   */
  workflowFiles?: boolean | readonly string[];
}

type AnyRuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;
type FunctionNode = TSESTree.ArrowFunctionExpression | TSESTree.FunctionDeclaration | TSESTree.FunctionExpression;

const CONTEXT_TYPE = 'WorkflowContext';

/**
 * Whether `settings.redflow.workflowFiles` makes the linted file workflow code as a whole.
 * @throws TypeError when the setting is neither a boolean nor an array of strings.
 */
export function isWorkflowFile(context: AnyRuleContext): boolean {
  const settings: unknown = context.settings['redflow'];
  if (typeof settings !== 'object' || settings === null || !('workflowFiles' in settings)) return false;
  const { workflowFiles } = settings;
  if (typeof workflowFiles === 'boolean') return workflowFiles;
  if (!Array.isArray(workflowFiles) || !workflowFiles.every((glob): glob is string => typeof glob === 'string')) {
    throw new TypeError('settings.redflow.workflowFiles must be a boolean or an array of glob strings');
  }
  const file = relative(context.cwd, context.filename).split(sep).join('/');
  return workflowFiles.some((glob) => globToRegExp(glob).test(file));
}

/** The type-checker services, when the file was parsed with type information. */
export function typeServices(context: AnyRuleContext): ParserServicesWithTypeInformation | undefined {
  const services = context.sourceCode.parserServices;
  // Without a program (plain JS files, or a config without `project`), getParserServices would throw.
  if (!services?.program || !services.esTreeNodeToTSNodeMap) return undefined;
  return ESLintUtils.getParserServices(context);
}

/** Classifies nodes of one file as workflow code or not; results per function are cached. */
export class WorkflowCode {
  private readonly context: AnyRuleContext;
  private readonly wholeFile: boolean;
  private readonly cache = new WeakMap<FunctionNode, CodeKind | undefined>();

  constructor(context: AnyRuleContext) {
    this.context = context;
    this.wholeFile = isWorkflowFile(context);
  }

  /** True when the file as a whole is workflow code (`settings.redflow.workflowFiles` matches it). */
  get isWorkflowFile(): boolean {
    return this.wholeFile;
  }

  /** The kind of code `node` runs as: decided by the innermost enclosing function that is recognised. */
  kindAt(node: TSESTree.Node): CodeKind {
    for (let current: TSESTree.Node | undefined = node; current; current = current.parent) {
      if (!isFunction(current)) continue;
      const kind = this.functionKind(current);
      if (kind) return kind;
    }
    return this.wholeFile ? 'workflow' : 'other';
  }

  private functionKind(fn: FunctionNode): CodeKind | undefined {
    if (this.cache.has(fn)) return this.cache.get(fn);
    const kind = isSideEffectCallback(fn) ? 'side-effect' : this.takesWorkflowContext(fn) ? 'workflow' : undefined;
    this.cache.set(fn, kind);
    return kind;
  }

  private takesWorkflowContext(fn: FunctionNode): boolean {
    const first = fn.params[0];
    if (!first) return false;
    const annotation = typeAnnotationOf(first);
    if (annotation && namesWorkflowContext(annotation)) return true;
    const services = typeServices(this.context);
    if (!services) return false;
    // Type-aware: also catches aliases and unannotated parameters typed by context (`registerWorkflow(async (ctx) => ...)`).
    const type = services.getTypeAtLocation(first);
    return type.getSymbol()?.getName() === CONTEXT_TYPE || type.aliasSymbol?.getName() === CONTEXT_TYPE;
  }
}

function isFunction(node: TSESTree.Node): node is FunctionNode {
  return (
    node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression
  );
}

function typeAnnotationOf(param: TSESTree.Parameter): TSESTree.TypeNode | undefined {
  switch (param.type) {
    case AST_NODE_TYPES.AssignmentPattern:
      return param.left.typeAnnotation?.typeAnnotation;
    case AST_NODE_TYPES.TSParameterProperty:
      return undefined;
    default:
      return param.typeAnnotation?.typeAnnotation;
  }
}

function namesWorkflowContext(type: TSESTree.TypeNode): boolean {
  if (type.type !== AST_NODE_TYPES.TSTypeReference) return false;
  const name = type.typeName;
  if (name.type === AST_NODE_TYPES.Identifier) return name.name === CONTEXT_TYPE;
  return name.type === AST_NODE_TYPES.TSQualifiedName && name.right.name === CONTEXT_TYPE;
}

/** The function passed as `fn` to `sideEffect(ctx, fn)` (as `workflow.sideEffect` or a bare `sideEffect`). */
function isSideEffectCallback(fn: FunctionNode): boolean {
  const call = fn.parent;
  if (call?.type !== AST_NODE_TYPES.CallExpression || call.arguments[1] !== fn) return false;
  return calleeName(call.callee) === 'sideEffect';
}

/** The called name: `f` of `f(...)` and `x.f(...)`; undefined for computed callees. */
function calleeName(callee: TSESTree.Expression): string | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) {
    return callee.property.name;
  }
  return undefined;
}
