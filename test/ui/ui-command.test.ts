import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort, useRedisServer } from '../helpers/redis-server.js';
import { send } from './host-request.js';

/** `redflow ui ...` as a user starts it in the repository root, with a TypeScript loader. */
function redflowUi(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'ui', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The first line the process prints on standard output; rejects when it exits first. */
async function firstLine(child: ChildProcess): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`redflow ui exited with ${String(code)} before printing its address`)));
  });
}

// The `redflow ui` command: a real process serving the UI for a real Redis until it is told to stop.
describe('redflow ui (command line)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('serves the UI read-only on the given port and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = redflowUi(['--redis', server().url, '--prefix', 'ui-cli', '--port', String(port), '--read-only', '--host', '0.0.0.0']);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const line = await firstLine(child);
      assert.equal(line, `redflow diagnostics UI on http://0.0.0.0:${port}/ (read-only); Ctrl-C stops it`);
      const config = await fetch(`http://127.0.0.1:${port}/api/config`);
      assert.deepEqual(await config.json(), { readOnly: true, pollIntervalMs: 1000 });
      const list = await fetch(`http://127.0.0.1:${port}/api/instances`);
      assert.deepEqual(await list.json(), { instances: [] });
      const cancel = await fetch(`http://127.0.0.1:${port}/api/instances/x/cancel`, { method: 'POST' });
      assert.equal(cancel.status, 403);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0);
    }
    assert.equal(stderr, '', 'no warning: the actions are switched off');
  });

  it('warns on stderr when serving actions beyond this machine, and answers only the allowed hosts', async () => {
    const port = await freePort();
    const child = redflowUi(['--redis', server().url, '--prefix', 'ui-cli', '--port', String(port), '--host', '0.0.0.0', '--allowed-host', 'ops.example.com', '--allowed-host', 'box:1']);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      assert.equal(await firstLine(child), `redflow diagnostics UI on http://0.0.0.0:${port}/; Ctrl-C stops it`);
      for (const host of ['ops.example.com', `localhost:${port}`, `0.0.0.0:${port}`]) assert.equal((await send(port, host, 'GET', '/api/config')).status, 200, host);
      for (const host of ['evil.example', `box:${port}`]) assert.equal((await send(port, host, 'POST', '/api/instances/x/cancel', '{}')).status, 403, host);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    assert.match(stderr, /^redflow ui: warning: listening on 0\.0\.0\.0 without --read-only: anyone who can reach this address can signal, cancel and remove/);

    const bad = redflowUi(['--allowed-host', 'not a host']);
    let badStderr = '';
    bad.stderr?.on('data', (chunk: Buffer) => (badStderr += chunk.toString()));
    const [badCode] = (await once(bad, 'exit')) as [number | null];
    assert.equal(badCode, 2);
    assert.match(badStderr, /option '--allowed-host <name>' argument 'not a host' is invalid/);
  });

  it('exits 2 with a one-line message for a bad port or a port in use', async () => {
    const bad = redflowUi(['--port', '70000']);
    let stderr = '';
    bad.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [badCode] = (await once(bad, 'exit')) as [number | null];
    assert.equal(badCode, 2);
    assert.match(stderr, /option '--port <port>' argument '70000' is invalid\. expected a port from 0 to 65535/);

    const taken = redflowUi(['--redis', server().url, '--port', String(server().port)]);
    stderr = '';
    taken.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [takenCode] = (await once(taken, 'exit')) as [number | null];
    assert.equal(takenCode, 2);
    assert.match(stderr, new RegExp(`^redflow: cannot serve the UI on 127\\.0\\.0\\.1:${server().port}: listen EADDRINUSE`));
  });

  it('exits 2 before serving when the URL names a database that is not a number or that the server lacks', async () => {
    const port = await freePort();
    const outcomes = await Promise.all(
      ['abc', '99'].map(async (db) => {
        const child = redflowUi(['--redis', `${server().url}/${db}`, '--port', String(port)]);
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const [code] = (await once(child, 'close')) as [number | null];
        return { code, stdout, stderr };
      }),
    );
    const [notNumber, missing] = outcomes;
    assert.deepEqual([notNumber?.code, notNumber?.stdout], [2, '']);
    assert.match(notNumber?.stderr ?? '', /^redflow: --redis "redis:\/\/127\.0\.0\.1:\d+\/abc": its database part "abc" is not a database number.*\n$/);
    assert.deepEqual([missing?.code, missing?.stdout], [2, '']);
    assert.match(missing?.stderr ?? '', /^redflow: RedisBackend option redis "redis:\/\/127\.0\.0\.1:\d+\/99" names database 99, which the server refuses.*\n$/);
  });
});
