// Queues and workers: backlog per queue, live workers and what they serve, held instances, dead letters.
import { api, ErrorBox, usePolling } from './api.js';
import { formatTime, InstanceLink } from './format.js';
import { html } from './html.js';

function Queues({ queues }) {
  return html`
    <table class="queues">
      <thead><tr><th>Queue</th><th class="num">Workflow tasks</th><th class="num">Activity tasks</th><th class="num">Workers</th><th>Unserved</th></tr></thead>
      <tbody>${queues.map(
        (q) => html`<tr data-queue=${q.queue}>
          <td>${q.queue}</td><td class="num">${q.pendingWorkflowTasks}</td><td class="num">${q.pendingActivityTasks}</td><td class="num">${q.workers}</td>
          <td>${q.unserved.length === 0 ? '' : html`<span class="badge warn">no ${q.unserved.join(' / ')} poller</span>`}</td>
        </tr>`,
      )}</tbody>
    </table>`;
}

function Workers({ workers }) {
  if (workers.length === 0) return html`<p class="empty">No live workers.</p>`;
  return html`
    <table class="workers">
      <thead><tr><th>Worker</th><th>Host / pid</th><th>Version</th><th>Queues</th><th>Workflows</th><th>Activities</th><th>Started</th><th>Last seen</th></tr></thead>
      <tbody>${workers.map(
        (w) => html`<tr data-worker-id=${w.workerId}>
          <td class="mono" title=${w.workerId}>${w.workerId.slice(0, 8)}</td>
          <td>${w.hostname} / ${w.pid}</td>
          <td>${w.version ?? ''} <span class="hint">redflow ${w.redflowVersion}</span></td>
          <td>${w.queues.join(', ')}</td>
          <td>${w.pollsWorkflowTasks ? w.workflows.join(', ') : html`<span class="hint">not polled</span>`}</td>
          <td>${w.pollsActivityTasks ? w.activities.join(', ') : html`<span class="hint">not polled</span>`}</td>
          <td>${formatTime(w.startedAt)}</td>
          <td>${formatTime(w.lastSeenAt)}</td>
        </tr>`,
      )}</tbody>
    </table>`;
}

function Held({ held }) {
  if (held.instances.length === 0) return html`<p class="empty">No held instances.</p>`;
  return html`
    <table class="held">
      <thead><tr><th>Instance</th><th>Workflow</th><th>Reason</th><th>Error</th><th>Since</th><th class="num">Attempts</th><th>Next attempt</th></tr></thead>
      <tbody>${held.instances.map(
        (h) => html`<tr>
          <td class="mono"><${InstanceLink} instanceId=${h.instance.instanceId} executionId=${h.instance.executionId} /></td>
          <td>${h.name}</td><td><span class="badge state-held">${h.reason}</span></td>
          <td><b>${h.error.type}</b>: ${h.error.message}</td>
          <td>${formatTime(h.since)}</td><td class="num">${h.attempts}</td>
          <td>${h.parked ? 'parked' : formatTime(h.retryAt)}</td>
        </tr>`,
      )}</tbody>
    </table>
    ${held.nextCursor === undefined ? null : html`<p class="hint">More held instances than shown: see <code>redflow held</code>.</p>`}`;
}

/** The queues-and-workers page. */
export function QueuesPage({ config }) {
  const { data, error } = usePolling(() => api('queues'), 'queues', config.pollIntervalMs);
  if (data === undefined) return html`<h1>Queues and workers</h1><${ErrorBox} error=${error} />`;
  const { stats } = data;
  return html`
    <h1>Queues and workers</h1>
    <${ErrorBox} error=${error} />
    <div class="cards">
      <div class="card" data-stat="active"><b>${stats.activeWorkflowInstances}</b> active instances</div>
      <div class="card" data-stat="workers"><b>${stats.liveWorkers}</b> live workers</div>
      <div class=${`card${stats.heldWorkflowInstances > 0 ? ' warn' : ''}`} data-stat="held"><b>${stats.heldWorkflowInstances}</b> held instances</div>
      <div class=${`card${stats.deadLetterMessages > 0 ? ' warn' : ''}`} data-stat="dead-letters"><b>${stats.deadLetterMessages}</b> dead letters</div>
    </div>
    <section><h2>Backlog per queue</h2><${Queues} queues=${data.queues} /></section>
    <section><h2>Live workers</h2><${Workers} workers=${data.workers} /></section>
    <section><h2>Held instances</h2><${Held} held=${data.held} /></section>
    ${stats.unservedNames.length === 0
      ? null
      : html`<section><h2>Names no live worker serves</h2><ul>${stats.unservedNames.map(
          (n) => html`<li><span class="badge warn">${n.kind}</span> ${n.name} on ${n.queue}, last seen ${formatTime(n.lastSeenAt)}</li>`,
        )}</ul></section>`}`;
}
