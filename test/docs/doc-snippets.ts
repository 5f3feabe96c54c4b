import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const docsDir = join(root, 'docs');
const snippetDir = join(docsDir, '__snippets__');

/** A TypeScript code block of a guide that starts with an import: a whole module, so it must type-check. */
export interface DocSnippet {
  /** `guide.md:line` of the block's opening fence. */
  where: string;
  /** Virtual path the block is compiled at. */
  fileName: string;
  code: string;
}

// Modules the guides import beside redflow: the user's own files, stubbed with the names the guides use.
const STUBS: Record<string, string> = {
  'workflows.ts': [
    "import type { WorkflowContext } from '../../src/index.js';",
    'export async function fulfilOrder(_ctx: WorkflowContext, orderId: string): Promise<string> { return orderId; }',
    'export async function processOrder(_ctx: WorkflowContext, orderId: string): Promise<string> { return orderId; }',
  ].join('\n'),
  'activities.ts': 'export async function charge(orderId: string): Promise<string> { return orderId; }',
  'checkout.ts': [
    "import type { WorkflowContext } from '../../src/index.js';",
    'export async function chargeCard(orderId: string, cents: number): Promise<string> { return `${orderId}${cents}`; }',
    'export async function checkout(_ctx: WorkflowContext, orderId: string, cents: number): Promise<string> { return `${orderId}${cents}`; }',
  ].join('\n'),
};

/** Every ```ts block of docs/*.md that begins with an import line, with the package imports pointed at src/. */
export function docSnippets(): DocSnippet[] {
  const snippets: DocSnippet[] = [];
  for (const guide of readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort()) {
    const lines = readFileSync(join(docsDir, guide), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== '```ts') continue;
      const end = lines.indexOf('```', i + 1);
      const body = lines.slice(i + 1, end);
      if (body[0]?.startsWith('import ')) {
        const code = body
          .join('\n')
          .replaceAll("from 'redflow/testing'", "from '../../src/testing/index.js'")
          .replaceAll("from 'redflow/telemetry'", "from '../../src/telemetry/index.js'")
          .replaceAll("from 'redflow'", "from '../../src/index.js'");
        snippets.push({ where: `${guide}:${i + 1}`, fileName: join(snippetDir, `${guide.replace(/\.md$/, '')}-${i + 1}.ts`), code });
      }
      i = end;
    }
  }
  return snippets;
}

/** Type-checks the snippets against the source with the project's compiler options; returns one message per error. */
export function typeCheckSnippets(snippets: DocSnippet[]): string[] {
  const configFile = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const virtual = new Map<string, string>(snippets.map((s) => [s.fileName, s.code]));
  for (const [name, code] of Object.entries(STUBS)) virtual.set(join(snippetDir, name), code);
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const directoryExists = host.directoryExists?.bind(host) ?? ts.sys.directoryExists.bind(ts.sys);
  // The snippets and stubs live only in memory, in a folder that does not exist on disk.
  host.directoryExists = (path) => path === snippetDir || directoryExists(path);
  host.fileExists = (path) => virtual.has(path) || fileExists(path);
  host.readFile = (path) => virtual.get(path) ?? readFile(path);
  host.getSourceFile = (path, language, onError) => {
    const code = virtual.get(path);
    return code === undefined ? getSourceFile(path, language, onError) : ts.createSourceFile(path, code, language);
  };
  const program = ts.createProgram(
    snippets.map((s) => s.fileName),
    { ...options, noEmit: true },
    host,
  );
  const where = new Map(snippets.map((s) => [s.fileName, s.where]));
  // Only the snippets' own diagnostics: the source is type-checked by `npm run typecheck`.
  const diagnostics: ts.Diagnostic[] = [...program.getOptionsDiagnostics()];
  for (const snippet of snippets) {
    const file = program.getSourceFile(snippet.fileName);
    if (file !== undefined) diagnostics.push(...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file));
  }
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${where.get(d.file.fileName) ?? d.file.fileName} (snippet line ${line + 1}): ${text}`;
  });
}
