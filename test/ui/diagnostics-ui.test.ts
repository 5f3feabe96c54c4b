import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Client } from '../../src/client/client.js';
import { Worker } from '../../src/worker/worker.js';
import { startDiagnosticsServer, type DiagnosticsServer } from '../../src/ui/index.js';
import type { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { testLogger, waitUntil } from '../helpers/engine.js';
import { redisBackendOn } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { launchChromium, screenshotPath } from './browser.js';
import { activities, fulfilOrder, packItem, waitsForShipment } from './fixtures/ui-workflows.js';

const WAIT_MS = 15_000;

// The diagnostics UI in headless Chromium, on a real Redis, with real workflows run by a worker.
describe('diagnostics UI (in Chromium)', function () {
  this.timeout(90_000);
  const server = useRedisServer();
  let backend: RedisBackend;
  let worker: Worker;
  let client: Client;
  let ui: DiagnosticsServer;
  let readOnlyUi: DiagnosticsServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async function () {
    this.timeout(60_000);
    browser = await launchChromium();
    backend = redisBackendOn(server(), { prefix: 'ui-test' });
    worker = new Worker(backend, { logger: testLogger, version: 'v42' });
    worker.registerWorkflow(fulfilOrder);
    worker.registerWorkflow(packItem);
    worker.registerActivity(activities);
    await worker.start();
    client = new Client(backend);
    ui = await startDiagnosticsServer({ client, port: 0, pollIntervalMs: 250 });
    readOnlyUi = await startDiagnosticsServer({ client, port: 0, pollIntervalMs: 250, readOnly: true, basePath: '/ops' });
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await page.screenshot({ path: screenshotPath(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`), fullPage: true });
    await page.close();
    assert.deepEqual(consoleErrors.splice(0), [], 'the page logged errors');
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
    await readOnlyUi?.close();
    await worker?.stop();
    await backend?.close();
  });

  /** Starts an order and waits until it waits for its 'ship' signal. */
  async function startOrder(orderId: string): Promise<void> {
    const instance = await client.createWorkflowInstance({ instanceId: orderId }, fulfilOrder, orderId, ['book', 'lamp']);
    const waiting = await waitUntil(async () => waitsForShipment(await client.getWorkflowInstanceHistory(instance)), WAIT_MS);
    assert.ok(waiting, `${orderId} did not reach its signal wait`);
  }

  const row = (instanceId: string): string => `tr[data-instance-id="${instanceId}"]`;

  it('lists a running instance and shows its completion without a reload', async () => {
    await startOrder('order-1');
    await page.goto(ui.url);
    await page.waitForSelector(`${row('order-1')} [data-state="active"]`, { timeout: WAIT_MS });
    assert.equal(await page.locator(`${row('order-1')} td`).nth(1).textContent(), 'fulfilOrder');
    await page.locator(row('order-1-pack-0')).waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: screenshotPath('instance-list'), fullPage: true });
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

    await client.signalWorkflow('order-1', 'ship', 'Main St 1');
    await page.waitForSelector(`${row('order-1')} [data-state="finished"]`, { timeout: WAIT_MS });
    assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true, 'the page was reloaded');
  });

  it('filters the list by state and workflow and finds an instance by id', async () => {
    await page.goto(`${ui.url}#/?search=order-1-pack-1`);
    await page.waitForSelector(row('order-1-pack-1'), { timeout: WAIT_MS });
    assert.equal(await page.locator('tbody tr').count(), 1);
    // The filters: finished packItem instances only.
    await page.fill('input[name="search"]', '');
    await page.selectOption('select[name="state"]', 'finished');
    await page.fill('input[name="name"]', 'packItem');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/name=packItem/, { timeout: WAIT_MS });
    await page.waitForSelector(row('order-1-pack-0'), { timeout: WAIT_MS });
    const shown = await Promise.all((await page.locator('tbody tr').all()).map((tr) => tr.getAttribute('data-instance-id')));
    assert.deepEqual(shown.sort(), ['order-1-pack-0', 'order-1-pack-1']);
    await page.fill('input[name="search"]', 'no-such-order');
    await page.click('form.filters button[type="submit"]');
    await page.waitForSelector('p.empty', { timeout: WAIT_MS });
  });

  it('shows the timeline, the children and the result of an instance', async () => {
    await page.goto(`${ui.url}#/instances/order-1`);
    await page.waitForSelector('li.event[data-type="WorkflowExecutionFinished"]', { timeout: WAIT_MS });
    // The first reserve attempt failed and was retried; a timer fired; the signal arrived.
    assert.match(await page.locator('li.event[data-category="failure"] .label').first().innerText(), /Activity reserve failed: Error: warehouse busy/);
    assert.match(await page.locator('li.event[data-type="ActivityScheduled"][data-category="retry"] .label').innerText(), /Retry: attempt 2 of activity reserve/);
    assert.match(await page.locator('li.event[data-category="retry"][data-type="TimerScheduled"] .label').innerText(), /^Retry backoff: waits \d+ms$/);
    assert.equal(await page.locator('li.event[data-category="timer"][data-type="TimerScheduled"] .label').innerText(), 'Timer set for 100ms');
    assert.equal(await page.locator('li.event[data-type="TimerFired"]').count(), 2);
    assert.match(await page.locator('li.event[data-type="SignalReceived"] .label').innerText(), /Signal ship received/);
    assert.match(await page.locator('li.event[data-type="ActivityCompleted"] .waited').first().innerText(), /^after [\d.]+m?s \(from #\d+\)$/);
    assert.match(await page.locator('li.event[data-type="SubWorkflowScheduled"] .waited').first().innerText(), /^answered by #\d+ after [\d.]+m?s$/);
    // Children, with their states, link to their own pages.
    const children = page.locator('section.family li.child');
    assert.equal(await children.count(), 2);
    assert.deepEqual(await children.locator('[data-state]').allInnerTexts(), ['finished', 'finished']);
    assert.match(await page.locator('section.outcome pre').innerText(), /address: "Main St 1"[\s\S]*totalCents: 4200n/);
    assert.equal(await page.locator('h1 [data-outcome]').innerText(), 'completed');
    await page.locator('li.event[data-type="SignalReceived"] summary').click();
    await page.screenshot({ path: screenshotPath('instance-page'), fullPage: true });

    await children.first().locator('a').click();
    await page.waitForSelector('section.family li.parent', { timeout: WAIT_MS });
    assert.equal(await page.locator('section.family li.parent a').first().innerText(), 'order-1');
  });

  it('signals and cancels running instances from their page', async () => {
    await startOrder('order-2');
    await startOrder('order-3');
    await page.goto(`${ui.url}#/instances/order-2`);
    await page.waitForSelector('h1 [data-state="active"]', { timeout: WAIT_MS });
    await page.fill('input[name="signal-name"]', 'ship');
    await page.fill('input[name="signal-arg"]', '"Elm St 2"');
    await page.click('form.signal button[type="submit"]');
    await page.waitForSelector('p.notice', { timeout: WAIT_MS });
    await page.waitForSelector('h1 [data-state="finished"]', { timeout: WAIT_MS });
    assert.match(await page.locator('section.outcome pre').innerText(), /address: "Elm St 2"/);

    await page.goto(`${ui.url}#/instances/order-3`);
    await page.waitForSelector('h1 [data-state="active"]', { timeout: WAIT_MS });
    await page.click('section.actions button:has-text("Cancel…")');
    await page.click('section.actions button:has-text("Confirm cancel")');
    // Cancellation is cooperative: the request is recorded; this workflow ends once it stops waiting for its signal.
    await page.waitForSelector('li.event[data-type="WorkflowExecutionCanceled"]', { timeout: WAIT_MS });
    assert.equal(await page.locator('p.notice').innerText(), 'Cancellation requested');
  });

  it('hides the actions in read-only mode, and the API refuses them', async () => {
    await startOrder('order-4');
    await page.goto(`${readOnlyUi.url}#/instances/order-4`);
    await page.waitForSelector('h1 [data-state="active"]', { timeout: WAIT_MS });
    await page.waitForSelector('.read-only-note');
    assert.equal(await page.locator('header .badge.read-only').innerText(), 'read-only');
    assert.equal(await page.locator('section.actions button, form.signal').count(), 0);
    const refused = await page.evaluate(async () => {
      const res = await fetch('api/instances/order-4/cancel', { method: 'POST' });
      return { status: res.status, body: await res.json() };
    });
    assert.deepEqual(refused, { status: 403, body: { error: { code: 'READ_ONLY', message: 'the diagnostics UI is read-only: cancel is switched off' } } });
    assert.equal(await client.getWorkflowInstanceState({ instanceId: 'order-4' }), 'active');
    // The browser logs the refused request.
    assert.deepEqual(consoleErrors.splice(0), ['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
    await client.cancelWorkflowInstance({ instanceId: 'order-4' });
  });

  it('shows the queues, their backlog, the live workers and a held instance', async () => {
    // No worker registered this workflow: its task is held until one does.
    await client.createWorkflowInstance({ instanceId: 'ghost-1' }, 'ghostFlow');
    const held = await waitUntil(async () => (await client.listHeldWorkflowInstances()).instances.length === 1, WAIT_MS);
    assert.ok(held, 'ghost-1 was not held');
    await page.goto(`${ui.url}#/queues`);
    await page.waitForSelector('table.held tbody tr', { timeout: WAIT_MS });
    assert.match(await page.locator('table.held tbody tr').innerText(), /ghost-1[\s\S]*ghostFlow[\s\S]*unknown-workflow[\s\S]*UnknownWorkflowError/);
    assert.match(await page.locator('[data-stat="held"]').innerText(), /^1\s+held instances$/);
    await page.waitForSelector('tr[data-queue="default"]', { timeout: WAIT_MS });
    const worker = page.locator('table.workers tbody tr');
    assert.equal(await worker.count(), 1);
    assert.match(await worker.innerText(), /v42[\s\S]*default[\s\S]*fulfilOrder, packItem[\s\S]*pack, reserve/);
    assert.match(await page.locator('[data-stat="dead-letters"]').innerText(), /^0\s+dead letters$/);
    await page.screenshot({ path: screenshotPath('queues-and-workers'), fullPage: true });

    await page.click('table.held a');
    await page.waitForSelector('section.hold', { timeout: WAIT_MS });
    assert.match(await page.locator('section.hold h2').innerText(), /^Held: unknown-workflow$/);
    await page.screenshot({ path: screenshotPath('held-instance'), fullPage: true });
  });
});
