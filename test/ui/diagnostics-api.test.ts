import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { createDiagnosticsHandler, type DiagnosticsAction } from '../../src/ui/index.js';
import { Worker } from '../../src/worker/worker.js';
import { testLogger, waitUntil } from '../helpers/engine.js';
import { redisBackendOn } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { activities, fulfilOrder, packItem, waitsForShipment } from './fixtures/ui-workflows.js';

/** Rows of the API's lists, as far as the tests look at them. */
type Rows = any[];

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A host application's server with the UI under /ops and its own routes beside it. */
async function hostServer(handler: ReturnType<typeof createDiagnosticsHandler>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) =>
    handler(req, res, () => {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('host application');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// The diagnostics UI's JSON API over HTTP, mounted in an application's own server, on a real Redis.
describe('diagnostics API (HTTP)', function () {
  this.timeout(60_000);
  const redis = useRedisServer();
  let backend: RedisBackend;
  let worker: Worker;
  let client: Client;
  let servers: Server[];
  let base: string;
  let readOnlyBase: string;
  const asked: Array<{ role: string; action: DiagnosticsAction }> = [];

  /** The host's rule: `x-role: viewer` may only read, `x-role: nobody` nothing, anyone else everything. */
  const authorize = (req: IncomingMessage, action: DiagnosticsAction): boolean => {
    const role = String(req.headers['x-role'] ?? 'admin');
    asked.push({ role, action });
    if (role === 'nobody') return false;
    return role !== 'viewer' || action === 'read';
  };

  async function call(url: string, init: RequestInit & { role?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = init.role === undefined ? {} : { 'x-role': init.role };
    if (init.body !== undefined && init.body !== null) headers['content-type'] = 'application/json';
    const res = await fetch(url, Object.assign({}, init, { headers, redirect: 'manual' as const }));
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: res.status, body: json ? JSON.parse(text) : text, headers: res.headers };
  }

  async function startOrder(orderId: string): Promise<void> {
    const instance = await client.createWorkflowInstance({ instanceId: orderId }, fulfilOrder, orderId, ['book']);
    const waiting = await waitUntil(async () => waitsForShipment(await client.getWorkflowInstanceHistory(instance)), 15_000);
    assert.ok(waiting, `${orderId} did not reach its signal wait`);
  }

  before(async () => {
    backend = redisBackendOn(redis(), { prefix: 'ui-api' });
    worker = new Worker(backend, { logger: testLogger });
    worker.registerWorkflow(fulfilOrder);
    worker.registerWorkflow(packItem);
    worker.registerActivity(activities);
    await worker.start();
    client = new Client(backend);
    const main = await hostServer(createDiagnosticsHandler({ client, basePath: '/ops', authorize }));
    const readOnly = await hostServer(createDiagnosticsHandler({ client, basePath: '/ops', authorize, readOnly: true }));
    servers = [main.server, readOnly.server];
    base = `${main.base}/ops`;
    readOnlyBase = `${readOnly.base}/ops`;
    await startOrder('api-1');
  });

  beforeEach(() => {
    asked.length = 0;
  });

  after(async () => {
    for (const server of servers ?? []) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await worker?.stop();
    await backend?.close();
  });

  it('serves the page and its files under the base path, and leaves other paths to the host', async () => {
    const redirect = await call(base);
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/ops/');
    const page = await call(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="importmap">/);
    assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN');
    const htm = await call(`${base}/vendor/htm.mjs`);
    assert.equal(htm.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await call(`${base}/assets/style.css`)).headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await call(`${base}/assets/..%2F..%2Fpackage.json`)).status, 404);
    const host = await call(base.replace('/ops', '/health'));
    assert.deepEqual([host.status, host.body], [418, 'host application']);
    assert.deepEqual((await call(`${base}/api/config`)).body, { readOnly: false, pollIntervalMs: 1000 });
  });

  it('lists instances, newest first, with filters checked and a search by id', async () => {
    const all = await call(`${base}/api/instances?count=10`);
    assert.equal(all.status, 200);
    const order = (all.body.instances as Rows).find((row: { instanceId: string }) => row.instanceId === 'api-1');
    assert.equal(order.name, 'fulfilOrder');
    assert.equal(order.queue, 'default');
    assert.equal(order.state, 'active');
    assert.ok(!Number.isNaN(Date.parse(order.createdAt)));
    const found = await call(`${base}/api/instances?search=api-1-pack-0`);
    assert.deepEqual((found.body.instances as Rows).map((row: { instanceId: string; state: string }) => [row.instanceId, row.state]), [['api-1-pack-0', 'finished']]);
    assert.deepEqual((await call(`${base}/api/instances?search=nope`)).body, { instances: [] });
    const ids = async (query: string): Promise<string[]> => ((await call(`${base}/api/instances?${query}`)).body.instances as Rows).map((row: { instanceId: string }) => row.instanceId);
    assert.deepEqual(await ids('state=finished&name=packItem'), ['api-1-pack-0']);
    assert.deepEqual(await ids('state=active&queue=default'), ['api-1']);
    assert.deepEqual(await ids('queue=elsewhere'), []);
    // Pages of one, newest first, through nextCursor.
    const first = (await call(`${base}/api/instances?count=1`)).body;
    assert.deepEqual((first.instances as Rows).map((row: { instanceId: string }) => row.instanceId), ['api-1-pack-0']);
    const second = (await call(`${base}/api/instances?count=1&cursor=${encodeURIComponent(first.nextCursor)}`)).body;
    assert.deepEqual((second.instances as Rows).map((row: { instanceId: string }) => row.instanceId), ['api-1']);
    assert.equal(second.nextCursor, undefined);
    assert.deepEqual(await ids(`createdAfter=${new Date(Date.now() + 60_000).toISOString()}`), []);
    assert.deepEqual((await ids(`createdBefore=${new Date(Date.now() + 60_000).toISOString()}`)).sort(), ['api-1', 'api-1-pack-0']);
    for (const [query, message] of [
      ['state=sleeping', /state must be one of active, continued-as-new, finished/],
      ['count=0', /count must be an integer from 1 to 1000/],
      ['createdAfter=yesterday', /createdAfter must be an ISO 8601 time/],
    ] as const) {
      const answer = await call(`${base}/api/instances?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error.code, 'BAD_REQUEST');
      assert.match(answer.body.error.message, message);
    }
  });

  it('describes an instance: timeline, children, pending work; unknown ids are 404', async () => {
    const { status, body } = await call(`${base}/api/instances/api-1`);
    assert.equal(status, 200);
    assert.equal(body.state, 'active');
    assert.equal(body.name, 'fulfilOrder');
    assert.equal(body.instance.instanceId, 'api-1');
    assert.equal(typeof body.instance.executionId, 'string');
    assert.deepEqual(body.inputs, ['api-1', ['book']]);
    assert.deepEqual(
      (body.children as Rows).map((child: { instance: { instanceId: string }; state: string; status: string }) => [child.instance.instanceId, child.state, child.status]),
      [['api-1-pack-0', 'finished', 'completed']],
    );
    const failed = (body.timeline as Rows).find((entry: { type: string }) => entry.type === 'ActivityFailed');
    assert.equal(failed.category, 'failure');
    assert.equal(failed.label, 'Activity reserve failed: Error: warehouse busy');
    const scheduled = (body.timeline as Rows).find((entry: { sequenceId: number }) => entry.sequenceId === failed.scheduledBy);
    assert.equal(scheduled.answeredBy, failed.sequenceId);
    assert.equal(scheduled.answeredAfterMs, failed.sinceScheduledMs);
    assert.deepEqual(scheduled.attributes.inputs, ['api-1']);
    assert.ok(failed.sinceScheduledMs >= 0);
    assert.deepEqual(body.pending, { activities: [], timers: [], subWorkflows: [], signals: [] });
    assert.equal('result' in body, false);
    assert.equal('outcome' in body, false);

    const child = await call(`${base}/api/instances/api-1-pack-0`);
    assert.deepEqual(child.body.parent.instanceId, 'api-1');
    assert.equal(child.body.outcome, 'completed');
    assert.equal(child.body.result, 'packed book');

    const unknown = await call(`${base}/api/instances/${encodeURIComponent('no/such id')}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'INSTANCE_NOT_FOUND');
    assert.match(unknown.body.error.message, /no\/such id/);
  });

  it('signals, cancels and removes, with typed errors for bad input and wrong states', async () => {
    await startOrder('api-2');
    const active = await call(`${base}/api/instances/api-2`, { method: 'DELETE' });
    assert.deepEqual([active.status, active.body.error.code], [409, 'INSTANCE_NOT_FINISHED']);
    const nameless = await call(`${base}/api/instances/api-2/signal`, { method: 'POST', body: '{"arg":1}' });
    assert.deepEqual([nameless.status, nameless.body.error.code], [400, 'BAD_REQUEST']);
    const notJson = await call(`${base}/api/instances/api-2/signal`, { method: 'POST', body: '{name' });
    assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'BAD_REQUEST']);
    const huge = await call(`${base}/api/instances/api-2/signal`, { method: 'POST', body: JSON.stringify({ name: 'ship', arg: 'x'.repeat(1024 * 1024) }) });
    assert.deepEqual([huge.status, huge.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
    const nobody = await call(`${base}/api/instances/nobody/signal`, { method: 'POST', body: '{"name":"ship"}' });
    assert.deepEqual([nobody.status, nobody.body.error.code], [404, 'INSTANCE_NOT_FOUND']);

    const sent = await call(`${base}/api/instances/api-2/signal`, { method: 'POST', body: JSON.stringify({ name: 'ship', arg: 'Pier 9' }) });
    assert.deepEqual([sent.status, sent.body], [200, { ok: true }]);
    await client.waitForWorkflowInstance({ instanceId: 'api-2' }, 15_000);
    const done = await call(`${base}/api/instances/api-2`);
    assert.equal(done.body.state, 'finished');
    assert.equal(done.body.outcome, 'completed');
    assert.deepEqual(done.body.result.totalCents, { $bigint: '4200' });
    assert.equal(done.body.result.address, 'Pier 9');

    const removed = await call(`${base}/api/instances/api-2`, { method: 'DELETE' });
    assert.deepEqual([removed.status, removed.body], [200, { ok: true }]);
    assert.equal((await call(`${base}/api/instances/api-2`)).status, 404);

    await startOrder('api-3');
    // Not as a form would post it (another site's page could): actions need a JSON content type.
    const form = await fetch(`${base}/api/instances/api-3/cancel`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
    assert.equal(((await form.json()) as { error: { code: string } }).error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal((await call(`${base}/api/instances/api-3/cancel`, { method: 'POST', body: '{}' })).status, 200);
    // The request reaches the history with the instance's next workflow task.
    const canceled = await waitUntil(async () => (await client.getWorkflowInstanceHistory({ instanceId: 'api-3' })).some((event) => event.type === 'WorkflowExecutionCanceled'), 15_000);
    assert.ok(canceled, 'the cancellation request never reached the history');
    assert.deepEqual(asked.filter((entry) => entry.action !== 'read').map((entry) => entry.action), ['remove', 'signal', 'signal', 'signal', 'signal', 'signal', 'remove', 'cancel', 'cancel']);
  });

  it('asks authorize about every request and answers 403 FORBIDDEN when it says no, changing nothing', async () => {
    await startOrder('api-4');
    const read = await call(`${base}/api/instances/api-4`, { role: 'viewer' });
    assert.equal(read.status, 200);
    for (const [path, method] of [['api-4/cancel', 'POST'], ['api-4/signal', 'POST'], ['api-4', 'DELETE']] as const) {
      const refused = await call(`${base}/api/instances/${path}`, { method, role: 'viewer', body: method === 'POST' ? '{"name":"ship"}' : undefined });
      assert.equal(refused.status, 403, path);
      assert.equal(refused.body.error.code, 'FORBIDDEN');
    }
    assert.equal(await client.getWorkflowInstanceState({ instanceId: 'api-4' }), 'active');
    assert.ok(!(await client.getWorkflowInstanceHistory({ instanceId: 'api-4' })).some((event) => event.type === 'WorkflowExecutionCanceled'));
    for (const path of ['/', '/assets/app.js', '/api/instances', '/api/queues', '/api/instances/api-4']) {
      const refused = await call(`${base}${path}`, { role: 'nobody' });
      assert.deepEqual([refused.status, refused.body.error.code], [403, 'FORBIDDEN'], path);
    }
    assert.deepEqual(
      asked.filter((entry) => entry.role === 'viewer').map((entry) => entry.action),
      ['read', 'cancel', 'signal', 'remove'],
    );
  });

  it('refuses every action in read-only mode before asking authorize, and still reads', async () => {
    assert.equal((await call(`${readOnlyBase}/api/instances/api-4`)).status, 200);
    assert.deepEqual((await call(`${readOnlyBase}/api/config`)).body, { readOnly: true, pollIntervalMs: 1000 });
    asked.length = 0;
    for (const [path, method] of [['api-4/cancel', 'POST'], ['api-4/signal', 'POST'], ['api-4', 'DELETE']] as const) {
      const refused = await call(`${readOnlyBase}/api/instances/${path}`, { method, body: method === 'POST' ? '{"name":"ship"}' : undefined });
      assert.deepEqual([refused.status, refused.body.error.code], [403, 'READ_ONLY'], path);
    }
    assert.deepEqual(asked, []);
    assert.equal(await client.getWorkflowInstanceState({ instanceId: 'api-4' }), 'active');
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    assert.deepEqual((await call(`${base}/api/nothing`)).body.error.code, 'NOT_FOUND');
    assert.deepEqual((await call(`${base}/api/instances/api-4/pause`, { method: 'POST' })).status, 404);
    const wrong = await call(`${base}/api/instances/api-4/cancel`);
    assert.deepEqual([wrong.status, wrong.body.error.code], [405, 'METHOD_NOT_ALLOWED']);
    assert.equal((await call(`${base}/api/instances`, { method: 'POST' })).status, 405);
    assert.equal((await call(`${base}/api/instances/%E0%A4%A`)).status, 400);
  });

  it('reports the queues, their backlog and the live workers', async () => {
    const { status, body } = await call(`${base}/api/queues`);
    assert.equal(status, 200);
    const queue = (body.queues as Rows).find((row: { queue: string }) => row.queue === 'default');
    assert.equal(queue.workers, 1);
    assert.deepEqual(queue.unserved, []);
    assert.equal(body.workers.length, 1);
    assert.deepEqual(body.workers[0].workflows, ['fulfilOrder', 'packItem']);
    assert.deepEqual(body.held, { instances: [] });
    assert.equal(body.stats.deadLetterMessages, 0);
    assert.ok(body.stats.activeWorkflowInstances >= 2);
  });

  it('refuses bad options with InvalidArgumentError', () => {
    assert.throws(() => createDiagnosticsHandler({ client, basePath: 'ops/' }), InvalidArgumentError);
    assert.throws(() => createDiagnosticsHandler({ client, basePath: '/ops/' }), /basePath must be/);
    assert.throws(() => createDiagnosticsHandler({ client, pollIntervalMs: 10 }), /pollIntervalMs must be an integer of at least 200/);
    assert.throws(() => createDiagnosticsHandler({ client: undefined as unknown as Client }), /needs a client/);
  });
});
