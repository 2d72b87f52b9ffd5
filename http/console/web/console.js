// The lifecycle console in the browser: one EventSource on /api/console/lifecycle/stream, state kept by workspace
// id (snapshot, then deltas: changes first, removals after), DOM rebuilt at most once per animation frame.
// Public API only; the token lives in sessionStorage and reaches the server as a header, or as ?access_token=
// on the stream (EventSource cannot send headers).

const TOKEN_KEY = 'mcp-console-token';
const PLATFORM_KEY = 'mcp-console-platform-token';
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'denied', 'expired']);
const $ = (id) => document.getElementById(id);

function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('access_token');
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  const platform = params.get('platform_token');
  if (platform) sessionStorage.setItem(PLATFORM_KEY, platform);
  // The fragment never reaches a server; drop it from the address bar and history too.
  if (token || platform) history.replaceState(null, '', location.pathname);
}

/** The token's claims, for the UI only (which buttons to offer); the API checks every request itself. */
function claimsOf(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

function setState(state) {
  const badge = $('state');
  if (badge.dataset.state === state) return;
  badge.dataset.state = state;
  badge.textContent = state;
}

// --- state: entries by workspace id, and the delta rules of docs/console.md ---
const entries = new Map();
let pendingSnapshot = [];

function applyFields(target, changes) {
  const next = { ...target };
  for (const { field, current } of changes) {
    const dot = field.indexOf('.');
    if (dot < 0) next[field] = current;
    else {
      const parent = field.slice(0, dot);
      next[parent] = { ...next[parent], [field.slice(dot + 1)]: current };
    }
  }
  return next;
}

function applyItems(items, deltas, removed, idOf, order) {
  const byId = new Map(items.map((item) => [idOf(item), item]));
  for (const { id, changes } of deltas) byId.set(id, applyFields(byId.get(id) ?? {}, changes));
  for (const id of removed) byId.delete(id);
  return [...byId.values()].sort(order);
}

function applyDelta(delta) {
  const entry = entries.get(delta.workspace_id) ?? { promotion_runs: [], promotion_postures: [], recent_runs: [] };
  const head = applyFields({ workspace: entry.workspace, active_revision: entry.active_revision }, delta.workspace_changes);
  entries.set(delta.workspace_id, {
    workspace: head.workspace,
    active_revision: head.active_revision,
    promotion_runs: applyItems(entry.promotion_runs, delta.promotion_run_deltas, delta.removed_promotion_run_ids, (item) => item.id, (a, b) => a.id - b.id),
    promotion_postures: applyItems(entry.promotion_postures, delta.promotion_posture_deltas, delta.removed_promotion_ids, (item) => item.promotion_id, (a, b) => a.promotion_id - b.promotion_id),
    recent_runs: applyItems(entry.recent_runs, [...delta.analytics_changes, ...delta.artifact_changes], delta.removed_run_ids, (item) => item.run.id, (a, b) => b.run.id - a.run.id),
  });
}

// --- rendering, batched: many deltas in one frame cost one rebuild ---
let frame = 0;
function scheduleRender() {
  if (frame === 0) frame = requestAnimationFrame(render);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('data-')) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

let session = { token: '', claims: {}, platform: '' };

function actions(run) {
  const cell = el('td');
  const roles = session.claims.roles ?? [];
  if (roles.includes('approver') && run.run.approval_state === 'pending' && !TERMINAL.has(run.run.status)) {
    cell.append(el('button', { type: 'button', className: 'approve', onclick: () => decide(run, 'approve') }, 'Approve'));
  }
  if (roles.includes('operator') && !TERMINAL.has(run.run.status)) {
    cell.append(el('button', { type: 'button', className: 'cancel', onclick: () => cancel(run) }, 'Cancel'));
  }
  if (session.platform) {
    cell.append(el('a', { href: `/admin/queues/queue/remediation-execute?access_token=${encodeURIComponent(session.platform)}`, target: '_blank', rel: 'noopener' }, 'jobs'));
  }
  return cell;
}

/** Who approved or cancelled the run: their email when the token carried one, else their subject. */
function overrideBy(override) {
  if (!override) return '';
  return el('span', { className: 'override-actor' }, ` · ${override.kind === 'approval' ? 'approved' : 'cancelled'} by ${override.actor_email ?? override.actor_id}`);
}

function runRow(run) {
  const score = run.intelligence.map((item) => `${item.capability} ${item.score}`).join(', ');
  const retries = `${run.retry_attempt}/${run.retry_limit}`;
  return el(
    'tr',
    { 'data-run-id': run.run.id },
    el('td', {}, `#${run.run.id}`),
    el('td', {}, run.run.playbook),
    el('td', { className: `status status-${run.run.status}` }, run.run.status),
    el('td', { className: 'approval' }, run.run.approval_state, overrideBy(run.manual_override)),
    el('td', {}, run.trust ? `${run.trust.lifecycle_state} / ${run.trust.attestation_status}` : '—'),
    el('td', {}, score || '—'),
    el('td', {}, run.marketplace ? `${run.marketplace.status} ${run.marketplace.manifest_tag ?? ''}` : '—'),
    el('td', {}, retries),
    el('td', {}, run.duration_seconds === null ? '—' : `${run.duration_seconds}s`),
    actions(run),
  );
}

function workspaceSection(entry) {
  const { workspace, active_revision: revision } = entry;
  const gates = revision
    ? el('p', { className: 'gates' }, ...['schema', 'policy', 'simulation', 'promotion'].map((gate) => el('span', {}, `${gate}: ${revision[`${gate}_status`]}`)))
    : el('p', {}, 'no active revision');
  const postures = el('p', { className: 'postures' }, ...entry.promotion_postures.map((posture) => el('span', {}, `promotion #${posture.promotion_id} ${posture.status} ${posture.allowed === false ? 'vetoed' : posture.allowed ? 'allowed' : ''}`)));
  const head = el('tr', {}, ...['run', 'playbook', 'status', 'approval', 'trust', 'scores', 'marketplace', 'retries', 'duration', ''].map((name) => el('th', {}, name)));
  return el(
    'section',
    { className: 'workspace', 'data-workspace-id': workspace.id },
    el('h2', {}, `${workspace.display_name} (${workspace.workspace_key}) · ${workspace.lifecycle_state}`),
    gates,
    postures,
    el('table', {}, el('thead', {}, head), el('tbody', {}, ...entry.recent_runs.map(runRow))),
  );
}

function render() {
  frame = 0;
  const list = [...entries.values()].sort((a, b) => a.workspace.id - b.workspace.id);
  $('workspaces').replaceChildren(...list.map(workspaceSection));
  $('empty').hidden = list.length > 0;
}

// --- actions through the public API ---
async function call(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    alert(`${problem.code ?? response.status}: ${problem.detail ?? 'request failed'}`);
  }
}
const decide = (run, decision) => call(`/api/trust/remediation/runs/${run.run.id}/approval`, { decision, version: run.run.version });
const cancel = (run) => call(`/api/trust/remediation/runs/${run.run.id}/cancel`, { version: run.run.version });

// --- the one stream of this tab ---
function connect() {
  setState('loading');
  const source = new EventSource(`/api/console/lifecycle/stream?access_token=${encodeURIComponent(session.token)}`);
  const live = () => setState(entries.size === 0 ? 'empty' : 'live');
  source.addEventListener('snapshot', (event) => pendingSnapshot.push(...JSON.parse(event.data).page.workspaces));
  source.addEventListener('snapshot-complete', () => {
    entries.clear();
    for (const entry of pendingSnapshot) entries.set(entry.workspace.id, entry);
    pendingSnapshot = [];
    scheduleRender();
    live();
  });
  source.addEventListener('delta', (event) => {
    const { delta } = JSON.parse(event.data);
    for (const workspace of delta.workspaces) applyDelta(workspace);
    for (const id of delta.removed_workspace_ids) entries.delete(id);
    scheduleRender();
    live();
  });
  source.addEventListener('heartbeat', live);
  source.addEventListener('reset', () => {
    pendingSnapshot = [];
    setState('loading');
  });
  source.addEventListener('error', (event) => {
    // A server `error` event carries data; a dropped connection does not (the browser reconnects by itself,
    // resuming after Last-Event-ID, with the server's `retry:` delay).
    if (event.data) console.warn('console stream error', event.data);
    pendingSnapshot = [];
    setState(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting');
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000 + Math.random() * 3000);
  });
}

function start() {
  takeTokenFromFragment();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    $('login').hidden = false;
    setState('signed out');
    $('login').addEventListener('submit', (event) => {
      event.preventDefault();
      const form = new FormData(event.target);
      sessionStorage.setItem(TOKEN_KEY, String(form.get('token')).trim());
      if (String(form.get('platform')).trim()) sessionStorage.setItem(PLATFORM_KEY, String(form.get('platform')).trim());
      location.reload();
    });
    return;
  }
  session = { token, claims: claimsOf(token), platform: sessionStorage.getItem(PLATFORM_KEY) ?? '' };
  $('who').textContent = `${session.claims.sub ?? ''} @ ${session.claims.owner ?? ''} (${(session.claims.roles ?? []).join(', ')})`;
  if (session.platform) {
    $('bull-board').hidden = false;
    $('bull-board').href = `/admin/queues?access_token=${encodeURIComponent(session.platform)}`;
  }
  $('logout').hidden = false;
  $('logout').addEventListener('click', () => {
    sessionStorage.clear();
    location.reload();
  });
  connect();
}

start();
