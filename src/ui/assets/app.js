// The diagnostics UI: a hash router over three pages, and the navigation bar.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { html } from './html.js';
import { InstanceList } from './instance-list.js';
import { InstancePage } from './instance-page.js';
import { QueuesPage } from './queues-page.js';

/** The current route: `{ page, instanceId?, executionId?, query }` from location.hash. */
function parseRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  const query = new URLSearchParams(search);
  const match = /^\/instances\/(.+)$/.exec(path);
  if (match !== null) {
    return { page: 'instance', instanceId: decodeURIComponent(match[1]), executionId: query.get('executionId') ?? undefined, query };
  }
  if (path === '/queues') return { page: 'queues', query };
  return { page: 'list', query };
}

function App() {
  const [route, setRoute] = useState(parseRoute);
  const [config, setConfig] = useState(undefined);
  const [configError, setConfigError] = useState(undefined);
  useEffect(() => {
    const onChange = () => setRoute(parseRoute());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  useEffect(() => {
    api('config').then(setConfig, setConfigError);
  }, []);
  const nav = html`
    <header class="top">
      <a class="brand" href="#/">redflow</a>
      <nav>
        <a href="#/" class=${route.page === 'list' || route.page === 'instance' ? 'active' : ''}>Instances</a>
        <a href="#/queues" class=${route.page === 'queues' ? 'active' : ''}>Queues and workers</a>
      </nav>
      ${config?.readOnly ? html`<span class="badge read-only" title="Signal, cancel and remove are switched off">read-only</span>` : null}
    </header>`;
  if (configError !== undefined) return html`${nav}<main><p class="error-box" role="alert">${configError.message}</p></main>`;
  if (config === undefined) return html`${nav}<main><p class="loading">Loading…</p></main>`;
  let page;
  if (route.page === 'instance') page = html`<${InstancePage} key=${route.instanceId} route=${route} config=${config} />`;
  else if (route.page === 'queues') page = html`<${QueuesPage} config=${config} />`;
  else page = html`<${InstanceList} route=${route} config=${config} />`;
  return html`${nav}<main>${page}</main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the static "Loading" line
render(html`<${App} />`, root);
