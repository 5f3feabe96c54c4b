import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { createDiagnosticsHandler, startDiagnosticsServer, type DiagnosticsAction, type DiagnosticsHandlerOptions } from '../../src/ui/index.js';
import { isLoopbackHost } from '../../src/ui/server/allowed-hosts.js';
import { redisBackendOn } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { send, type Answer } from './host-request.js';

function errorCode(answer: Answer): string | undefined {
  return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
}

// DNS rebinding: a page of another site whose name resolves to 127.0.0.1 sends its own name as Host.
describe('diagnostics UI: allowed hosts', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let backend: RedisBackend;
  let client: Client;
  const servers: Server[] = [];
  const asked: DiagnosticsAction[] = [];

  before(async () => {
    backend = redisBackendOn(redis(), { prefix: 'ui-hosts' });
    client = new Client(backend);
    await client.createWorkflowInstance({ instanceId: 'hosts-1' }, 'notRunHere');
  });

  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await backend?.close();
  });

  /** The handler under /ops in a host application's server; the application answers 418 elsewhere. */
  async function mounted(options: Partial<DiagnosticsHandlerOptions>): Promise<number> {
    const authorize = (_req: unknown, action: DiagnosticsAction): boolean => {
      asked.push(action);
      return true;
    };
    const handler = createDiagnosticsHandler(Object.assign({ client, basePath: '/ops', authorize }, options));
    // Node refuses a request without Host itself (400) unless told not to: the handler's own answer is tested.
    const server = createServer({ requireHostHeader: false }, (req, res) => handler(req, res, () => res.writeHead(418).end()));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('refuses hosts not in allowedHosts with 403 HOST_NOT_ALLOWED before asking authorize', async () => {
    const port = await mounted({ allowedHosts: ['localhost', 'ops.example.com:8080', '::1'] });
    asked.length = 0;
    for (const [method, path, body] of [
      ['GET', '/ops/api/instances', undefined],
      ['GET', '/ops/', undefined],
      ['POST', '/ops/api/instances/hosts-1/cancel', '{}'],
      ['POST', '/ops/api/instances/hosts-1/signal', '{"name":"go"}'],
      ['DELETE', '/ops/api/instances/hosts-1', undefined],
    ] as const) {
      for (const host of ['evil.example', 'evil.example:8080', `localhost.evil.example:${port}`, 'ops.example.com:9090', 'ops.example.com', undefined]) {
        const answer = await send(port, host, method, path, body);
        assert.deepEqual([answer.status, errorCode(answer)], [403, 'HOST_NOT_ALLOWED'], `${method} ${path} Host: ${String(host)}`);
      }
    }
    assert.deepEqual(asked, []);
    assert.match(JSON.parse((await send(port, 'evil.example', 'GET', '/ops/api/config')).body).error.message, /"evil\.example".*allowedHosts/);
    // Allowed: a name without a port allows every port, a name with one only that port; case does not matter.
    for (const host of [`localhost:${port}`, 'LOCALHOST', 'ops.example.com:8080', '[::1]:1234']) {
      assert.equal((await send(port, host, 'GET', '/ops/api/config')).status, 200, host);
    }
    // Outside the UI, the application decides.
    assert.equal((await send(port, 'evil.example', 'GET', '/health')).status, 418);
    assert.deepEqual(asked, ['read', 'read', 'read', 'read']);
  });

  it('answers every host when allowedHosts is unset, and refuses a bad allowedHosts', async () => {
    const port = await mounted({});
    assert.equal((await send(port, 'evil.example', 'GET', '/ops/api/config')).status, 200);
    for (const allowedHosts of [['evil example'], ['host:99999'], [''], 'localhost', [7], ['[not-ipv6]']]) {
      assert.throws(() => createDiagnosticsHandler({ client, allowedHosts: allowedHosts as string[] }), InvalidArgumentError, JSON.stringify(allowedHosts));
    }
  });

  it('startDiagnosticsServer answers the loopback names with its port, and the allowedHosts given', async () => {
    const ui = await startDiagnosticsServer({ client, port: 0, allowedHosts: ['ops.example.com'] });
    try {
      for (const host of [`localhost:${ui.port}`, `127.0.0.1:${ui.port}`, `[::1]:${ui.port}`, 'ops.example.com', `ops.example.com:${ui.port}`]) {
        assert.equal((await send(ui.port, host, 'GET', '/api/config')).status, 200, host);
      }
      for (const host of [`evil.example:${ui.port}`, 'localhost', `localhost:${ui.port + 1}`]) {
        const answer = await send(ui.port, host, 'POST', '/api/instances/hosts-1/cancel', '{}');
        assert.deepEqual([answer.status, errorCode(answer)], [403, 'HOST_NOT_ALLOWED'], String(host));
      }
      assert.equal(await client.getWorkflowInstanceState({ instanceId: 'hosts-1' }), 'active');
    } finally {
      await ui.close();
    }
    await assert.rejects(startDiagnosticsServer({ client, port: 0, allowedHosts: ['a b'] }), InvalidArgumentError);
  });

  it('tells loopback interfaces from others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['0.0.0.0', '::', '192.168.1.4', 'ops.example.com', '10.0.0.1']) assert.ok(!isLoopbackHost(host), host);
  });
});
