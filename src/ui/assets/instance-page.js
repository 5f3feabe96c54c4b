// One execution: its state, result or error, hold, family tree, pending work, actions and history timeline.
import { useState } from 'preact/hooks';
import { api, ErrorBox, usePolling } from './api.js';
import { formatDuration, formatTime, InstanceLink, StateBadge, Value } from './format.js';
import { html } from './html.js';
import { InstanceActions } from './instance-actions.js';
import { Timeline } from './timeline.js';

function Family({ details }) {
  const self = html`
    <span class="self"><b class="mono">${details.instance.instanceId}</b> ${details.name} <${StateBadge} state=${details.state} /></span>
    ${details.children.length === 0
      ? null
      : html`<ul>${details.children.map(
          (child) => html`<li class="child" data-instance-id=${child.instance.instanceId}>
            <${InstanceLink} instanceId=${child.instance.instanceId} executionId=${child.instance.executionId} /> ${child.name}
            <${StateBadge} state=${child.state} /> <span class="hint">${child.status} in this history</span></li>`,
        )}</ul>`}`;
  return html`
    <section class="family">
      <h2>Parent and children</h2>
      <ul class="tree">
        ${details.parent === undefined
          ? html`<li>${self}</li>`
          : html`<li class="parent"><${InstanceLink} instanceId=${details.parent.instanceId} executionId=${details.parent.executionId} /> (parent)
              <ul><li>${self}</li></ul></li>`}
      </ul>
    </section>`;
}

function PendingWork({ work }) {
  const items = [
    ...work.activities.map((a) => html`<li class="cat-activity">Activity <b>${a.name}</b> (attempt ${a.attempt + 1}) on ${a.queue}</li>`),
    ...work.timers.map((t) => html`<li class="cat-timer">Timer #${t.scheduleEventId} fires at ${formatTime(t.firesAt.$date ?? t.firesAt)}</li>`),
    ...work.subWorkflows.map((s) => html`<li class="cat-child">Child <${InstanceLink} instanceId=${s.attributes.instanceId} /> ${s.attributes.name}</li>`),
    ...work.signals.map((s) => html`<li class="cat-signal">Signal <b>${s.attributes.name}</b> to ${s.attributes.instanceId}</li>`),
  ];
  return html`
    <section class="pending">
      <h2>Pending work</h2>
      ${items.length === 0 ? html`<p class="empty">Nothing pending.</p>` : html`<ul>${items}</ul>`}
    </section>`;
}

function Hold({ hold }) {
  if (hold === undefined) return null;
  return html`
    <section class="hold" role="status">
      <h2>Held: ${hold.reason}</h2>
      <p><b>${hold.error.type}</b>: ${hold.error.message}</p>
      <p>Since ${formatTime(hold.since)}, ${hold.attempts} attempt(s);
        ${hold.parked ? ' parked: waits for a retry by an operator.' : ` next attempt ${formatTime(hold.retryAt)}.`}</p>
    </section>`;
}

function Outcome({ details }) {
  if (details.error !== undefined) {
    const title = details.outcome === 'canceled' ? 'Cancelled' : 'Error';
    return html`<section class=${`outcome ${details.outcome}`}><h2>${title}</h2><${Value} value=${details.error} /></section>`;
  }
  if (details.outcome === 'completed') return html`<section class="outcome completed"><h2>Result</h2><${Value} value=${details.result} /></section>`;
  return null;
}

function Inputs({ inputs }) {
  if (inputs === undefined) return null;
  return html`<details class="inputs"><summary>Arguments (${inputs.length})</summary><${Value} value=${inputs} /></details>`;
}

/** The instance page of `route.instanceId` (and `route.executionId`, when given). */
export function InstancePage({ route, config }) {
  const query = route.executionId === undefined ? '' : `?executionId=${encodeURIComponent(route.executionId)}`;
  const key = `${route.instanceId}${query}`;
  // A finished execution changes no more (unless removed): it is asked for less often.
  const { data, error, refresh } = usePolling(
    () => api(`instances/${encodeURIComponent(route.instanceId)}${query}`),
    key,
    config.pollIntervalMs,
    (details) => details.state !== 'active',
  );
  const [notice, setNotice] = useState(undefined);
  const onDone = (message) => {
    if (message === 'Removed') location.hash = '#/';
    setNotice(message);
    refresh();
  };
  if (data === undefined) return html`<h1 class="mono">${route.instanceId}</h1><${ErrorBox} error=${error} />${error === undefined ? html`<p class="loading">Loading…</p>` : null}`;
  const end = data.finishedAt === undefined ? Date.now() : new Date(data.finishedAt).getTime();
  const { instanceId, executionId } = data.instance;
  return html`
    <h1>
      <span class="mono">${instanceId}</span> <${StateBadge} state=${data.state} />
      ${data.outcome === undefined ? null : html`<span class=${`badge outcome-${data.outcome}`} data-outcome=${data.outcome}>${data.outcome}</span>`}
      ${data.hold === undefined ? null : html`<span class="badge state-held">held</span>`}
    </h1>
    <dl class="facts">
      <dt>Workflow</dt><dd>${data.name}</dd>
      <dt>Queue</dt><dd>${data.queue}</dd>
      <dt>Execution</dt><dd class="mono">${executionId}</dd>
      <dt>Created</dt><dd>${formatTime(data.createdAt)}</dd>
      <dt>Finished</dt><dd>${formatTime(data.finishedAt)}</dd>
      <dt>Duration</dt><dd>${formatDuration(end - new Date(data.createdAt).getTime())}</dd>
      ${data.continuedFrom === undefined
        ? null
        : html`<dt>Continued from</dt><dd><${InstanceLink} instanceId=${instanceId} executionId=${data.continuedFrom.executionId}>${data.continuedFrom.executionId}</${InstanceLink}></dd>`}
      ${data.continuedTo === undefined
        ? null
        : html`<dt>Continued as</dt><dd><${InstanceLink} instanceId=${instanceId} executionId=${data.continuedTo.executionId}>${data.continuedTo.executionId}</${InstanceLink}></dd>`}
    </dl>
    <${Inputs} inputs=${data.inputs} />
    <${ErrorBox} error=${error} />
    ${notice === undefined ? null : html`<p class="notice" role="status">${notice}</p>`}
    <${InstanceActions} details=${data} config=${config} onDone=${onDone} />
    <${Hold} hold=${data.hold} />
    <${Outcome} details=${data} />
    <div class="columns">
      <${Family} details=${data} />
      <${PendingWork} work=${data.pending} />
    </div>
    <section class="history">
      <h2>History (${data.timeline.length} events)</h2>
      <${Timeline} entries=${data.timeline} />
    </section>`;
}
