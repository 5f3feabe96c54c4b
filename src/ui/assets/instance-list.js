// The instance list: filters and search by id in the URL, refreshed every poll interval.
import { useState } from 'preact/hooks';
import { api, ErrorBox, usePolling } from './api.js';
import { formatDuration, formatTime, InstanceLink, StateBadge } from './format.js';
import { html } from './html.js';

const FILTERS = ['search', 'state', 'name', 'queue', 'createdAfter', 'createdBefore'];

/** A datetime-local input's value as ISO (the browser's time zone), or '' when empty. */
function toIso(local) {
  return local === '' ? '' : new Date(local).toISOString();
}

/** An ISO time as a datetime-local input's value. */
function toLocal(iso) {
  if (iso === null || iso === '') return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function Filters({ query }) {
  const [form, setForm] = useState(() => Object.fromEntries(FILTERS.map((key) => [key, key.startsWith('created') ? toLocal(query.get(key)) : (query.get(key) ?? '')])));
  const set = (key) => (event) => setForm(Object.assign({}, form, { [key]: event.currentTarget.value }));
  const submit = (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const key of FILTERS) {
      const value = key.startsWith('created') ? toIso(form[key]) : form[key].trim();
      if (value !== '') params.set(key, value);
    }
    location.hash = `#/?${params}`;
  };
  return html`
    <form class="filters" onSubmit=${submit}>
      <label>Instance id<input name="search" value=${form.search} onInput=${set('search')} placeholder="exact id" /></label>
      <label>State
        <select name="state" value=${form.state} onChange=${set('state')}>
          <option value="">any</option><option>active</option><option>finished</option><option>continued-as-new</option>
        </select>
      </label>
      <label>Workflow<input name="name" value=${form.name} onInput=${set('name')} /></label>
      <label>Queue<input name="queue" value=${form.queue} onInput=${set('queue')} /></label>
      <label>Created after<input type="datetime-local" name="createdAfter" value=${form.createdAfter} onInput=${set('createdAfter')} /></label>
      <label>Created before<input type="datetime-local" name="createdBefore" value=${form.createdBefore} onInput=${set('createdBefore')} /></label>
      <button type="submit">Apply</button>
      <a class="button secondary" href="#/">Clear</a>
    </form>`;
}

function Row({ row, now }) {
  const end = row.finishedAt === undefined ? now : new Date(row.finishedAt).getTime();
  const took = row.createdAt === undefined ? undefined : end - new Date(row.createdAt).getTime();
  return html`
    <tr data-instance-id=${row.instanceId}>
      <td class="mono"><${InstanceLink} instanceId=${row.instanceId} executionId=${row.executionId} /></td>
      <td>${row.name}</td>
      <td>${row.queue}</td>
      <td class="state"><${StateBadge} state=${row.state} /></td>
      <td>${formatTime(row.createdAt)}</td>
      <td>${formatTime(row.finishedAt)}</td>
      <td class="num">${formatDuration(took)}${row.finishedAt === undefined && row.state === 'active' ? '…' : ''}</td>
    </tr>`;
}

/** The list page; `route.query` holds the filters and `cursor`. */
export function InstanceList({ route, config }) {
  const params = new URLSearchParams();
  for (const key of FILTERS.concat(['cursor'])) {
    const value = route.query.get(key);
    if (value !== null && value !== '') params.set(key, value);
  }
  const key = params.toString();
  const { data, error } = usePolling(() => api(`instances?${key}`), key, config.pollIntervalMs);
  const nextParams = new URLSearchParams(params);
  if (data?.nextCursor !== undefined) nextParams.set('cursor', data.nextCursor);
  const firstParams = new URLSearchParams(params);
  firstParams.delete('cursor');
  const now = Date.now();
  return html`
    <h1>Workflow instances</h1>
    <${Filters} key=${key} query=${route.query} />
    <${ErrorBox} error=${error} />
    ${data === undefined
      ? error === undefined && html`<p class="loading">Loading…</p>`
      : html`
          <table class="instances">
            <thead><tr><th>Instance</th><th>Workflow</th><th>Queue</th><th>State</th><th>Created</th><th>Finished</th><th>Duration</th></tr></thead>
            <tbody>${data.instances.map((row) => html`<${Row} key=${`${row.instanceId}/${row.executionId}`} row=${row} now=${now} />`)}</tbody>
          </table>
          ${data.instances.length === 0 ? html`<p class="empty">No instances match.</p>` : null}
          <p class="pager">
            ${params.has('cursor') ? html`<a class="button secondary" href=${`#/?${firstParams}`}>First page</a>` : null}
            ${data.nextCursor !== undefined ? html`<a class="button secondary" href=${`#/?${nextParams}`}>Next page</a>` : null}
            <span class="hint">Refreshes every ${formatDuration(config.pollIntervalMs)}.</span>
          </p>`}`;
}
