// vipd's live dashboard (docs/api.md "Routes"): one status fetch at load, the recent events,
// then the WebSocket /v1/stream for every event and a fresh status. Plain browser JavaScript,
// no framework, no build step, nothing loaded from elsewhere.
//
// Every text that comes from the agent (event reasons come from peers) goes in through
// textContent or an attribute value, never as HTML.

const WINDOW_MS = 5 * 60 * 1000;
const MIN_WINDOW_MS = 10 * 1000;
const MAX_EVENTS = 200;
const MAX_HISTORY_MARKS = 40;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const ROLES = ['Master', 'Backup', 'Fault', 'Initialize'];
const MEMBER_STATES = ['alive', 'suspect', 'dead', 'left'];
const SVG_NS = 'http://www.w3.org/2000/svg';

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';

/** The dashboard's whole state; render() draws it. */
const state = {
  status: null,
  /** Newest first, at most MAX_EVENTS. */
  events: [],
  lastSeq: 0,
  /**
   * group name -> [{at, role, master}] in time order: what this node was and whom it followed as
   * master (the move clients see), from the events and statuses.
   */
  lanes: new Map(),
  /** Server wall clock minus ours, in ms (the agent's `at` times are its clock). */
  skew: 0,
  ws: null,
  wsLive: false,
  backoff: BACKOFF_MIN_MS,
  reconnectTimer: undefined,
  reconnects: 0,
};

// ---------------------------------------------------------------- small DOM helpers

const $ = (id) => document.getElementById(id);

/** An element with a class, attributes and children (strings become text nodes). */
function el(tag, opts = {}, ...children) {
  const e = document.createElement(tag);
  if (opts.class) e.className = opts.class;
  if (opts.title !== undefined) e.title = String(opts.title);
  for (const [k, v] of Object.entries(opts.attrs ?? {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children) if (c !== undefined && c !== null) e.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

/** A class-safe token: only letters, digits and dashes from a value we do not control. */
const cls = (v) => String(v ?? '').replace(/[^A-Za-z0-9-]/g, '_');

const roleBadge = (role) => el('span', { class: `badge role-${cls(role)}`, attrs: { 'data-testid': 'group-role' } }, String(role ?? '?'));

function pad(n, w = 2) {
  return String(n).padStart(w, '0');
}

function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m ${s % 60}s`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s % 60}s`;
}

/** The agent's "now" as we best know it. */
const serverNow = () => Date.now() + state.skew;

function ago(at) {
  if (typeof at !== 'number' || !Number.isFinite(at)) return '';
  return `${duration((serverNow() - at) / 1000)} ago`;
}

function showError(text) {
  const e = $('error');
  if (!text) {
    e.hidden = true;
    e.textContent = '';
    return;
  }
  e.hidden = false;
  e.textContent = text;
}

// ---------------------------------------------------------------- data

async function getJson(path) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers, cache: 'no-store' });
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      const body = await res.json();
      if (body && typeof body.error === 'string') msg += `: ${body.error}`;
    } catch { /* not JSON */ }
    throw new Error(`${path}: ${msg}`);
  }
  return res.json();
}

function setStatus(status) {
  if (!status || typeof status !== 'object') return;
  const node = status.node;
  const before = state.status?.node;
  if (before && node && (before.startedAt !== node.startedAt || before.id !== node.id)) {
    // The agent restarted (its events number from 1 again) or this is another agent: start over.
    state.events = [];
    state.lastSeq = 0;
    state.lanes.clear();
    void catchUp();
  }
  state.status = status;
  if (node && typeof node.startedAt === 'number' && typeof node.uptimeSeconds === 'number') {
    // uptimeSeconds is rounded: the estimate is within half a second, enough for a 5-minute chart.
    const estimate = node.startedAt + node.uptimeSeconds * 1000 - Date.now();
    if (Math.abs(estimate - state.skew) > 1500) state.skew = estimate;
  }
  const now = serverNow();
  for (const g of status.groups ?? []) noteLane(g.name, { role: g.role, master: g.master ?? null }, now, false);
  render();
}

/**
 * Records that group `name` had the role and/or master in `patch` from `at` (an event's time, or
 * a status's "now"); what the patch leaves out stays as it was.
 */
function noteLane(name, patch, at, fromEvent) {
  if (typeof name !== 'string') return;
  let lane = state.lanes.get(name);
  if (!lane) {
    lane = [];
    state.lanes.set(name, lane);
  }
  const last = lane.at(-1);
  const next = { role: last?.role ?? 'Initialize', master: last?.master ?? null, ...patch };
  if (typeof next.role !== 'string') return;
  if (last && last.role === next.role && last.master === next.master) return;
  // A status that disagrees with the events seen so far: a transition we missed; draw it now.
  if (!fromEvent && last && at < last.at) at = last.at;
  lane.push({ at, role: next.role, master: next.master });
  lane.sort((a, b) => a.at - b.at);
  // Keep what the window needs: the last segment that starts before it, and the rest.
  const cut = serverNow() - WINDOW_MS;
  while (lane.length > 1 && lane[1].at <= cut) lane.shift();
}

function addEvent(e) {
  if (!e || typeof e !== 'object' || typeof e.seq !== 'number') return false;
  if (e.seq <= state.lastSeq) {
    // Already seen (the catch-up after a reconnect overlaps the stream), or the agent restarted
    // and numbers from 1 again: then a status's startedAt moved, and we start over (below).
    if (state.events.some((x) => x.seq === e.seq && x.at === e.at)) return false;
  }
  state.lastSeq = Math.max(state.lastSeq, e.seq);
  state.events.unshift(e);
  state.events.sort((a, b) => b.seq - a.seq);
  if (state.events.length > MAX_EVENTS) state.events.length = MAX_EVENTS;
  if (e.type === 'role' && typeof e.group === 'string') {
    const lane = state.lanes.get(e.group);
    // The first event of a lane tells what it was before, too.
    if (!lane || lane.length === 0) noteLane(e.group, { role: e.from }, e.at - 1, true);
    noteLane(e.group, { role: e.to }, e.at, true);
  }
  if (e.type === 'master' && typeof e.group === 'string') noteLane(e.group, { master: e.to ?? null }, e.at, true);
  return true;
}

// ---------------------------------------------------------------- the WebSocket stream

function streamUrl() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${proto}//${location.host}/v1/stream${q}`;
}

function setLive(live, detail) {
  state.wsLive = live;
  $('ws-state').textContent = live ? 'live' : 'disconnected';
  $('ws-dot').className = `dot ${live ? 'on' : 'off'}`;
  $('ws-detail').textContent = detail ?? '';
  document.body.classList.toggle('stale', !live);
}

function connect() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = undefined;
  let ws;
  try {
    ws = new WebSocket(streamUrl());
  } catch (err) {
    scheduleReconnect(String(err));
    return;
  }
  state.ws = ws;
  ws.addEventListener('open', () => {
    state.backoff = BACKOFF_MIN_MS;
    setLive(true, '');
    // Events that happened while we were away: the stream sends only new ones.
    if (state.reconnects > 0) void catchUp();
  });
  ws.addEventListener('message', (m) => {
    let msg;
    try {
      msg = JSON.parse(typeof m.data === 'string' ? m.data : '');
    } catch {
      return;
    }
    if (msg?.kind === 'status') setStatus(msg.status);
    else if (msg?.kind === 'event') {
      if (addEvent(msg.event)) render();
    }
  });
  ws.addEventListener('close', (c) => {
    if (state.ws !== ws) return;
    state.ws = null;
    scheduleReconnect(c.code === 1000 ? '' : `closed (${c.code})`);
  });
  ws.addEventListener('error', () => {
    // 'close' follows; nothing more to do here.
  });
}

function scheduleReconnect(why) {
  if (state.reconnectTimer !== undefined) return;
  const wait = Math.round(state.backoff * (0.75 + Math.random() * 0.5));
  state.backoff = Math.min(BACKOFF_MAX_MS, state.backoff * 2);
  state.reconnects += 1;
  setLive(false, `${why ? `${why}; ` : ''}retrying in ${(wait / 1000).toFixed(1)} s`);
  state.reconnectTimer = setTimeout(connect, wait);
}

async function catchUp() {
  try {
    const r = await getJson(`/v1/events?since=${state.lastSeq}&limit=${MAX_EVENTS}`);
    let changed = false;
    for (const e of r.events ?? []) changed = addEvent(e) || changed;
    if (changed) render();
  } catch {
    // The stream's next status and events will do.
  }
}

// ---------------------------------------------------------------- rendering

function renderNode() {
  const s = state.status;
  const n = s?.node;
  $('node-id').textContent = n?.id ?? '…';
  $('node-role').textContent = n?.role ?? '…';
  $('node-address').textContent = n?.address ?? '…';
  $('node-version').textContent = n?.version ?? '…';
  const ready = $('node-ready');
  if (s) {
    ready.textContent = s.ready ? 'ready' : 'not ready';
    ready.className = `badge ${s.ready ? 'ok' : 'warn'}`;
  }
  renderUptime();
  if (n?.id) document.title = `vipd · ${n.id}`;
}

function renderUptime() {
  const n = state.status?.node;
  if (!n) return;
  const up = typeof n.startedAt === 'number' ? (serverNow() - n.startedAt) / 1000 : n.uptimeSeconds;
  $('node-uptime').textContent = duration(up);
}

function replaceRows(tbody, rows, empty) {
  tbody.replaceChildren(...rows);
  if (empty) empty.hidden = rows.length > 0;
}

function renderGroups() {
  const groups = state.status?.groups ?? [];
  const me = state.status?.node?.id;
  const rows = groups.map((g) => {
    const master = g.master ?? null;
    const masterCell = el('td', { attrs: { 'data-testid': 'group-master' } }, master === null ? '—' : String(master));
    if (master !== null && master === me) masterCell.append(el('span', { class: 'muted small' }, ' (this node)'));
    const prio = el('td', { class: 'num' }, el('strong', {}, String(g.priority ?? '?')));
    if (g.basePriority !== undefined && g.basePriority !== g.priority) prio.append(el('span', { class: 'muted' }, ` (${g.basePriority})`));
    const faults = (g.faults ?? []).map((f) => el('li', { title: f.reason ?? '' }, el('strong', {}, String(f.resource ?? '')), f.reason ? `: ${f.reason}` : ''));
    const promote = g.promote
      ? el('span', { class: 'badge info', title: `until ${new Date(g.promote.until).toLocaleString()}` }, `+${g.promote.by} for ${duration((g.promote.until - serverNow()) / 1000)}`)
      : el('span', { class: 'muted' }, '—');
    return el(
      'tr',
      { class: `role-row-${cls(g.role)}`, attrs: { 'data-testid': 'group-row', 'data-group': g.name, 'data-role': g.role } },
      el('td', { class: 'name' }, String(g.name)),
      el('td', {}, roleBadge(g.role)),
      masterCell,
      prio,
      el('td', { class: 'num', attrs: { 'data-testid': 'group-term' } }, String(g.term ?? '')),
      el('td', { class: 'mono' }, ...(g.vips ?? []).flatMap((v, i) => (i === 0 ? [String(v)] : [el('br'), String(v)]))),
      el('td', {}, faults.length ? el('ul', { class: 'faults' }, ...faults) : el('span', { class: 'muted' }, 'none')),
      el('td', {}, g.maintenance ? el('span', { class: 'badge warn' }, 'on') : el('span', { class: 'muted' }, 'off')),
      el('td', {}, promote),
    );
  });
  replaceRows($('groups-body'), rows, state.status ? $('groups-empty') : null);
}

function renderMembers() {
  const me = state.status?.node?.id;
  const members = [...(state.status?.members ?? [])].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const rows = members.map((m) =>
    el(
      'tr',
      { attrs: { 'data-testid': 'member-row', 'data-member': m.id, 'data-state': m.state } },
      el('td', { class: 'name' }, String(m.id), m.id === me ? el('span', { class: 'muted small' }, ' (this node)') : null),
      el('td', { class: 'mono' }, String(m.address ?? '')),
      el('td', {}, el('span', { class: `badge member-${cls(MEMBER_STATES.includes(m.state) ? m.state : 'unknown')}` }, String(m.state ?? '?'))),
      el('td', { class: 'num' }, String(m.incarnation ?? '')),
      el('td', { class: 'muted', title: typeof m.since === 'number' ? new Date(m.since).toLocaleString() : '' }, ago(m.since)),
    ),
  );
  replaceRows($('members-body'), rows, state.status ? $('members-empty') : null);
}

function renderChecks() {
  const checks = state.status?.checks ?? [];
  const rows = checks.map((c) => {
    const history = c.history ?? [];
    const last = history.at(-1);
    const strip = el('span', { class: 'strip', attrs: { 'data-testid': 'check-history' } });
    for (const h of history.slice(-MAX_HISTORY_MARKS)) {
      strip.append(el('span', { class: `mark ${h.ok ? 'ok' : 'bad'}`, title: `${clock(h.at)} ${h.ok ? 'ok' : 'failed'} in ${h.ms} ms${h.detail ? `: ${h.detail}` : ''}` }));
    }
    const st = ['ok', 'failed'].includes(c.status) ? c.status : 'unknown';
    return el(
      'tr',
      { attrs: { 'data-testid': 'check-row', 'data-check': c.name, 'data-status': c.status } },
      el('td', { class: 'name' }, String(c.name)),
      el('td', { class: 'muted' }, String(c.type ?? '')),
      el('td', {}, el('span', { class: `badge check-${st}`, title: `streak ${c.streak ?? 0}${c.value !== null && c.value !== undefined ? `, value ${c.value}` : ''}` }, String(c.status ?? '?'))),
      el('td', { class: 'detail', title: last?.detail ?? '' }, last ? `${last.detail ?? ''} (${last.ms} ms, ${ago(last.at)})` : el('span', { class: 'muted' }, 'no result yet')),
      el('td', {}, strip),
    );
  });
  replaceRows($('checks-body'), rows, state.status ? $('checks-empty') : null);
}

/** What an event says, in words (as the agent's log line, src/runtime/event-log.ts). */
function describe(e) {
  switch (e.type) {
    case 'role':
      return { subject: e.group, text: `${e.from} → ${e.to} (${e.reason}) term ${e.term}, priority ${e.priority}` };
    case 'master':
      return { subject: e.group, text: `master ${e.from ?? 'none'} → ${e.to ?? 'none'} at term ${e.term}` };
    case 'provider':
      return { subject: e.group, text: `provider ${e.op} at term ${e.term}: ${e.outcome} in ${e.ms} ms${e.error ? ` (${e.error})` : ''}` };
    case 'check':
      return { subject: e.check, text: `${e.status}${e.detail ? ` (${e.detail})` : ''}` };
    case 'member':
      return { subject: e.id, text: `${e.from} → ${e.to}` };
    case 'maintenance':
      return { subject: e.group, text: e.on ? 'maintenance on: draining, held out of the election' : 'maintenance off: back in the election' };
    case 'promote':
      return { subject: e.group, text: e.until === null || e.until === undefined ? 'promote ended' : `promoted by ${e.by} until ${new Date(e.until).toLocaleTimeString()}` };
    case 'reload':
      return { subject: '', text: `reload ${e.outcome}: ${e.summary}` };
    default: {
      const { seq: _s, at: _a, type: _t, ...rest } = e;
      return { subject: '', text: JSON.stringify(rest) };
    }
  }
}

function eventClass(e) {
  if (e.type === 'role') return `role-${cls(e.to)}`;
  if (e.type === 'master') return 'move';
  if (e.type === 'provider') return e.outcome === 'ok' ? 'ok' : 'bad';
  if (e.type === 'member') return `member-${cls(e.to)}`;
  if (e.type === 'check') return e.status === 'ok' ? 'ok' : e.status === 'failed' ? 'bad' : 'muted';
  return 'info';
}

function renderEvents() {
  const rows = state.events.map((e) => {
    const d = describe(e);
    return el(
      'tr',
      { attrs: { 'data-testid': 'event-row', 'data-type': e.type, 'data-seq': e.seq } },
      el('td', { class: 'mono time', title: new Date(e.at).toLocaleString() }, clock(e.at)),
      el('td', {}, el('span', { class: `badge type ${eventClass(e)}` }, String(e.type))),
      el('td', { class: 'name' }, String(d.subject ?? '')),
      el('td', { class: 'detail' }, String(d.text ?? '')),
    );
  });
  replaceRows($('events-body'), rows, $('events-empty'));
}

/**
 * The chart's span: the last 5 minutes, or since the agent started when that is shorter (at
 * least 10 s), so that a young agent's first failover is not a sliver at the right edge.
 */
function windowMs() {
  const started = state.status?.node?.startedAt;
  const up = typeof started === 'number' ? serverNow() - started : WINDOW_MS;
  return Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, Math.ceil((up * 1.05) / 1000) * 1000));
}

// The swimlane: one lane per group, this node's role as coloured segments, events as ticks.
function renderTimeline() {
  const root = $('timeline');
  const groups = (state.status?.groups ?? []).map((g) => g.name);
  for (const name of state.lanes.keys()) if (!groups.includes(name)) groups.push(name);
  const width = Math.max(320, Math.round(root.parentElement?.clientWidth || 900));
  const labelW = 110;
  const laneH = 22;
  const gap = 8;
  const top = 8;
  const axisH = 20;
  const height = top + Math.max(1, groups.length) * (laneH + gap) + axisH;
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  const now = serverNow();
  const span = windowMs();
  const t0 = now - span;
  const plotW = width - labelW - 12;
  const x = (t) => labelW + ((Math.min(now, Math.max(t0, t)) - t0) / span) * plotW;
  const parts = [];

  // Grid: five lines across the window, labelled with how long ago.
  for (let m = 0; m <= 5; m++) {
    const gx = labelW + (plotW * (5 - m)) / 5;
    parts.push(svg('line', { x1: gx, x2: gx, y1: top - 4, y2: height - axisH + 2, class: 'grid-line' }));
    parts.push(svg('text', { x: gx, y: height - 6, class: 'axis', 'text-anchor': m === 0 ? 'end' : m === 5 ? 'start' : 'middle' }, m === 0 ? 'now' : `−${duration((span * m) / 5000)}`));
  }

  if (groups.length === 0) {
    parts.push(svg('text', { x: labelW, y: top + laneH / 2 + 4, class: 'axis' }, 'no groups'));
  }

  groups.forEach((name, i) => {
    const y = top + i * (laneH + gap);
    const label = svg('text', { x: labelW - 8, y: y + laneH / 2 + 4, class: 'lane-label', 'text-anchor': 'end' }, name);
    parts.push(label);
    parts.push(svg('rect', { x: labelW, y, width: plotW, height: laneH, class: 'lane-bg', rx: 3 }));
    const lane = state.lanes.get(name) ?? [];
    lane.forEach((seg, j) => {
      const end = lane[j + 1]?.at ?? now;
      if (end < t0) return;
      const x1 = x(seg.at);
      const x2 = x(end);
      const rect = svg('rect', {
        x: x1, y, width: Math.max(1, x2 - x1), height: laneH,
        class: `seg role-${cls(ROLES.includes(seg.role) ? seg.role : 'Initialize')}`,
        'data-role': seg.role,
      });
      const label = seg.master && seg.role !== 'Master' ? `${seg.role} · ${seg.master}` : seg.role;
      rect.append(svg('title', {}, `${name}: ${label} from ${clock(seg.at)}${lane[j + 1] ? ` to ${clock(end)}` : ' (now)'}`));
      parts.push(rect);
      if (x2 - x1 > 7 * label.length + 12) parts.push(svg('text', { x: x1 + 6, y: y + laneH / 2 + 4, class: 'seg-label' }, label));
    });
    for (const e of state.events) {
      if (e.group !== name || e.at < t0) continue;
      const tx = x(e.at);
      const tick = svg('line', { x1: tx, x2: tx, y1: y - 3, y2: y + laneH + 3, class: `tick tick-${cls(e.type)}`, 'data-type': e.type });
      tick.append(svg('title', {}, `${clock(e.at)} ${e.type}: ${describe(e).text}`));
      parts.push(tick);
    }
  });
  root.replaceChildren(...parts);
}

function render() {
  renderNode();
  renderGroups();
  renderMembers();
  renderChecks();
  renderEvents();
  renderTimeline();
}

// ---------------------------------------------------------------- start

async function start() {
  setLive(false, 'connecting');
  try {
    const [status, events] = await Promise.all([getJson('/v1/status'), getJson(`/v1/events?since=0&limit=500`).catch(() => ({ events: [] }))]);
    // Oldest first from the agent; the lanes are built in time order.
    for (const e of events.events ?? []) addEvent(e);
    setStatus(status);
    showError('');
  } catch (err) {
    showError(`Cannot read the agent's status: ${err instanceof Error ? err.message : String(err)}${token ? '' : ' (if this listener needs a token, open the page with ?token=…)'}`);
  }
  connect();
  // The chart scrolls and the "ago" times move even when nothing happens.
  setInterval(() => {
    renderUptime();
    renderTimeline();
  }, 1000);
  setInterval(() => {
    if (state.status) {
      renderMembers();
      renderChecks();
    }
  }, 5000);
  window.addEventListener('resize', renderTimeline);
}

void start();
