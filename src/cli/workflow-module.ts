import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkflowFunction } from '../executor/workflow-function.js';
import { UsageError } from './usage-error.js';

/** The workflows of a loaded module, by name. */
export interface WorkflowModule {
  /** Absolute path of the module. */
  path: string;
  workflows: Map<string, WorkflowFunction>;
}

/**
 * Imports the module at `modulePath` (relative to `cwd`) and takes every exported function as a workflow,
 * under its export name and under its function name (the name a worker registers it by default); export names
 * win when the two clash. Classes and the export name `default` are left out (a default export counts by its
 * function name). A TypeScript module loads when node runs with a TypeScript loader (`node --import tsx`).
 * @throws UsageError when the module does not exist, cannot be loaded, or exports no function.
 */
export async function loadWorkflowModule(modulePath: string, cwd = process.cwd()): Promise<WorkflowModule> {
  const path = resolve(cwd, modulePath);
  if (!existsSync(path)) throw new UsageError(`workflow module not found: ${path}`);
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // Only node's refusal of the file type means a loader is missing; an error the module threw is its own.
    const unknownExtension = (err as { code?: unknown } | null)?.code === 'ERR_UNKNOWN_FILE_EXTENSION';
    const hint = unknownExtension ? ' (a TypeScript module needs a loader: run node --import tsx)' : '';
    throw new UsageError(`cannot load workflow module ${path}: ${reason}${hint}`);
  }
  const workflows = new Map<string, WorkflowFunction>();
  const functions = Object.entries(exported).filter((entry): entry is [string, WorkflowFunction] => isPlainFunction(entry[1]));
  for (const [exportName, fn] of functions) if (exportName !== 'default') workflows.set(exportName, fn);
  for (const [, fn] of functions) if (fn.name !== '' && !workflows.has(fn.name)) workflows.set(fn.name, fn);
  if (workflows.size === 0) throw new UsageError(`workflow module ${path} exports no function`);
  return { path, workflows };
}

function isPlainFunction(value: unknown): value is WorkflowFunction {
  return typeof value === 'function' && !Function.prototype.toString.call(value).startsWith('class');
}
