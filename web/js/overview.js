// overview.js: the model overview graph (after GAN Lab's): the parts of a GAN
// (noise z, the class label y of a conditional model, G, its fakes G(z),
// real data x, D, D's loss and G's loss) as a small diagram, with the data
// flowing along its edges as the engine takes steps.
//
// The flow is driven by the engine's step counts, not by a clock of its own:
// each D step the engine reports plays a D pulse (z -> G -> G(z) -> D, x ->
// D, D -> D's loss, its gradient back into D), each G step a G pulse (z -> G
// -> G(z) -> D -> G's loss, its gradient back through D into G). A pulse
// lasts a fraction of a second; when steps come faster than that, one pulse
// stands for all the steps since the last one, and once the counts stop
// (paused) the flow stops after the pulse under way. Slow motion lights the
// parts of each phase of a round (LIT) and moves the data along that phase's
// edges instead.
//
// Each part is focusable, named (aria-label) and shows what the engine says
// of it: in the 2-D mode its numbers (the losses, mean D(x) and D(G(z)), each
// with its step), in the image mode also the tensors' shapes (batch x ...).
// Pointing at a part (hover, keyboard focus, a tap) names it to onHighlight,
// which the 2-D mode uses to pick out the matching things in the plane.

import { onLang, t } from './i18n.js';
import { fmt } from './util.js';

const SVG = 'http://www.w3.org/2000/svg';

// The phases of one round, in order; the diagram's parts each phase uses.
export const PHASES = ['sample', 'generate', 'judge', 'dloss', 'dupdate', 'gloss', 'arrows', 'gupdate'];
export const LIT = {
  sample: ['z', 'y', 'real'], generate: ['z', 'y', 'g', 'fake'], judge: ['real', 'fake', 'd'], dloss: ['d', 'dloss'],
  dupdate: ['dloss', 'd'], gloss: ['fake', 'd', 'gloss'], arrows: ['gloss', 'd', 'fake'], gupdate: ['gloss', 'g'],
};
// What each phase moves along the edges: [edge, direction (1: data forward,
// -1: a gradient backward), start, end] as shares of the phase.
const FLOW = {
  sample: [],
  generate: [['z_g', 1, 0, 0.5], ['y_g', 1, 0, 0.5], ['g_fake', 1, 0.5, 1]],
  judge: [['fake_d', 1, 0, 1], ['real_d', 1, 0, 1], ['y_d', 1, 0, 1]],
  dloss: [['d_dloss', 1, 0, 1]],
  dupdate: [['d_dloss', -1, 0, 1]],
  gloss: [['fake_d', 1, 0, 0.5], ['d_gloss', 1, 0.5, 1]],
  arrows: [['d_gloss', -1, 0, 0.5], ['fake_d', -1, 0.5, 1]],
  gupdate: [['g_fake', -1, 0, 1]],
};
// A D step and a G step as pulses of phases.
const PULSES = { d: ['generate', 'judge', 'dloss', 'dupdate'], g: ['generate', 'gloss', 'arrows', 'gupdate'] };
const PULSE_MS = 640;
// What a part picks out in the 2-D plane.
export const LAYERS = {
  z: ['mesh'], y: [], g: ['mesh', 'fake'], fake: ['fake', 'mesh'], real: ['real'], d: ['heat', 'line'], dloss: ['line'],
  gloss: ['arrows'],
};

// The diagram's geometry (viewBox 320 wide): each part's box, each edge's path.
const W = 320, H = 252;
const BOX = {
  z: [4, 4, 64, 48], y: [4, 62, 64, 40], g: [92, 4, 56, 48], fake: [172, 4, 144, 48], real: [4, 112, 144, 48],
  d: [172, 76, 144, 88], dloss: [44, 188, 132, 62], gloss: [188, 188, 128, 62],
};
const EDGES = {
  z_g: 'M68 28H90', y_g: 'M68 82H120V54', g_fake: 'M148 28H170', fake_d: 'M244 52V74', real_d: 'M148 136H170',
  y_d: 'M68 94H158V104H170', d_dloss: 'M210 164V176H110V186', d_gloss: 'M270 164V186',
};

const el = (name, attrs = {}) => {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};
const times = (dims) => dims.join('×');
let instances = 0;

export class Overview {
  // figure: the element to fill; kind: '2d' or 'image'; onHighlight(part or null).
  constructor(figure, { kind, onHighlight = () => {} }) {
    this.figure = figure;
    this.kind = kind;
    this.onHighlight = onHighlight;
    this.id = `ov${++instances}`;
    this.model = null; // image mode: {latent, channels, height, width, batch, classes, cond}
    this.numbers = null; // the last numbers shown
    this.target = { d: 0, g: 0 }; // the engine's step counts
    this.shown = { d: 0, g: 0 }; // the counts the flow has taken in
    this.pulse = null; // {kind, phases, start, ms}
    this.hold = false; // slow motion: its phases move the data, not the counts
    this.lit = null; // the slow-motion phase lit
    this.hovered = this.focused = this.pinned = null;
    // what the tests read
    this.state = { kind, parts: [], highlight: null, pulses: 0, shown: this.shown, target: this.target, moving: false,
      frames: 0, at: null, lit: [], shapes: {}, numbers: {} };
    this.build();
    onLang(() => {
      this.build();
      if (this.numbers) this.show(this.numbers);
    });
  }

  // ---- the diagram ----------------------------------------------------------------

  parts() {
    const cond = this.kind === 'image' && this.model && this.model.classes > 0;
    return ['z', ...(cond ? ['y'] : []), 'g', 'fake', 'real', 'd', 'dloss', 'gloss'];
  }

  edges() {
    const m = this.model, cond = this.kind === 'image' && m && m.classes > 0;
    return Object.keys(EDGES).filter((e) => (e === 'y_g' ? cond : e === 'y_d' ? cond && m.cond === 'concat' : true));
  }

  build() {
    const fig = this.figure;
    fig.classList.add('overview');
    fig.textContent = '';
    const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': t(`overview.figure.${this.kind}`) });
    const defs = el('defs');
    const marker = el('marker', { id: `${this.id}-arrow`, viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 6, markerHeight: 6,
      orient: 'auto-start-reverse' });
    marker.append(el('path', { d: 'M0 0L8 4L0 8z', class: 'ov-head' }));
    defs.append(marker);
    svg.append(defs);
    this.paths = {};
    const wires = el('g', { class: 'ov-wires', 'aria-hidden': 'true' });
    for (const e of this.edges()) {
      const p = el('path', { d: EDGES[e], class: 'ov-wire', 'data-edge': e, 'marker-end': `url(#${this.id}-arrow)` });
      wires.append(p);
      this.paths[e] = p;
    }
    svg.append(wires);
    this.groups = {};
    this.lines = {};
    for (const part of this.parts()) {
      const [x, y, w, h] = BOX[part];
      const g = el('g', { class: 'ov-part', 'data-part': part, tabindex: 0, role: 'button', 'aria-pressed': 'false' });
      g.append(el('rect', { x, y, width: w, height: h, rx: 6 }));
      const name = el('text', { x: x + w / 2, y: y + 17, class: 'ov-name' });
      name.textContent = t(`overview.${part}`);
      g.append(name);
      const lines = [];
      for (let i = 0; i < 4; i++) {
        const tx = el('text', { x: x + w / 2, y: y + 31 + 13 * i, class: 'ov-sub' });
        g.append(tx);
        lines.push(tx);
      }
      this.lines[part] = lines;
      this.wireEvents(g, part);
      svg.append(g);
      this.groups[part] = g;
    }
    this.dots = {};
    const dots = el('g', { class: 'ov-dots', 'aria-hidden': 'true' });
    for (const e of this.edges()) {
      const c = el('circle', { r: 4, class: 'ov-dot', 'data-edge': e, visibility: 'hidden' });
      dots.append(c);
      this.dots[e] = c;
    }
    svg.append(dots);
    const cap = document.createElement('figcaption');
    cap.className = 'caption';
    cap.textContent = t(`overview.hint.${this.kind}`);
    fig.append(svg, cap);
    this.svg = svg;
    this.state.parts = this.parts();
    this.fill();
    this.light(this.lit);
    this.mark();
    this.render(performance.now());
  }

  wireEvents(g, part) {
    g.addEventListener('pointerenter', (e) => {
      if (e.pointerType === 'mouse') this.setHover(part);
    });
    g.addEventListener('pointerleave', (e) => {
      if (e.pointerType === 'mouse') this.setHover(null);
    });
    g.addEventListener('focus', () => {
      this.focused = part;
      this.highlight();
    });
    g.addEventListener('blur', () => {
      if (this.focused === part) this.focused = null;
      this.highlight();
    });
    // a tap or a click (or Enter / Space) keeps the part picked out until the next one
    const toggle = () => {
      this.pinned = this.pinned === part ? null : part;
      if (!this.pinned) {
        this.focused = null;
        g.blur();
      }
      this.highlight();
    };
    g.addEventListener('click', (e) => {
      if (e.pointerType && e.pointerType !== 'mouse') this.hovered = null; // a finger or a pen points now, not the mouse
      toggle();
    });
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      } else if (e.key === 'Escape') {
        this.pinned = this.focused = null;
        g.blur();
        this.highlight();
      }
    });
  }

  setHover(part) {
    this.hovered = part;
    this.highlight();
  }

  // The part picked out: the one pointed at, else the focused one, else the one tapped.
  highlight() {
    const part = this.hovered || this.focused || this.pinned;
    if (part === this.state.highlight) return this.mark();
    this.state.highlight = part;
    this.mark();
    this.onHighlight(part);
  }

  mark() {
    for (const [part, g] of Object.entries(this.groups || {})) {
      g.classList.toggle('ov-hover', part === this.state.highlight);
      g.setAttribute('aria-pressed', String(part === this.pinned));
    }
  }

  // The layers of the 2-D plane that the highlighted part picks out (null: none).
  layers() {
    return this.state.highlight ? new Set(LAYERS[this.state.highlight] || []) : null;
  }

  // ---- what the engine says --------------------------------------------------------

  // Image mode: the model's sizes (the worker's modelInfo), so the shapes follow the model.
  setModel(info) {
    const m = info ? { latent: info.latent, channels: info.channels, height: info.height, width: info.width,
      batch: info.batch, classes: info.classes || 0, cond: info.config ? info.config.cond : info.cond, hasD: info.hasD !== false } : null;
    if (JSON.stringify(m) === JSON.stringify(this.model)) return;
    const rebuild = (m && m.classes > 0) !== (this.model && this.model.classes > 0) || (m && m.cond) !== (this.model && this.model.cond);
    this.model = m;
    if (rebuild) this.build();
    else this.fill();
  }

  // The numbers of the run at this moment (as the readouts show them) and its counts:
  // {dStep, gStep, dLoss, gLoss, dReal, dFake}.
  show(n) {
    this.numbers = n;
    this.fill();
    this.count(n.dStep, n.gStep);
  }

  // Each part's lines (shapes and numbers) and name for assistive technology.
  fill() {
    if (!this.lines) return;
    const n = this.numbers, m = this.kind === 'image' ? this.model : null;
    const dDone = n && n.dStep > 0, gDone = n && n.gStep > 0;
    const dAt = dDone ? t('overview.dstep', { n: n.dStep }) : t('overview.nodstep');
    const gAt = gDone ? t('overview.gstep', { n: n.gStep }) : t('overview.nogstep');
    const v = (x, done) => (done ? fmt(x, 3) : '–');
    const shapes = {}, numbers = {};
    if (m) {
      const img = times([m.batch, m.channels, m.height, m.width]);
      Object.assign(shapes, { z: times([m.batch, m.latent]), fake: img, real: img });
      if (m.classes > 0) shapes.y = times([m.batch, m.classes]);
      // a file with G alone (a pretrained generator) has no D and no losses: Start makes them
      if (m.hasD) Object.assign(shapes, { d: times([m.batch, 1]), dloss: t('overview.scalar'), gloss: t('overview.scalar') });
      if (m.hasD && m.classes > 0 && m.cond === 'acgan') shapes.dClass = times([m.batch, m.classes]);
    }
    if (n) Object.assign(numbers, { dReal: v(n.dReal, dDone), dFake: v(n.dFake, dDone), dLoss: v(n.dLoss, dDone),
      gLoss: v(n.gLoss, gDone), dAt, gAt });
    const lines = {
      z: [shapes.z], y: [shapes.y], g: [], fake: [shapes.fake], real: [shapes.real],
      d: [m && !m.hasD && t('overview.nod'),
        shapes.d && (shapes.dClass ? t('overview.out.acgan', { out: shapes.d, classes: shapes.dClass }) : t('overview.out', { out: shapes.d })),
        n && `D(x) ${numbers.dReal}`, n && `D(G(z)) ${numbers.dFake}`, n && dAt],
      dloss: [n && numbers.dLoss, n && dAt, shapes.dloss], gloss: [n && numbers.gLoss, n && gAt, shapes.gloss],
    };
    for (const [part, rows] of Object.entries(lines)) {
      const slots = this.lines[part];
      if (!slots) continue;
      const text = rows.filter(Boolean);
      slots.forEach((s, i) => {
        const want = text[i] || '';
        if (s.textContent !== want) s.textContent = want;
      });
      const g = this.groups[part];
      g.classList.toggle('ov-absent', !!m && !m.hasD && ['d', 'dloss', 'gloss'].includes(part));
      // a part with no lines keeps its name in the middle of its box
      g.querySelector('.ov-name').setAttribute('y', String(BOX[part][1] + (text.length ? 17 : BOX[part][3] / 2 + 5)));
      const label = [t(`overview.name.${part}`), ...text].join(', ');
      if (g.getAttribute('aria-label') !== label) g.setAttribute('aria-label', label);
    }
    this.state.shapes = shapes;
    this.state.numbers = numbers;
  }

  // ---- the flow ---------------------------------------------------------------------

  // The engine's counts: a new step starts a pulse (unless slow motion moves the data).
  count(d, g) {
    const back = d < this.shown.d || g < this.shown.g; // a new model, or a way back
    this.target.d = d;
    this.target.g = g;
    if (back || this.hold) {
      this.shown.d = d;
      this.shown.g = g;
      if (back && this.pulse && !this.pulse.slow) this.pulse = null;
    }
    this.run();
  }

  // Slow motion: from now on the counts are taken in without pulses (on), and again with them (off).
  setHold(on) {
    this.hold = on;
    if (on) {
      this.shown.d = this.target.d;
      this.shown.g = this.target.g;
    }
  }

  // Slow motion's phase: its parts lit and its data moved along its edges in ms (null: none).
  phase(name, ms = PULSE_MS) {
    this.light(name);
    this.pulse = name && FLOW[name].length ? { kind: 'phase', phases: [name], start: performance.now(), ms: ms * 0.8, slow: true } : null;
    if (!this.pulse) this.hideDots();
    this.run();
  }

  light(name) {
    this.lit = name || null;
    const parts = name ? LIT[name] : [];
    for (const [part, g] of Object.entries(this.groups || {})) g.classList.toggle('active', parts.includes(part));
    this.state.lit = parts.filter((p) => this.groups && this.groups[p]);
  }

  // The next pulse, if a count is ahead of the flow: D steps before G steps, as
  // the engine takes them; one pulse stands for all the steps of its kind that
  // came since the last (more than three) or for one (a few).
  next() {
    const behind = (k) => this.target[k] - this.shown[k];
    const kind = behind('d') > 0 ? 'd' : behind('g') > 0 ? 'g' : null;
    if (!kind) return null;
    this.shown[kind] = behind(kind) > 3 ? this.target[kind] : this.shown[kind] + 1;
    this.state.pulses++;
    return { kind, phases: PULSES[kind], start: performance.now(), ms: PULSE_MS };
  }

  run() {
    if (this.looping) return;
    if (!this.pulse && !this.hold) this.pulse = this.next();
    if (!this.pulse) {
      this.state.moving = false;
      return;
    }
    this.looping = true;
    this.state.moving = true;
    const tick = (now) => {
      if (this.pulse && now - this.pulse.start >= this.pulse.ms) this.pulse = this.pulse.slow || this.hold ? null : this.next();
      this.render(now);
      if (this.pulse) requestAnimationFrame(tick);
      else {
        this.looping = false;
        this.state.moving = false;
        this.hideDots();
      }
    };
    requestAnimationFrame(tick);
  }

  hideDots() {
    for (const c of Object.values(this.dots || {})) c.setAttribute('visibility', 'hidden');
    for (const p of Object.values(this.paths || {})) p.classList.remove('ov-flow');
    this.state.at = null;
  }

  // The dots of the pulse under way, where its share of time puts them.
  render(now) {
    const p = this.pulse;
    if (!p || !this.dots) return;
    const u = Math.max(0, Math.min(1, (now - p.start) / p.ms)) * p.phases.length;
    const i = Math.min(p.phases.length - 1, Math.floor(u)), s = u - i, name = p.phases[i];
    const on = new Set();
    for (const [edge, dir, a, b] of FLOW[name]) {
      const path = this.paths[edge], dot = this.dots[edge];
      if (!path || s < a || s > b) continue;
      const f = (s - a) / (b - a), len = path.getTotalLength();
      const pt = path.getPointAtLength(len * (dir > 0 ? f : 1 - f));
      dot.setAttribute('cx', pt.x.toFixed(1));
      dot.setAttribute('cy', pt.y.toFixed(1));
      dot.setAttribute('visibility', 'visible');
      dot.classList.toggle('ov-grad', dir < 0);
      dot.classList.toggle('ov-real', edge === 'real_d');
      on.add(edge);
    }
    for (const [edge, dot] of Object.entries(this.dots)) {
      if (!on.has(edge)) dot.setAttribute('visibility', 'hidden');
      this.paths[edge].classList.toggle('ov-flow', on.has(edge));
    }
    this.state.frames++;
    this.state.at = { kind: p.kind, phase: name, share: Number(s.toFixed(3)), edges: [...on] };
  }
}
