/*
 * Small canvas charts for the dashboard: a line chart with gaps for missing
 * data and a (grouped) bar chart. Each draw sets data-state ("data" or
 * "empty") and data-points (plus data-gaps on line charts) on the canvas,
 * so tests and scripts can tell what was drawn without reading pixels.
 */
'use strict';

const Charts = (() => {
  const COLORS = {
    axis: '#8a94a6',
    grid: '#e6e9ef',
    text: '#4a5263',
    line: '#2b6cb0',
    fill: 'rgba(43, 108, 176, 0.12)',
    noData: 'rgba(138, 148, 166, 0.18)',
  };
  const PAD = { left: 36, right: 10, top: 10, bottom: 22 };

  /** Sizes the canvas backing store to its CSS box times devicePixelRatio and returns a context in CSS pixels. */
  function prepare(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 300;
    const height = canvas.clientHeight || 150;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    return { ctx, width, height, plotW: width - PAD.left - PAD.right, plotH: height - PAD.top - PAD.bottom };
  }

  /** Returns a rounded axis maximum of at least 1 with a step that gives about four grid lines. */
  function niceMax(value) {
    if (value <= 1) return { max: 1, step: 1 };
    const rough = value / 4;
    const magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= rough);
    return { max: Math.ceil(value / step) * step, step };
  }

  function drawYAxis(c, max, step) {
    const { ctx } = c;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = 0; v <= max + 1e-9; v += step) {
      const y = PAD.top + c.plotH - (v / max) * c.plotH;
      ctx.strokeStyle = COLORS.grid;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(PAD.left + c.plotW, y);
      ctx.stroke();
      ctx.fillStyle = COLORS.text;
      ctx.fillText(String(Math.round(v)), PAD.left - 4, y);
    }
  }

  function drawXLabel(c, x, text) {
    c.ctx.fillStyle = COLORS.text;
    c.ctx.textAlign = 'center';
    c.ctx.textBaseline = 'top';
    c.ctx.fillText(text, x, PAD.top + c.plotH + 5);
  }

  function drawEmpty(canvas, c, message) {
    c.ctx.fillStyle = COLORS.text;
    c.ctx.textAlign = 'center';
    c.ctx.textBaseline = 'middle';
    c.ctx.fillText(message, c.width / 2, c.height / 2);
    canvas.dataset.state = 'empty';
    canvas.dataset.points = '0';
  }

  /**
   * Draws points {t, count} over [from, to] (seconds). A null count breaks the line and shades
   * that step as "no data". xLabels is a list of {t, text}.
   */
  function line(canvas, points, { from, to, stepS, xLabels }) {
    const c = prepare(canvas);
    const known = points.filter((p) => p.count !== null);
    if (known.length === 0) return drawEmpty(canvas, c, 'No data yet today');
    const { max, step } = niceMax(Math.max(...known.map((p) => p.count)));
    const x = (t) => PAD.left + ((t - from) / (to - from)) * c.plotW;
    const y = (v) => PAD.top + c.plotH - (v / max) * c.plotH;
    drawYAxis(c, max, step);
    shadeNoData(c, points, x, stepS);
    strokeSegments(c, points, x, y);
    for (const label of xLabels) drawXLabel(c, x(label.t), label.text);
    canvas.dataset.state = 'data';
    canvas.dataset.points = String(known.length);
    canvas.dataset.gaps = String(points.length - known.length);
  }

  function shadeNoData(c, points, x, stepS) {
    c.ctx.fillStyle = COLORS.noData;
    for (const p of points) {
      if (p.count === null) c.ctx.fillRect(x(p.t), PAD.top, Math.max(1, x(p.t + stepS) - x(p.t)), c.plotH);
    }
  }

  function strokeSegments(c, points, x, y) {
    const { ctx } = c;
    ctx.strokeStyle = COLORS.line;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let drawing = false;
    for (const p of points) {
      if (p.count === null) {
        drawing = false;
        continue;
      }
      if (drawing) ctx.lineTo(x(p.t), y(p.count));
      else ctx.moveTo(x(p.t), y(p.count));
      drawing = true;
    }
    ctx.stroke();
  }

  /**
   * Draws groups of bars. groups: [{label, values: [number|null]}], series: [{name, color}].
   * A null value is drawn as a shaded "no data" slot. Labels are shown every labelEvery groups.
   */
  function bars(canvas, groups, series, { labelEvery = 1, emptyMessage = 'No data yet today' } = {}) {
    const c = prepare(canvas);
    const values = groups.flatMap((g) => g.values.filter((v) => v !== null));
    if (values.length === 0 || values.every((v) => v === 0)) return drawEmpty(canvas, c, emptyMessage);
    const { max, step } = niceMax(Math.max(...values));
    drawYAxis(c, max, step);
    const groupW = c.plotW / groups.length;
    const barW = Math.max(1, (groupW * 0.8) / series.length);
    groups.forEach((group, gi) => {
      const left = PAD.left + gi * groupW + groupW * 0.1;
      group.values.forEach((value, si) => drawBar(c, left + si * barW, barW, value, max, series[si].color));
      if (gi % labelEvery === 0) drawXLabel(c, PAD.left + gi * groupW + groupW / 2, group.label);
    });
    canvas.dataset.state = 'data';
    canvas.dataset.points = String(values.filter((v) => v > 0).length);
  }

  function drawBar(c, left, width, value, max, color) {
    if (value === null) {
      c.ctx.fillStyle = COLORS.noData;
      c.ctx.fillRect(left, PAD.top, width - 1, c.plotH);
      return;
    }
    const height = (value / max) * c.plotH;
    c.ctx.fillStyle = color;
    c.ctx.fillRect(left, PAD.top + c.plotH - height, width - 1, height);
  }

  return { line, bars };
})();
