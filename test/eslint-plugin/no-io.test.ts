import { noIo } from '../../src/eslint-plugin/rules/no-io.js';
import { asEslintRule, untypedTester } from './rule-tester.js';

const header = "import type { WorkflowContext } from 'redflow';\n";
const wf = (body: string): string => `${header}export async function wf(ctx: WorkflowContext) { ${body} }`;

untypedTester.run('no-io', asEslintRule(noIo), {
  valid: [
    // Activities may do I/O, even in a file that also holds workflows.
    `import { readFile } from 'node:fs/promises';\nexport async function load(path: string) { return readFile(path, 'utf8'); }\n${wf("return workflow.executeActivity(ctx, {}, load, 'a');")}`,
    'export async function activity(url: string) { return (await fetch(url)).json(); }',
    `import type { Stats } from 'node:fs';\n${wf('const s: Stats | undefined = undefined; return s;')}`,
    `import { fetch as myFetch } from './http-client.js';\n${wf("return myFetch('x');")}`,
    `const fs = require('fs');\nexport function activity() { return fs.readFileSync('x'); }`,
    `import { readFile } from 'node:fs/promises';\nexport const load = (p: string) => readFile(p);`,
  ],
  invalid: [
    { code: wf("return fetch('https://example.com');"), errors: [{ messageId: 'network', data: { name: 'fetch' } }] },
    { code: wf("return new WebSocket('wss://example.com');"), errors: [{ messageId: 'network', data: { name: 'WebSocket' } }] },
    {
      code: `import { readFile } from 'node:fs/promises';\nimport * as http from 'http';\n${wf("await readFile('x'); return http.get('y');")}`,
      errors: [
        { messageId: 'moduleUse', data: { name: 'readFile', module: 'fs/promises' } },
        { messageId: 'moduleUse', data: { name: 'http', module: 'http' } },
      ],
    },
    {
      code: `const fs = require('fs');\n${wf("return fs.readFileSync('x');")}`,
      errors: [{ messageId: 'moduleUse', data: { name: 'fs', module: 'fs' } }],
    },
    {
      code: wf("const cp = require('node:child_process'); const os = await import('os'); return [cp, os];"),
      errors: [
        { messageId: 'moduleUse', data: { name: "require('node:child_process')", module: 'child_process' } },
        { messageId: 'moduleUse', data: { name: "import('os')", module: 'os' } },
      ],
    },
    {
      code: "import net from 'node:net';\nexport const server = net.createServer();",
      settings: { redflow: { workflowFiles: true } },
      errors: [{ messageId: 'moduleImport', data: { module: 'net' } }],
    },
    {
      code: `import { Pool } from 'pg';\n${wf('return new Pool();')}`,
      options: [{ modules: ['pg'] }],
      errors: [{ messageId: 'moduleUse', data: { name: 'Pool', module: 'pg' } }],
    },
  ],
});
