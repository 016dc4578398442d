/*
 * The dashboard: today's charts from the REST API, the camera list with
 * live views, the add-camera form, and the live event socket that feeds
 * face boxes, camera states and chart refreshes.
 */
'use strict';

const API = '/api/v1';
const AGE_BANDS = ['under 18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'];
/** Short axis labels where the band name is too wide for a bar group. */
const BAND_LABELS = { 'under 18': '<18', unknown: '?' };
const GENDER_SERIES = [
  { name: 'female', color: '#d6589f' },
  { name: 'male', color: '#3b82c4' },
  { name: 'unknown', color: '#a0a8b8' },
];
const OCCUPANCY_STEP_S = 60;
const CHART_REFRESH_MS = 60_000;
const EVENT_REFRESH_DELAY_MS = 2_000;
const LIVE_RECONNECT_MS = 3_000;
/** Tooltip text of each camera state badge. */
const STATE_HELP = {
  starting: 'Connecting to the camera.',
  live: 'Frames arrive and are analysed.',
  'no-frames': 'Connected, but no frame arrived for a while.',
  reconnecting: 'The stream ended or failed; reconnecting with increasing delays.',
  'auth-failed': 'The camera rejected the user name or password; remove the camera and add it again with the right ones.',
  failed: 'The stream cannot be used; see the detail line.',
  stopped: 'Analysis is stopped.',
};

const state = {
  cameras: new Map(),
  views: new Map(),
  chartTimer: 0,
  /** The last chart data fetched, kept to redraw on resize. */
  chartData: null,
};

async function api(path, options) {
  const response = await fetch(API + path, options);
  if (response.status === 204) return null;
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw Object.assign(new Error(errorMessage(body, response.status)), { field: body.field, code: body.code });
  return body;
}

/** Reads the message of an error body: `{error: "..."}` from these routes, `{error: {code, message}}` from discovery. */
function errorMessage(body, status) {
  if (typeof body.error === 'string') return body.error;
  if (body.error && typeof body.error.message === 'string') return body.error.message;
  return `HTTP ${status}`;
}

function $(id) {
  return document.getElementById(id);
}

/* ---------- charts ---------- */

function dayRange() {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const from = Math.floor(start.getTime() / 1000);
  return { from, to: Math.floor(Date.now() / 1000), dayEnd: from + 86_400 };
}

function hourLabels(from) {
  const labels = [];
  for (let hour = 0; hour < 24; hour += 3) labels.push({ t: from + hour * 3600, text: `${String(hour).padStart(2, '0')}:00` });
  return labels;
}

async function refreshCharts() {
  const { from, to, dayEnd } = dayRange();
  if (to <= from) return;
  const [points, buckets] = await Promise.all([
    api(`/occupancy?from=${from}&to=${to}&step=${OCCUPANCY_STEP_S}`),
    api(`/stats?from=${from}&to=${to}&bucket=3600`),
  ]);
  state.chartData = { from, dayEnd, points, buckets };
  drawCharts();
}

function drawCharts() {
  if (!state.chartData) return;
  const { from, dayEnd, points, buckets } = state.chartData;
  Charts.line($('occupancy-chart'), points, { from, to: dayEnd, stepS: OCCUPANCY_STEP_S, xLabels: hourLabels(from) });
  drawEntries(buckets, from);
  drawDemographics(buckets);
  showTiles(points, buckets);
}

/** Draws one bar per hour of the day; hours without a bucket yet (the future) stay empty. */
function drawEntries(buckets, from) {
  const byHour = new Map(buckets.map((bucket) => [Math.floor((bucket.start - from) / 3600), bucket]));
  const groups = [];
  for (let hour = 0; hour < 24; hour++) {
    const bucket = byHour.get(hour);
    let value = 0;
    if (bucket) value = bucket.noData ? null : bucket.entries;
    groups.push({ label: `${String(hour).padStart(2, '0')}`, values: [value] });
  }
  Charts.bars($('entries-chart'), groups, [{ name: 'entries', color: '#2b6cb0' }], { labelEvery: 3 });
}

function drawDemographics(buckets) {
  const totals = {};
  for (const bucket of buckets) {
    for (const [key, count] of Object.entries(bucket.byAgeBandGender)) totals[key] = (totals[key] || 0) + count;
  }
  const groups = [...AGE_BANDS, 'unknown'].map((band) => ({
    label: BAND_LABELS[band] || band,
    values: GENDER_SERIES.map((series) => totals[`${band}|${series.name}`] || 0),
  }));
  Charts.bars($('demographics-chart'), groups, GENDER_SERIES);
}

function showTiles(points, buckets) {
  const latest = [...points].reverse().find((p) => p.count !== null);
  $('now-count').textContent = latest && Date.now() / 1000 - latest.t < 5 * 60 ? String(latest.count) : '–';
  const sum = (field) => buckets.reduce((total, bucket) => total + bucket[field], 0);
  const visitors = sum('uniqueVisitors');
  const returning = sum('returningVisitors');
  $('entries-today').textContent = String(sum('entries'));
  $('visitors-today').textContent = String(visitors);
  const share = visitors > 0 ? returning / visitors : null;
  $('returning-share').textContent = share === null ? '–' : `${Math.round(share * 100)} %`;
  $('returning-meter').style.width = `${share === null ? 0 : Math.round(share * 100)}%`;
  $('returning-share').dataset.value = share === null ? '' : share.toFixed(3);
}

/** Refreshes the charts a little after live events, at most once per delay. */
function scheduleChartRefresh() {
  if (state.chartTimer) return;
  state.chartTimer = setTimeout(() => {
    state.chartTimer = 0;
    refreshCharts().catch(reportError);
  }, EVENT_REFRESH_DELAY_MS);
}

/* ---------- cameras ---------- */

async function refreshCameras() {
  const cameras = await api('/cameras');
  state.cameras = new Map(cameras.map((camera) => [camera.id, camera]));
  for (const [id, view] of state.views) {
    if (!state.cameras.has(id)) {
      view.close();
      state.views.delete(id);
    }
  }
  renderCameras();
}

function renderCameras() {
  const list = $('camera-list');
  $('empty-state').hidden = state.cameras.size > 0;
  for (const card of [...list.children]) {
    if (!state.cameras.has(card.dataset.cameraId)) card.remove();
  }
  for (const camera of state.cameras.values()) {
    const card = list.querySelector(`[data-camera-id="${CSS.escape(camera.id)}"]`) || createCameraCard(camera);
    updateCameraCard(card, camera);
  }
}

function createCameraCard(camera) {
  const card = document.createElement('article');
  card.className = 'card camera';
  card.dataset.cameraId = camera.id;
  card.innerHTML = `
    <div class="camera-head">
      <h3 class="camera-name"></h3>
      <span class="badge camera-state"></span>
    </div>
    <p class="camera-source"></p>
    <p class="camera-detail"></p>
    <div class="stage">
      <canvas class="video"></canvas>
      <canvas class="overlay"></canvas>
    </div>
    <div class="camera-actions">
      <button type="button" class="watch">Watch live</button>
      <button type="button" class="remove secondary">Remove</button>
    </div>`;
  const view = new CameraLiveView(card.querySelector('.stage'), camera.id);
  state.views.set(camera.id, view);
  card.querySelector('.watch').addEventListener('click', () => toggleLiveView(card, view));
  card.querySelector('.remove').addEventListener('click', () => removeCamera(camera).catch(reportError));
  $('camera-list').append(card);
  return card;
}

function updateCameraCard(card, camera) {
  card.querySelector('.camera-name').textContent = camera.name;
  const badge = card.querySelector('.camera-state');
  badge.textContent = camera.state;
  badge.className = `badge camera-state state-${camera.state}`;
  badge.title = STATE_HELP[camera.state] || '';
  const size = camera.width && camera.height ? ` · ${camera.width}×${camera.height}` : '';
  card.querySelector('.camera-source').textContent = `${camera.source}${size}`;
  const frames = `${camera.framesAnalysed} frames analysed, ${camera.framesDropped} dropped`;
  card.querySelector('.camera-detail').textContent = camera.detail ? `${camera.detail} · ${frames}` : frames;
}

function toggleLiveView(card, view) {
  if (view.isOpen) view.close();
  else view.open();
  card.querySelector('.watch').textContent = view.isOpen ? 'Stop live view' : 'Watch live';
}

async function removeCamera(camera) {
  if (!confirm(`Remove camera "${camera.name}"? Its analysis stops; stored statistics stay.`)) return;
  await api(`/cameras/${encodeURIComponent(camera.id)}`, { method: 'DELETE' });
  await refreshCameras();
}

/* ---------- add-camera form ---------- */

function showFieldError(form, field, message) {
  for (const slot of form.querySelectorAll('.field-error')) {
    slot.textContent = slot.dataset.field === field ? message : '';
  }
}

async function submitCamera(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const body = { name: form.elements.name.value, rtspUrl: form.elements.rtspUrl.value };
  showFieldError(form, '', '');
  try {
    await api('/cameras', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    form.reset();
    await refreshCameras();
  } catch (error) {
    showFieldError(form, error.field || 'body', error.message);
  }
}

/* ---------- live events ---------- */

function connectLiveEvents() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}${API}/live`);
  const status = $('live-status');
  socket.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'badge badge-on';
  });
  socket.addEventListener('close', () => {
    status.textContent = 'reconnecting';
    status.className = 'badge badge-off';
    setTimeout(connectLiveEvents, LIVE_RECONNECT_MS);
  });
  socket.addEventListener('message', (message) => handleLiveEvent(JSON.parse(message.data)));
}

function handleLiveEvent({ type, data }) {
  if (type === 'faces') {
    const view = state.views.get(data.cameraId);
    if (view) view.showFaces(data);
  } else if (type === 'camera') {
    const camera = state.cameras.get(data.cameraId);
    if (!camera) return refreshCameras().catch(reportError);
    camera.state = data.state;
    camera.detail = data.detail;
    camera.framesAnalysed = data.framesAnalysed;
    camera.framesDropped = data.framesDropped;
    renderCameras();
  } else if (type === 'occupancy' || type === 'visitor') {
    scheduleChartRefresh();
  }
}

function reportError(error) {
  console.warn('dashboard update failed:', error.message);
}

/* ---------- start ---------- */

$('add-camera-form').addEventListener('submit', submitCamera);
refreshCameras().catch(reportError);
refreshCharts().catch(reportError);
api('/health')
  .then((health) => health.discovery && Discovery.init({ requestJson: api, onCameraAdded: refreshCameras, onboarding: health.onboarding }))
  .catch(reportError);
setInterval(() => refreshCharts().catch(reportError), CHART_REFRESH_MS);
window.addEventListener('resize', drawCharts);
connectLiveEvents();
