// charts.js: line charts on a canvas, drawn from growing arrays of points.
// Each chart keeps its own series; draw() is cheap enough to run a few
// times a second: points are averaged into at most one bucket per pixel.
import { t } from './i18n.js';

// Round tick spacing (1, 2 or 5 times a power of ten) for about n ticks.
function tickStep(range, n) {
  const raw = range / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

// The size of a chart's labels in CSS pixels: the canvas's --chart-font
// (style.css: larger in presentation mode), 11 without one. The last size
// drawn stays on the canvas as data-label-px (the tests read it).
export function labelPx(c) {
  const v = parseFloat(getComputedStyle(c).getPropertyValue('--chart-font'));
  const px = Number.isFinite(v) && v > 0 ? v : 11;
  c.dataset.labelPx = String(px);
  return px;
}

// A chart's canvas at the screen's pixel density, cleared to the chart
// background; draws in CSS pixels. Null while the canvas is not laid out.
export function chartCanvas(c) {
  const dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;
  if (!w || !h) return null;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = css('--chart-bg');
  ctx.fillRect(0, 0, w, h);
  return { ctx, w, h };
}

export class LineChart {
  // series: [{color: '--css-var', column}], columns per point: width.
  // y: {min, max} fixed; a null end fits the data (a fitted range keeps 0
  // in view, so that a negative loss shows as negative).
  constructor(canvas, { width, series, ymin = 0, ymax = null, minTop = 1, ref = null, empty = () => t('chart.press_start') }) {
    this.minTop = minTop; // the fitted top is at least this
    this.canvas = canvas;
    this.width = width;
    this.series = series;
    this.ymin = ymin;
    this.ymax = ymax;
    this.ref = ref; // a horizontal reference line, e.g. 0.5
    this.empty = empty;
    this.data = new Float32Array(width * 1024);
    this.n = 0;
    this.markers = []; // {x, label}: where a setting, the data or the loss changed
    this.markerBoxes = []; // where the last draw put the markers' labels: {label, x, y, w, h} in CSS pixels
    this.xRange = [0, 10]; // the last draw's x axis and its ticks
    this.xTicks = [];
    this.queued = false;
    this.draws = 0;
    new ResizeObserver(() => this.queue()).observe(canvas);
  }

  clear() {
    this.n = 0;
    this.markers = [];
    this.queue();
  }

  // A vertical line at x with a short label (e.g. "lr_g 0.001", "Hinge").
  mark(x, label) {
    this.markers.push({ x, label });
    this.queue();
  }

  // Appends points (a flat array, width values each: x first).
  append(points) {
    const need = (this.n * this.width) + points.length;
    if (need > this.data.length) {
      const bigger = new Float32Array(Math.max(need, 2 * this.data.length));
      bigger.set(this.data.subarray(0, this.n * this.width));
      this.data = bigger;
    }
    this.data.set(points, this.n * this.width);
    this.n += points.length / this.width;
    this.queue();
  }

  // Fixed or fitted ends and the reference line, e.g. when the loss changes.
  setRange({ ymin = null, ymax = null, ref = null }) {
    Object.assign(this, { ymin, ymax, ref });
    this.queue();
  }

  truncate(n) {
    this.n = Math.min(this.n, n);
    const last = this.n ? this.data[(this.n - 1) * this.width] : -Infinity;
    this.markers = this.markers.filter((m) => m.x <= last);
    this.queue();
  }

  queue() {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.draw();
    });
  }

  draw() {
    const area = chartCanvas(this.canvas);
    if (!area) return;
    const { ctx, w, h } = area;
    const fs = labelPx(this.canvas); // labels' size; the margins grow with it
    const L = Math.max(42, 3.8 * fs), R = 10, T = 10, B = Math.max(28, 2.5 * fs);
    const pw = w - L - R, ph = h - T - B;
    const { data, width, n } = this;

    // x range and buckets
    // one x (a single point, or several at one step): from 0 to it, not a
    // made-up range of one step around it
    let x0 = n ? data[0] : 0, x1 = n ? data[(n - 1) * width] : 10;
    if (x1 <= x0) [x0, x1] = [0, Math.max(x0, 10)];
    this.xRange = [x0, x1];
    const buckets = Math.min(n, Math.max(1, Math.floor(pw)));
    const S = this.series.length;
    const xs = new Float32Array(buckets), ys = new Float32Array(buckets * S);
    let ymax = this.ymax ?? this.minTop, ymin = this.ymin ?? 0;
    for (let b = 0; b < buckets; b++) {
      const i0 = Math.floor((b * n) / buckets), i1 = Math.max(i0 + 1, Math.floor(((b + 1) * n) / buckets));
      let sx = 0;
      for (let i = i0; i < i1; i++) sx += data[i * width];
      xs[b] = sx / (i1 - i0);
      for (let k = 0; k < S; k++) {
        const col = this.series[k].column;
        let sum = 0, count = 0; // a point without a value for this series (NaN) is skipped
        for (let i = i0; i < i1; i++) {
          const v = data[i * width + col];
          if (Number.isFinite(v)) {
            sum += v;
            count++;
          }
        }
        const v = count ? sum / count : NaN;
        ys[b * S + k] = v;
        if (this.ymax === null && Number.isFinite(v) && v > ymax) ymax = v;
        if (this.ymin === null && Number.isFinite(v) && v < ymin) ymin = v;
      }
    }
    if (this.ymax === null || this.ymin === null) {
      if (ymax <= ymin) ymax = ymin + 1;
      const st = tickStep(ymax - ymin, ph < Math.max(150, 14 * fs) ? 3 : 5);
      if (this.ymax === null) ymax = Math.ceil(ymax / st) * st;
      if (this.ymin === null) ymin = Math.floor(ymin / st) * st;
    }
    const yStep = tickStep(ymax - ymin, ph < Math.max(150, 14 * fs) ? 3 : 5);
    const X = (v) => L + ((v - x0) / (x1 - x0)) * pw;
    const Y = (v) => T + ph - ((Math.min(Math.max(v, ymin), ymax) - ymin) / (ymax - ymin)) * ph;

    ctx.font = `${fs}px system-ui, sans-serif`;
    ctx.lineWidth = 1;
    ctx.strokeStyle = css('--chart-grid');
    ctx.fillStyle = css('--chart-text');
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = Math.ceil(ymin / yStep - 1e-9) * yStep; v <= ymax + 1e-9; v += yStep) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(L, y);
      ctx.lineTo(L + pw, y);
      ctx.stroke();
      ctx.fillText(String(+v.toFixed(6)), L - 6, y);
    }
    const xStep = Math.max(1, tickStep(x1 - x0, Math.max(2, Math.floor(pw / ((70 * fs) / 11)))));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    this.xTicks = [];
    for (let v = Math.ceil(x0 / xStep) * xStep; v <= x1; v += xStep) {
      this.xTicks.push(v);
      // a label at the right end would be cut by the edge: it ends there instead
      const wide = ctx.measureText(String(v)).width / 2;
      ctx.textAlign = X(v) + wide > w - 1 ? 'right' : 'center';
      ctx.fillText(String(v), ctx.textAlign === 'right' ? w - 1 : X(v), T + ph + 6);
    }
    ctx.textAlign = 'center';
    ctx.strokeStyle = css('--chart-axis');
    ctx.beginPath();
    ctx.moveTo(L + 0.5, T);
    ctx.lineTo(L + 0.5, T + ph + 0.5);
    ctx.lineTo(L + pw, T + ph + 0.5);
    ctx.stroke();
    if (this.ref !== null) {
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      const y = Math.round(Y(this.ref)) + 0.5;
      ctx.moveTo(L, y);
      ctx.lineTo(L + pw, y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // changes made during the run: a dashed line and what changed
    ctx.save();
    ctx.strokeStyle = css('--chart-axis');
    ctx.fillStyle = css('--chart-text');
    ctx.setLineDash([2, 3]);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.font = `${Math.max(10, fs - 1)}px system-ui, sans-serif`;
    // labels go on the first of three rows where they overlap no other
    // label; one that fits on none is left out (its line stays)
    this.markerBoxes = [];
    const rows = Math.max(1, Math.min(3, Math.floor(ph / ((36 * fs) / 11))));
    for (const m of this.markers) {
      if (m.x < x0 || m.x > x1) continue;
      const x = Math.round(X(m.x)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, T);
      ctx.lineTo(x, T + ph);
      ctx.stroke();
      const bw = ctx.measureText(m.label).width, bh = Math.round(1.1 * fs);
      const left = Math.max(L + 1, Math.min(x + 3, L + pw - bw));
      for (let r = 0; r < rows; r++) {
        const box = { label: m.label, x: left, y: T + 2 + r * (bh + 2), w: bw, h: bh };
        const clash = this.markerBoxes.some((o) => box.x < o.x + o.w + 4 && o.x < box.x + box.w + 4 && box.y < o.y + o.h && o.y < box.y + box.h);
        if (clash) continue;
        ctx.fillText(m.label, box.x, box.y);
        this.markerBoxes.push(box);
        break;
      }
    }
    ctx.restore();
    if (!buckets) {
      ctx.fillStyle = css('--chart-text');
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(typeof this.empty === 'function' ? this.empty() : this.empty, L + pw / 2, T + ph / 2);
    }
    ctx.lineWidth = 1.75;
    ctx.lineJoin = 'round';
    for (let k = 0; k < S; k++) {
      ctx.strokeStyle = css(this.series[k].color);
      ctx.fillStyle = css(this.series[k].color);
      ctx.beginPath();
      let drawn = 0, last = null;
      for (let b = 0; b < buckets; b++) {
        const v = ys[b * S + k];
        if (!Number.isFinite(v)) continue; // the line joins the points that have values
        ctx[drawn ? 'lineTo' : 'moveTo'](X(xs[b]), Y(v));
        last = [X(xs[b]), Y(v)];
        drawn++;
      }
      ctx.stroke();
      if (drawn === 1) { // a single value: a dot, not an invisible dash
        ctx.beginPath();
        ctx.arc(last[0], last[1], 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    this.draws++;
  }
}
