// Promotion dashboard: plain JavaScript, no build step, no dependencies.
// Polls every 2 s, and every request is bounded: the overview reads /api/stats and one page of
// campaigns; a campaign page reads the campaign, its rate history, a bucketed summary of all its
// shards and only the window of shards on screen. Nothing fetches every campaign or every shard.
'use strict';

const POLL_MS = 2000;
const PAGE_SIZE = 20;
const SHARD_WINDOW = 500;
const BUCKETS = 100;
const OPTIONAL_EVERY = 5; // ticks between probes of endpoints that may not exist yet
const KNOWN_SECTIONS = ['at', 'host', 'campaigns', 'shards', 'throughput', 'nodes', 'queues', 'couponCampaigns', 'hotGoodsSchedules'];

const fmt = new Intl.NumberFormat('en-US');
const fmt1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const $ = (sel, root = document) => root.querySelector(sel);

const state = {
  route: null,
  tick: 0,
  timer: null,
  busy: false,
  overview: { page: 1, status: '' },
  campaign: { id: null, from: 0, selected: null },
  optional: {}, // path -> { missing: bool, checkedAt: tick, data }
  segments: null,
};

// ---------- helpers ----------
function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
function num(v) { return v === null || v === undefined ? '–' : fmt.format(v); }
function rate(v) { return v === null || v === undefined ? '–' : fmt1.format(v); }
function pct(part, whole) { return whole > 0 ? Math.min(100, (100 * part) / whole) : 0; }
function duration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '–';
  seconds = Math.max(0, Math.round(seconds));
  if (seconds < 60) return seconds + ' s';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
  return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
}
function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
function relative(iso) {
  if (!iso) return '–';
  const s = (new Date(iso).getTime() - Date.now()) / 1000;
  return s >= 0 ? 'in ' + duration(s) : duration(-s) + ' ago';
}
function badge(status) { return `<span class="badge ${esc(String(status).replace(/\s+/g, ''))}">${esc(status)}</span>`; }
function isTerminal(status) { return status === 'Completed' || status === 'Cancelled' || status === 'Failed'; }
function processed(c) { return (c.sent || 0) + (c.failed || 0) + (c.skipped || 0); }
function progressBar(c, big) {
  const done = processed(c);
  const p = c.status === 'Completed' ? 100 : pct(done, c.audienceSize);
  const label = c.audienceSize > 0 || c.status === 'Completed' ? Math.floor(p) + ' %' : c.status === 'Pending' ? 'waiting' : c.status === 'Planning' ? 'planning' : '0 %';
  return `<div class="progress ${big ? 'big ' : ''}${esc(c.status)}" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.floor(p)}"
    data-testid="progress-${esc(c.id)}" title="${num(done)} of ${num(c.audienceSize)} members">
    <div class="fill" style="width:${p.toFixed(2)}%"></div><span>${label}</span></div>`;
}

class ApiError extends Error {
  constructor(status, problem, path) {
    super((problem && (problem.title || problem.detail)) || `HTTP ${status} from ${path}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, options = {}) {
  const headers = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method: options.method || 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeout || 10000),
  });
  // The operator session ended (expired, or the key was removed): reloading shows the sign-in page.
  if (res.status === 401) { location.reload(); throw new ApiError(401, null, path); }
  if (options.raw) {
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null), path);
    return res;
  }
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, body, path);
  return body;
}

// An endpoint another part of the engine may not have yet: read every tick once it answers; while it
// answers 404 (or fails) it is probed only every few ticks, and the view says "none yet".
async function optional(path) {
  const o = state.optional[path];
  if (o && (o.missing || o.error) && state.tick - o.checkedAt < OPTIONAL_EVERY) return o;
  try {
    const data = await api(path);
    state.optional[path] = { missing: false, checkedAt: state.tick, data };
  } catch (e) {
    state.optional[path] = { missing: e.status === 404 || e.status === 405, checkedAt: state.tick, error: e.status === 404 || e.status === 405 ? null : e.message, data: null };
  }
  return state.optional[path];
}

function items(section) {
  if (!section) return [];
  if (Array.isArray(section)) return section;
  return section.items || [];
}

// ---------- live indicator, banners ----------
function setLive(ok, message) {
  const live = $('#live');
  live.classList.toggle('ok', ok);
  live.classList.toggle('bad', !ok);
  live.querySelector('span').textContent = ok ? 'live · ' + new Date().toLocaleTimeString('en-GB') : 'stale: ' + (message || 'no answer');
}
function showError(message) {
  const b = $('#error-banner');
  b.textContent = message || '';
  b.classList.toggle('hidden', !message);
}

// ---------- charts (canvas, no library) ----------
function drawChart(canvas, series, options = {}) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return;
  canvas.width = w * dpr; canvas.height = h * dpr;
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  const pad = { l: 48, r: 10, t: 10, b: 22 };
  const all = series.flatMap(s => s.points);
  const now = Date.now();
  const t1 = all.length ? Math.max(...all.map(p => p.t)) : now;
  const t0 = Math.min(all.length ? Math.min(...all.map(p => p.t)) : now, t1 - (options.minSpanMs || 60000));
  let vmax = Math.max(1, ...all.map(p => p.v), options.limit || 0);
  vmax = niceCeil(vmax * 1.12);
  const x = t => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (w - pad.l - pad.r);
  const y = v => h - pad.b - (v / vmax) * (h - pad.t - pad.b);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#8595a8';
  g.strokeStyle = '#263242';
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = (vmax * i) / 4, yy = Math.round(y(v)) + 0.5;
    g.beginPath(); g.moveTo(pad.l, yy); g.lineTo(w - pad.r, yy); g.stroke();
    g.fillText(fmt1.format(v), 4, yy + 4);
  }
  const span = t1 - t0;
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (span * i) / 4;
    const label = new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    g.fillText(label, Math.min(w - pad.r - 48, Math.max(pad.l, x(t) - 24)), h - 6);
  }
  if (options.limit) {
    g.save(); g.setLineDash([5, 4]); g.strokeStyle = '#e5534b'; g.lineWidth = 1.5;
    g.beginPath(); g.moveTo(pad.l, y(options.limit)); g.lineTo(w - pad.r, y(options.limit)); g.stroke(); g.restore();
  }
  for (const s of series) {
    if (!s.points.length) continue;
    g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
    s.points.forEach((p, i) => (i ? g.lineTo(x(p.t), y(p.v)) : g.moveTo(x(p.t), y(p.v))));
    g.stroke();
    if (s.fill) {
      g.lineTo(x(s.points[s.points.length - 1].t), y(0)); g.lineTo(x(s.points[0].t), y(0)); g.closePath();
      g.fillStyle = s.fill; g.fill();
    }
  }
  if (!all.length) { g.fillStyle = '#8595a8'; g.fillText('collecting samples…', pad.l + 10, pad.t + 16); }
}
function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
function toSeries(points, field) { return (points || []).map(p => ({ t: new Date(p.at).getTime(), v: p[field] || 0 })); }

// ---------- router ----------
function parseRoute() {
  const h = location.hash.replace(/^#/, '') || '/';
  const m = h.match(/^\/campaigns\/([0-9a-fA-F-]{36})(?:\/(shards|failures))?$/);
  if (m) return { name: 'campaign', id: m[1], tab: m[2] || 'shards' };
  return { name: 'overview' };
}
function navigate() {
  const route = parseRoute();
  const changed = !state.route || state.route.name !== route.name || state.route.id !== route.id;
  state.route = route;
  if (changed) {
    if (route.name === 'campaign') { state.campaign = { id: route.id, from: 0, selected: null }; renderCampaignShell(); }
    else renderOverviewShell();
  } else if (route.name === 'campaign') {
    showTab(route.tab);
  }
  poll();
}
window.addEventListener('hashchange', navigate);

async function poll() {
  clearTimeout(state.timer);
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  const started = Date.now();
  try {
    if (state.route.name === 'campaign') await refreshCampaign();
    else await refreshOverview();
    setLive(true);
    showError('');
  } catch (e) {
    setLive(false, e.message);
    if (e.status !== 401) showError(e.message);
  } finally {
    state.busy = false;
    state.tick++;
    const again = state.again; state.again = false;
    state.timer = setTimeout(poll, again ? 0 : Math.max(0, POLL_MS - (Date.now() - started)));
  }
}

// ---------- overview ----------
function renderOverviewShell() {
  $('#view').innerHTML = `
  <section class="tiles" data-testid="tiles">
    <div class="tile"><div class="label">Sends / s</div><div class="value" id="t-sends">–</div><div class="sub" id="t-members">–</div></div>
    <div class="tile"><div class="label">Campaigns running</div><div class="value" id="t-running">–</div><div class="sub" id="t-campaigns">–</div></div>
    <div class="tile"><div class="label">Open shards</div><div class="value" id="t-shards">–</div><div class="sub" id="t-shards-sub">–</div></div>
    <div class="tile"><div class="label">Hosts alive</div><div class="value" id="t-nodes">–</div><div class="sub" id="t-nodes-sub">–</div></div>
    <div class="tile"><div class="label">Queued messages</div><div class="value" id="t-queued">–</div><div class="sub" id="t-queued-sub">–</div></div>
  </section>
  <section class="panel">
    <div class="panel-head"><h2>Cluster throughput</h2><span class="spacer"></span>
      <div class="legend"><span><i style="background:#3fa0ff"></i>sends/s</span><span><i style="background:#2fb37a"></i>members/s</span></div></div>
    <canvas class="chart small" id="cluster-chart" data-testid="cluster-chart"></canvas>
  </section>
  <section class="panel" id="campaigns-panel" data-testid="campaigns-panel">
    <div class="panel-head"><h2>Campaigns</h2>
      <select id="status-filter" aria-label="Filter by status" data-testid="status-filter">
        <option value="">all statuses</option>${['Pending', 'Planning', 'Running', 'Paused', 'Completed', 'Cancelled', 'Failed'].map(s => `<option>${s}</option>`).join('')}
      </select>
      <span class="spacer"></span>
      <button type="button" id="new-campaign" data-testid="new-campaign">New campaign</button>
    </div>
    <div id="campaigns-table"></div>
    <div class="pager" id="campaigns-pager"></div>
  </section>
  <div class="grid-2">
    <section class="panel" id="coupons-panel" data-testid="coupons-panel"><div class="panel-head"><h2>Coupon campaigns</h2></div><div id="coupons"></div></section>
    <section class="panel" id="schedules-panel" data-testid="schedules-panel"><div class="panel-head"><h2>Hot-goods schedules</h2></div><div id="schedules"></div></section>
  </div>
  <div class="grid-2">
    <section class="panel" id="nodes-panel" data-testid="nodes-panel"><div class="panel-head"><h2>Hosts</h2><span class="spacer"></span><span class="muted" id="nodes-sub"></span></div><div id="nodes"></div></section>
    <section class="panel" id="queues-panel" data-testid="queues-panel"><div class="panel-head"><h2>Queues</h2></div><div id="queues"></div></section>
  </div>
  <div id="other-sections"></div>`;
  $('#status-filter').value = state.overview.status;
  $('#status-filter').addEventListener('change', e => { state.overview.status = e.target.value; state.overview.page = 1; poll(); });
  $('#new-campaign').addEventListener('click', openCreateDialog);
  $('#campaigns-pager').addEventListener('click', e => {
    const b = e.target.closest('button[data-page]');
    if (b) { state.overview.page = Number(b.dataset.page); poll(); }
  });
}

async function refreshOverview() {
  const o = state.overview;
  const query = `/api/campaigns?page=${o.page}&pageSize=${PAGE_SIZE}` + (o.status ? `&status=${encodeURIComponent(o.status)}` : '');
  const [stats, page] = await Promise.all([api('/api/stats'), api(query)]);
  if (state.route.name !== 'overview') return;
  renderHost(stats.host);
  renderTiles(stats);
  const points = (stats.throughput && stats.throughput.points) || [];
  drawChart($('#cluster-chart'), [
    { color: '#3fa0ff', fill: 'rgba(63,160,255,.12)', points: toSeries(points, 'sendsPerSecond') },
    { color: '#2fb37a', points: toSeries(points, 'membersPerSecond') },
  ], { minSpanMs: 60000 });
  const live = new Map(((stats.campaigns && stats.campaigns.live) || []).map(c => [c.id, c]));
  renderCampaignTable(page, live);
  await renderCoupons(stats.couponCampaigns);
  await renderSchedules(stats.hotGoodsSchedules);
  renderNodes(stats.nodes);
  renderQueues(stats.queues);
  renderOtherSections(stats);
}

function renderHost(host) {
  if (!host) return;
  $('#host-info').textContent = `${host.profile} · ${host.roles.join(', ')} · ${host.nodeId}${host.telemetry && host.telemetry.otlp ? ' · OTLP on' : ''}`;
  $('#signout-form').classList.toggle('hidden', !host.signIn);
}

function renderTiles(stats) {
  const c = stats.campaigns || {}, s = stats.shards || {}, n = stats.nodes || {}, q = stats.queues;
  $('#t-sends').textContent = rate(c.sendsPerSecond);
  $('#t-members').textContent = rate(c.membersPerSecond) + ' members/s';
  $('#t-running').textContent = num((c.byStatus || {}).Running || 0);
  $('#t-campaigns').textContent = `${num(c.total)} in total · ${num((c.byStatus || {}).Paused || 0)} paused`;
  $('#t-shards').textContent = num((s.running || 0) + (s.pending || 0));
  $('#t-shards-sub').textContent = `${num(s.running)} running · ${num(s.pending)} pending · ${num(s.failed)} failed`;
  $('#t-nodes').textContent = num(n.alive);
  $('#t-nodes-sub').textContent = `${num(n.workers)} workers`;
  $('#t-queued').textContent = q ? (q.total === null || q.total === undefined ? 'unknown' : num(q.total)) : '–';
  $('#t-queued-sub').textContent = q ? `${items(q).length} queues` : 'none yet';
}

function renderCampaignTable(page, live) {
  const el = $('#campaigns-table');
  if (!page.items.length) {
    el.innerHTML = `<div class="empty">${state.overview.status ? 'No campaign with this status.' : 'No campaigns yet: create one.'}</div>`;
  } else {
    el.innerHTML = `<table data-testid="campaigns-table"><thead><tr>
      <th>Name</th><th>Status</th><th>Progress</th><th class="num">Audience</th><th class="num">Sent</th><th class="num">Failed</th><th class="num">Skipped</th>
      <th class="num">Sends/s</th><th class="num">Limit</th><th class="num">ETA</th><th>Priority</th><th>Created</th></tr></thead><tbody>
      ${page.items.map(c => {
        const l = live.get(c.id);
        return `<tr data-testid="campaign-row" data-id="${esc(c.id)}">
        <td class="name"><a href="#/campaigns/${esc(c.id)}" title="${esc(c.name)}">${esc(c.name)}</a>${c.kind !== 'Push' ? ` <span class="muted">${esc(c.kind)}</span>` : ''}</td>
        <td>${badge(c.status)}</td>
        <td>${progressBar(c)}</td>
        <td class="num">${num(c.audienceSize)}</td><td class="num">${num(c.sent)}</td><td class="num">${num(c.failed)}</td><td class="num">${num(c.skipped)}</td>
        <td class="num">${l ? rate(l.sendsPerSecond) : isTerminal(c.status) ? '–' : '0'}</td>
        <td class="num">${c.maxSendsPerSecond ? num(c.maxSendsPerSecond) : '<span class="muted">none</span>'}</td>
        <td class="num">${l && l.etaSeconds != null ? duration(l.etaSeconds) : '–'}</td>
        <td>${esc(c.priority)}</td><td class="muted">${when(c.createdAt)}</td></tr>`;
      }).join('')}</tbody></table>`;
  }
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  $('#campaigns-pager').innerHTML = `<span data-testid="campaigns-total">${num(page.total)} campaign${page.total === 1 ? '' : 's'} · page ${page.page} of ${num(pages)}</span>
    <button class="ghost small" data-page="1" ${page.page <= 1 ? 'disabled' : ''}>«</button>
    <button class="ghost small" data-page="${page.page - 1}" ${page.page <= 1 ? 'disabled' : ''} data-testid="page-prev">‹ newer</button>
    <button class="ghost small" data-page="${page.page + 1}" ${page.page >= pages ? 'disabled' : ''} data-testid="page-next">older ›</button>
    <button class="ghost small" data-page="${pages}" ${page.page >= pages ? 'disabled' : ''}>»</button>`;
}

// Coupon campaigns: the stats section "couponCampaigns" (issue 4); failing that, the list endpoint; else "none yet".
async function renderCoupons(section) {
  const el = $('#coupons');
  let list = section ? items(section) : null, note = '';
  if (section && section.error) { el.innerHTML = `<div class="empty">unavailable: ${esc(section.error)}</div>`; return; }
  if (!section) {
    const o = await optional('/api/coupon-campaigns?page=1&pageSize=10');
    if (o.missing || !o.data) { el.innerHTML = `<div class="empty" data-testid="coupons-none">none yet${o.error ? ' (' + esc(o.error) + ')' : ''}</div>`; return; }
    list = items(o.data); note = 'newest 10 of ' + num(o.data.total ?? list.length);
  } else if (section.total !== undefined) {
    note = `${num(section.total)} campaigns · ${num(section.issued ?? list.reduce((a, c) => a + (c.issued || 0), 0))} coupons issued`;
  }
  if (!list.length) { el.innerHTML = `<div class="empty" data-testid="coupons-none">none yet</div>`; return; }
  el.innerHTML = `<table data-testid="coupons-table"><thead><tr><th>Name</th><th>Status</th><th class="num">Issued</th><th class="num">Stock left</th><th>Stock</th><th>Valid</th></tr></thead><tbody>
    ${list.map(c => {
      const left = c.stockLeft;
      const stock = left === null || left === undefined ? null : (c.stock ?? (c.issued || 0) + left);
      const segment = c.segment || (c.audience && c.audience.segment);
      return `<tr><td class="name">${esc(c.name)}${segment ? ` <span class="muted">${esc(segment)}</span>` : ''}</td><td>${badge(c.status || '–')}</td>
      <td class="num">${num(c.issued)}</td><td class="num">${left === null || left === undefined ? '<span class="muted">unlimited</span>' : num(left)}</td>
      <td>${stock ? `<div class="progress" style="min-width:90px"><div class="fill" style="width:${pct(c.issued || 0, stock).toFixed(1)}%"></div><span>${Math.floor(pct(c.issued || 0, stock))} %</span></div>` : ''}</td>
      <td class="muted">${when(c.validFrom)} → ${when(c.validTo)}</td></tr>`;
    }).join('')}</tbody></table>${note ? `<div class="pager">${note}</div>` : ''}`;
}

// Hot-goods schedules: the stats section "hotGoodsSchedules" (issue 5); failing that, the list endpoint; else "none yet".
async function renderSchedules(section) {
  const el = $('#schedules');
  let list = section ? items(section) : null;
  if (section && section.error) { el.innerHTML = `<div class="empty">unavailable: ${esc(section.error)}</div>`; return; }
  if (!section) {
    const o = await optional('/api/hot-goods-schedules');
    if (o.missing || !o.data) { el.innerHTML = `<div class="empty" data-testid="schedules-none">none yet${o.error ? ' (' + esc(o.error) + ')' : ''}</div>`; return; }
    list = items(o.data);
  }
  if (!list.length) { el.innerHTML = `<div class="empty" data-testid="schedules-none">none yet</div>`; return; }
  list = list.map(s => (s.schedule ? { ...s.schedule, nextFireTime: s.nextFireTime } : s));
  el.innerHTML = `<table data-testid="schedules-table"><thead><tr><th>Segment</th><th>Cron</th><th class="num">Top</th><th>Status</th><th>Next fire</th><th>Last fire</th><th>Follow-up</th></tr></thead><tbody>
    ${list.map(s => {
      const next = s.nextFireTime || s.nextFireAt || s.nextFire;
      const last = s.lastFireTime || s.lastFiredAt || s.lastFireAt;
      return `<tr><td>${esc(s.segment)}</td><td class="mono">${esc(s.cron)}${s.timeZone ? ` <span class="muted">${esc(s.timeZone)}</span>` : ''}</td>
      <td class="num">${num(s.topK)}</td><td>${badge(s.status || '–')}</td>
      <td title="${esc(next || '')}">${next ? `${when(next)} <span class="muted">(${relative(next)})</span>` : '<span class="muted">–</span>'}</td>
      <td class="muted" data-testid="schedule-last-fire">${last ? `${when(last)}${s.lastOutcome ? ' · ' + esc(s.lastOutcome) : ''}${s.lastCampaignId ? ` · <a href="#/campaigns/${esc(s.lastCampaignId)}">campaign</a>` : ''}` : '–'}</td>
      <td>${s.followUp ? esc(s.followUp.name) : '<span class="muted">–</span>'}</td></tr>`;
    }).join('')}</tbody></table>`;
}

function renderNodes(section) {
  const el = $('#nodes');
  if (!section || section.error) { el.innerHTML = `<div class="empty">${section ? 'unavailable: ' + esc(section.error) : 'none yet'}</div>`; return; }
  $('#nodes-sub').innerHTML = 'Orleans membership · <a href="dashboard/" target="_blank" rel="noopener">Orleans Dashboard</a>';
  if (!section.items.length) { el.innerHTML = '<div class="empty">no live host</div>'; return; }
  el.innerHTML = `<table data-testid="nodes-table"><thead><tr><th>Silo</th><th>Status</th><th>Roles</th><th>Started</th><th class="num">In-flight sends</th><th class="num">Shards working</th><th>Shards</th><th class="num">Sends/s</th></tr></thead><tbody>
    ${section.items.map(n => `<tr><td class="mono" title="${esc(n.address)}">${esc(n.nodeId)}</td><td>${badge(n.status)}</td><td>${esc(n.roles.join(', '))}</td>
      <td class="muted">${relative(n.startedAt)}</td><td class="num">${num(n.inFlightSends)}</td><td class="num">${num(n.shardsWorking)}</td>
      <td class="mono" data-testid="node-shards">${nodeShards(n)}</td><td class="num">${rate(n.sendsPerSecond)}</td></tr>`).join('')}
    </tbody></table>`;
}

// The shards a silo works, grouped by campaign: "3f2a1b0c #0 #4 #7", each campaign linking to its page.
function nodeShards(n) {
  const shards = n.shards || [];
  if (!shards.length) return '<span class="muted">–</span>';
  const byCampaign = new Map();
  for (const s of shards) (byCampaign.get(s.campaignId) || byCampaign.set(s.campaignId, []).get(s.campaignId)).push(s.shardNo);
  const listed = [...byCampaign].map(([id, nos]) => `<a href="#/campaigns/${esc(id)}/shards" title="${esc(id)}">${esc(id.slice(0, 8))}</a> ${nos.map(no => '#' + no).join(' ')}`);
  const more = n.shardsWorking > shards.length ? ` <span class="muted">+${num(n.shardsWorking - shards.length)} more</span>` : '';
  return listed.join('<br>') + more;
}

function renderQueues(section) {
  const el = $('#queues');
  if (!section || section.error) { el.innerHTML = `<div class="empty">${section ? 'unavailable: ' + esc(section.error) : 'none yet'}</div>`; return; }
  const list = items(section);
  // One note shared by every queue (the in-memory transport) is said once, under the table.
  const notes = [...new Set(list.map(q => q.note || ''))];
  const shared = notes.length === 1 ? notes[0] : '';
  el.innerHTML = `<table data-testid="queues-table"><thead><tr><th>Queue</th><th class="num">Messages</th><th class="num">Consumers</th>${shared ? '' : '<th></th>'}</tr></thead><tbody>
    ${list.map(q => `<tr><td class="mono">${esc(q.name)}</td><td class="num">${q.messages === null ? '<span class="muted">unknown</span>' : num(q.messages)}</td>
      <td class="num">${q.consumers === null ? '<span class="muted">unknown</span>' : num(q.consumers)}</td>${shared ? '' : `<td class="muted">${esc(q.note || '')}</td>`}</tr>`).join('')}
    </tbody></table>${shared ? `<div class="pager">${esc(shared)}</div>` : ''}`;
}

// Sections added later by other parts of the engine show up here until they get a view of their own.
function renderOtherSections(stats) {
  const extra = Object.keys(stats).filter(k => !KNOWN_SECTIONS.includes(k));
  $('#other-sections').innerHTML = extra.map(k => `<section class="panel" data-testid="section-${esc(k)}"><div class="panel-head"><h2>${esc(k)}</h2></div>${kv(stats[k])}</section>`).join('');
}
function kv(value) {
  if (value === null || typeof value !== 'object') return `<div>${esc(value)}</div>`;
  const rows = Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object');
  const lists = Object.entries(value).filter(([, v]) => Array.isArray(v));
  return `<table><tbody>${rows.map(([k, v]) => `<tr><td class="muted">${esc(k)}</td><td class="num">${typeof v === 'number' ? num(v) : esc(v)}</td></tr>`).join('')}
    ${lists.map(([k, v]) => `<tr><td class="muted">${esc(k)}</td><td class="num">${num(v.length)} items</td></tr>`).join('')}</tbody></table>`;
}

// ---------- create campaign ----------
async function openCreateDialog() {
  const dialog = $('#create-dialog');
  $('#create-error').textContent = '';
  dialog.querySelectorAll('.field-error').forEach(e => e.remove());
  if (!state.segments) {
    try {
      state.segments = (await api('/api/segments')).items || [];
      $('#create-form select[name=segment]').innerHTML = '<option value="">Everyone</option>' + state.segments.map(s => `<option>${esc(s)}</option>`).join('');
    } catch { state.segments = null; }
  }
  dialog.showModal();
  $('#create-form input[name=name]').focus();
}
$('#create-cancel').addEventListener('click', () => $('#create-dialog').close());
$('#create-form').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.target, data = new FormData(form);
  const intOrNull = v => (v === '' || v === null ? null : Number(v));
  const body = {
    name: data.get('name'),
    audience: data.get('segment') ? { segment: data.get('segment') } : {},
    message: { title: data.get('title'), body: data.get('body') },
    channels: data.getAll('channels'),
    priority: data.get('priority'),
    shardSize: intOrNull(data.get('shardSize')),
    maxSendsPerSecond: intOrNull(data.get('maxSendsPerSecond')),
  };
  form.querySelectorAll('.field-error').forEach(x => x.remove());
  $('#create-submit').disabled = true;
  try {
    const created = await api('/api/campaigns', { method: 'POST', body });
    $('#create-dialog').close();
    form.reset();
    location.hash = '#/campaigns/' + created.id;
  } catch (err) {
    $('#create-error').textContent = err.message;
    const errors = (err.problem && err.problem.errors) || {};
    for (const [field, messages] of Object.entries(errors)) {
      const name = { 'audience.segment': 'segment', 'message.title': 'title', 'message.body': 'body' }[field] || field;
      const input = form.querySelector(`[name="${name}"]`);
      const host = input ? (input.closest('label') || input.closest('fieldset')) : null;
      if (host) host.insertAdjacentHTML('beforeend', `<span class="field-error">${esc(messages.join(' '))}</span>`);
    }
  } finally {
    $('#create-submit').disabled = false;
  }
});

// ---------- campaign page ----------
function renderCampaignShell() {
  const id = state.campaign.id;
  $('#view').innerHTML = `
  <div class="crumbs"><a href="#/">← Campaigns</a></div>
  <section class="panel">
    <div class="title-row"><h1 id="c-name" data-testid="campaign-name">…</h1><span id="c-status" data-testid="campaign-status"></span>
      <div class="actions">
        <button class="warn" id="c-pause" data-testid="pause" disabled>Pause</button>
        <button class="ok" id="c-resume" data-testid="resume" disabled>Resume</button>
        <button class="danger" id="c-cancel" data-testid="cancel" disabled>Cancel</button>
        <button class="ghost" id="c-retry" data-testid="retry-failed" disabled title="Send again to the members that failed">Retry failed</button>
      </div></div>
    <div class="meta" id="c-meta"></div>
    <div id="c-progress"></div>
    <div class="counts" id="c-counts"></div>
  </section>
  <section class="tiles">
    <div class="tile"><div class="label">Sends / s</div><div class="value" id="c-sends" data-testid="campaign-sends-rate">–</div><div class="sub" id="c-limit">–</div></div>
    <div class="tile"><div class="label">Members / s</div><div class="value" id="c-members">–</div><div class="sub">checkpointed</div></div>
    <div class="tile"><div class="label">Time left</div><div class="value" id="c-eta">–</div><div class="sub" id="c-started">–</div></div>
    <div class="tile"><div class="label">Shards done</div><div class="value" id="c-shards">–</div><div class="sub" id="c-shards-sub">–</div></div>
  </section>
  <section class="panel">
    <div class="panel-head"><h2>Send rate against the limit</h2><span class="spacer"></span>
      <div class="legend"><span><i style="background:#3fa0ff"></i>sends/s (sender calls, cluster-wide)</span><span><i style="background:#2fb37a"></i>members/s</span><span id="c-limit-legend"><i class="dash"></i>limit</span></div></div>
    <canvas class="chart" id="c-chart" data-testid="rate-chart"></canvas>
  </section>
  <section class="panel">
    <nav class="tabs"><a href="#/campaigns/${id}/shards" data-tab="shards" data-testid="tab-shards">Shards</a><a href="#/campaigns/${id}/failures" data-tab="failures" data-testid="tab-failures">Failures</a></nav>
    <div id="tab-shards">
      <div class="counts" id="s-counts"></div>
      <div class="strip" id="s-strip" data-testid="shard-strip" title="All shards in ${BUCKETS} runs; click to show that part"></div>
      <div class="panel-head"><span class="muted" id="s-window" data-testid="shard-window"></span><span class="spacer"></span>
        <button class="ghost small" id="s-first">«</button><button class="ghost small" id="s-prev" data-testid="shards-prev">‹ prev</button>
        <button class="ghost small" id="s-next" data-testid="shards-next">next ›</button><button class="ghost small" id="s-last">»</button></div>
      <div class="shard-grid" id="s-grid" data-testid="shard-grid"></div>
      <div class="shard-detail" id="s-detail">Click a shard for its range, cursor and counts.</div>
    </div>
    <div id="tab-failures" class="hidden" data-testid="failures-view">
      <div class="panel-head"><h2>Failures and skips by reason</h2><span class="spacer"></span>
        <div class="downloads"><button class="ghost small" data-report="csv" data-testid="download-csv">Download report (CSV)</button>
        <button class="ghost small" data-report="xlsx" data-testid="download-xlsx">Download report (XLSX)</button></div></div>
      <div id="f-reasons"></div>
    </div>
  </section>`;
  const command = verb => async () => {
    try {
      const result = await api(`/api/campaigns/${id}/${verb}`, { method: 'POST' });
      if (verb === 'retry-failed' && result && result.id) location.hash = '#/campaigns/' + result.id;
      else poll();
    } catch (e) { showError(e.message + (e.problem && e.problem.detail ? ': ' + e.problem.detail : '')); }
  };
  $('#c-pause').addEventListener('click', command('pause'));
  $('#c-resume').addEventListener('click', command('resume'));
  $('#c-cancel').addEventListener('click', () => { if (confirm('Cancel this campaign? Nothing more will be sent.')) command('cancel')(); });
  $('#c-retry').addEventListener('click', command('retry-failed'));
  const move = f => () => { state.campaign.from = f(state.campaign.from, state.campaign.total || 0); poll(); };
  $('#s-first').addEventListener('click', move(() => 0));
  $('#s-prev').addEventListener('click', move(from => Math.max(0, from - SHARD_WINDOW)));
  $('#s-next').addEventListener('click', move((from, total) => (from + SHARD_WINDOW < total ? from + SHARD_WINDOW : from)));
  $('#s-last').addEventListener('click', move((from, total) => Math.max(0, Math.floor((total - 1) / SHARD_WINDOW) * SHARD_WINDOW)));
  $('#s-strip').addEventListener('click', e => {
    const b = e.target.closest('[data-from]');
    if (b) { state.campaign.from = Math.floor(Number(b.dataset.from) / SHARD_WINDOW) * SHARD_WINDOW; poll(); }
  });
  $('#s-grid').addEventListener('click', e => {
    const cell = e.target.closest('[data-shard]');
    if (cell) { state.campaign.selected = Number(cell.dataset.shard); renderShardDetail(); markSelected(); }
  });
  document.querySelectorAll('[data-report]').forEach(b => b.addEventListener('click', () => download(id, b.dataset.report)));
  showTab(state.route.tab);
}

function showTab(tab) {
  document.querySelectorAll('.tabs a').forEach(a => a.classList.toggle('on', a.dataset.tab === tab));
  $('#tab-shards').classList.toggle('hidden', tab !== 'shards');
  $('#tab-failures').classList.toggle('hidden', tab !== 'failures');
}

async function refreshCampaign() {
  const c0 = state.campaign, id = c0.id, tab = state.route.tab;
  const requests = [api(`/api/campaigns/${id}`), api(`/api/campaigns/${id}/throughput`)];
  if (tab === 'shards') {
    requests.push(api(`/api/campaigns/${id}/shards/summary?buckets=${BUCKETS}`));
    requests.push(api(`/api/campaigns/${id}/shards?from=${c0.from}&limit=${SHARD_WINDOW}`));
  } else {
    requests.push(api(`/api/campaigns/${id}/failures/reasons`));
  }
  const [campaign, throughput, a, b] = await Promise.all(requests);
  if (state.route.name !== 'campaign' || state.route.id !== id) return;
  renderCampaignHeader(campaign, throughput);
  if (tab === 'shards') renderShards(campaign, a, b);
  else renderReasons(campaign, a);
}

function renderCampaignHeader(c, t) {
  document.title = c.name + ' · Promotion';
  $('#c-name').textContent = c.name;
  $('#c-status').innerHTML = badge(c.status);
  $('#c-meta').innerHTML = [
    esc(c.kind), 'priority ' + esc(c.priority), 'channels ' + esc(c.channels.join(', ')), c.audience && c.audience.segment ? 'segment ' + esc(c.audience.segment) : 'everyone',
    'shard size ' + num(c.shardSize), 'created ' + when(c.createdAt), c.parentId ? `retry of <a href="#/campaigns/${esc(c.parentId)}">${esc(c.parentId.slice(0, 8))}</a>` : '',
    `<span class="mono">${esc(c.id)}</span>`].filter(Boolean).join(' · ');
  $('#c-progress').innerHTML = progressBar(c, true);
  $('#c-counts').innerHTML = `<span>${num(processed(c))} of ${num(c.audienceSize)} members</span><span>sent <b>${num(c.sent)}</b></span>
    <span>failed <b>${num(c.failed)}</b></span><span>skipped <b>${num(c.skipped)}</b></span>`;
  $('#c-pause').disabled = c.status !== 'Running';
  $('#c-resume').disabled = c.status !== 'Paused';
  $('#c-cancel').disabled = isTerminal(c.status);
  $('#c-retry').disabled = !isTerminal(c.status) || c.failed === 0;
  $('#c-sends').textContent = rate(t.sendsPerSecond);
  $('#c-limit').textContent = t.maxSendsPerSecond ? `limit ${num(t.maxSendsPerSecond)}/s · ${Math.round(pct(t.sendsPerSecond, t.maxSendsPerSecond))} % of it` : 'no limit';
  $('#c-members').textContent = rate(t.membersPerSecond);
  $('#c-eta').textContent = isTerminal(c.status) ? 'ended' : c.status === 'Paused' ? 'paused' : duration(t.etaSeconds);
  $('#c-started').textContent = c.completedAt ? 'ended ' + when(c.completedAt) : c.startedAt ? 'started ' + when(c.startedAt) : 'not started';
  $('#c-shards').textContent = `${num(c.shards.done)} / ${num(c.shards.total)}`;
  $('#c-shards-sub').textContent = `${num(c.shards.running)} running · ${num(c.shards.failed)} failed`;
  $('#c-limit-legend').classList.toggle('hidden', !t.maxSendsPerSecond);
  drawChart($('#c-chart'), [
    { color: '#3fa0ff', fill: 'rgba(63,160,255,.12)', points: toSeries(t.points, 'sendsPerSecond') },
    { color: '#2fb37a', points: toSeries(t.points, 'membersPerSecond') },
  ], { limit: t.maxSendsPerSecond, minSpanMs: 60000 });
}

const STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'];
function renderShards(c, summary, window) {
  const cs = state.campaign;
  cs.total = window.total;
  cs.window = window.items;
  const counts = summary.counts;
  $('#s-counts').innerHTML = STATUSES.map(s => `<span><i class="dot ${s}"></i>${s} <b>${num(counts[s])}</b></span>`).join('') + `<span class="muted">of ${num(counts.total)} shards</span>`;
  const from = window.from, to = from + window.items.length - 1;
  $('#s-strip').innerHTML = summary.buckets.map(b => {
    const n = b.to - b.from + 1;
    const parts = [['cancelled', b.cancelled], ['failed', b.failed], ['pending', b.pending], ['running', b.running], ['done', b.done]];
    const inWindow = b.to >= from && b.from <= Math.max(from, to);
    return `<div class="bucket${inWindow ? ' in-window' : ''}" data-from="${b.from}" title="shards ${b.from}–${b.to}: ${b.done} done, ${b.running} running, ${b.pending} pending, ${b.failed} failed, ${b.cancelled} cancelled">`
      + parts.reverse().filter(([, v]) => v > 0).map(([s, v]) => `<div style="height:${(100 * v) / n}%;background:var(--${s})"></div>`).join('') + '</div>';
  }).join('') || '<div class="empty">no shards yet</div>';
  $('#s-window').textContent = window.total ? `shards ${num(from)}–${num(Math.max(from, to))} of ${num(window.total)}` : 'no shards yet';
  $('#s-prev').disabled = $('#s-first').disabled = from <= 0;
  $('#s-next').disabled = $('#s-last').disabled = from + SHARD_WINDOW >= window.total;
  $('#s-grid').innerHTML = window.items.map(s => `<div class="shard ${s.status.toLowerCase()}" data-shard="${s.shardNo}" title="#${s.shardNo} ${s.status.toLowerCase()}${s.silo ? ' on ' + esc(s.silo) : ''}"></div>`).join('');
  markSelected();
  renderShardDetail();
}
function markSelected() {
  document.querySelectorAll('.shard.selected').forEach(e => e.classList.remove('selected'));
  const sel = state.campaign.selected;
  if (sel !== null) { const cell = document.querySelector(`[data-shard="${sel}"]`); if (cell) cell.classList.add('selected'); }
}
function renderShardDetail() {
  const s = (state.campaign.window || []).find(x => x.shardNo === state.campaign.selected);
  if (!s) return;
  const span = s.hi - s.lo;
  $('#s-detail').innerHTML = `shard <b>#${s.shardNo}</b> ${badge(s.status.toLowerCase())} · ids <b>[${num(s.lo)}, ${num(s.hi)})</b> · cursor <b>${num(s.cursor)}</b>
    (${Math.floor(pct(s.cursor - s.lo + 1, span))} % of the id range) · sent <b>${num(s.sent)}</b> · failed <b>${num(s.failed)}</b> · skipped <b>${num(s.skipped)}</b>
    · attempts <b>${num(s.attempts)}</b>${s.silo ? ` · silo <span class="mono">${esc(s.silo)}</span>` : ''}`;
}

function renderReasons(c, reasons) {
  const list = (reasons && reasons.items) || [];
  const total = list.reduce((a, r) => a + r.count, 0);
  $('#f-reasons').innerHTML = list.length
    ? `<table data-testid="reasons-table"><thead><tr><th>Outcome</th><th>Reason</th><th class="num">Members</th><th style="width:30%"></th></tr></thead><tbody>
      ${list.map(r => `<tr><td>${badge(String(r.outcome).toLowerCase())}</td><td>${esc(r.reason)}</td><td class="num">${num(r.count)}</td>
        <td><div class="share" style="width:${pct(r.count, total).toFixed(1)}%"></div></td></tr>`).join('')}</tbody></table>
      <div class="pager">${num(c.failed)} members failed and ${num(c.skipped)} were skipped; the report lists each failed member and channel with its reason.</div>`
    : `<div class="empty" data-testid="reasons-none">No failures or skips${isTerminal(c.status) ? '' : ' so far'}.</div>`;
}

// Reports go through fetch so the API key header travels with them; the file is then saved from a blob.
async function download(id, format) {
  try {
    const res = await api(`/api/campaigns/${id}/report.${format}`, { raw: true, timeout: 120000 });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `campaign-${id}-failures.${format}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) { showError('Report download failed: ' + e.message); }
}

document.querySelectorAll('[data-jump]').forEach(a => a.addEventListener('click', e => {
  if (state.route && state.route.name === 'overview') {
    e.preventDefault();
    const target = document.getElementById(a.dataset.jump);
    if (target) target.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
}));
let resizeTimer;
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(poll, 300); });

// The header names the host once; the overview refreshes it with every stats read.
api('/api/stats').then(s => renderHost(s.host)).catch(() => {});
navigate();
