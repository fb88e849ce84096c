// explore.js: keep samples from the grid, see their neighbours, walk the
// spherical path between the last two kept, and steer along the model's
// latent directions: named ones fitted to a measurable attribute and
// principal ones, each offered only if it passed its own measure. The
// directions, their figures and the latent arithmetic are the engine's
// (eval/directions.h, gpw_z_*); this only asks for them and draws.

import { $, drawRgba, setText } from './util.js';
import { core, onLang, t } from './i18n.js';

// The sample grid's layout, as the engine draws it: COLS columns, images
// PAD pixels apart and around (set from the engine's tables: setLayout).
let PAD = 2, COLS = 8;

export class Explore {
  setLayout(cols, pad) {
    COLS = cols;
    PAD = pad;
  }

  constructor(engine, state) {
    this.engine = engine;
    this.state = state;
    this.kept = [{ seed: 1, index: 1 }, { seed: 1, index: 0 }]; // [last, before]
    this.cursor = 0;
    this.dirs = []; // the sliders' inputs, by direction index (offered ones only)
    this.found = null; // what the engine found: {count, directions, step, model, ...}
    this.finding = false;
    this.stale = true; // the model changed since the directions were found
    this.playing = false;
    this.phase = 0;
    this.frameBusy = false;
    this.busy = false;
    this.again = false;
    this.grid = $('grid');
    this.cursorEl = $('grid-cursor');
    $('dirs-find').onclick = () => this.find();
    onLang(() => $('dirs').querySelectorAll('canvas.dir-strip').forEach((c) => c.relabel && c.relabel()));
    this.grid.addEventListener('click', (e) => this.click(e));
    this.grid.addEventListener('keydown', (e) => this.key(e));
    this.grid.addEventListener('focus', () => this.showCursor());
    this.grid.addEventListener('blur', () => (this.cursorEl.hidden = true));
    $('radius').addEventListener('input', () => {
      setText($('radius-value'), Number($('radius').value).toFixed(1));
      this.refresh();
    });
    $('morph-play').onclick = () => this.play(!this.playing);
  }

  // The model on show changed: another one put on show (onShow: its
  // directions are found when nothing else runs, if it has been trained at
  // all), or more training (the figures belong to the step they were found
  // at: "Measure again", never by itself after a pause).
  modelChanged(info, running, onShow = true) {
    const other = !this.found || !info || this.found.epoch !== info.epoch;
    const moved = this.found && info && this.found.step !== info.step;
    if (other && this.found) this.show(null); // the sliders belonged to another model
    this.stale = other || moved;
    this.showStatus(running);
    if (onShow && other && info && info.step > 0 && !running && this.state.ready) this.find();
  }

  showStatus(running) {
    const f = this.found;
    const finding = this.finding, stale = this.stale, untrained = this.modelStep() === 0;
    const text = () => {
      if (finding) return t('explore.finding');
      if (!f) return running ? t('explore.pause_first') : untrained ? t('explore.untrained') : t('explore.measure_hint');
      let s = t('explore.found', { step: f.step, fit: f.fit_samples, measured: f.measure_samples }) +
        (f.classifier ? t('explore.found_classifier') : t('explore.found_no_classifier'));
      if (stale) s += t('explore.stale');
      if (!f.directions.some((d) => d.offered)) s += t('explore.none_offered');
      return s;
    };
    setText($('dirs-status'), text);
    $('dirs-find').disabled = this.finding || !this.state.ready || !!running;
    setText($('dirs-find'), () => t(f ? 'explore.measure_again' : 'explore.measure'));
  }

  // The step of the model on show: a training's as its turns say, a loaded one's as its file says.
  modelStep() {
    const m = this.state.model;
    return m && m.kind === 'training' ? this.state.step : m ? m.step : 0;
  }

  async find() {
    if (this.finding || !this.state.ready) return;
    this.finding = true;
    this.showStatus(false);
    try {
      const r = await this.engine.call('findDirections', {});
      this.stale = false;
      this.show(r);
    } catch (e) {
      setText($('dirs-status'), () => t('explore.find_failed', { message: e.message }));
      this.finding = false;
      return;
    }
    this.finding = false;
    this.showStatus(false);
    this.state.directionsFound++;
    this.refresh();
  }

  // Sliders for the offered directions, the failed ones listed with why.
  show(found) {
    this.found = found;
    this.state.directions = found; // what the sliders show (the tests read it)
    const box = $('dirs');
    box.textContent = '';
    this.dirs = [];
    const failed = $('dirs-failed-list');
    failed.textContent = '';
    const list = found ? found.directions.map((d, k) => ({ ...d, k })) : [];
    for (const d of list.filter((x) => x.offered)) box.append(this.sliderRow(d, found));
    for (const d of list.filter((x) => !x.offered)) {
      const li = document.createElement('li');
      setText(li, () => `${dirName(d)}${t('explore.colon')}${failure(d)}`);
      failed.append(li);
    }
    $('dirs-failed').hidden = !list.some((d) => !d.offered);
    this.onDirections(list.filter((d) => d.offered));
  }

  sliderRow(d, found) {
    const row = document.createElement('div');
    row.className = 'dir-row';
    row.dataset.name = d.name;
    const label = document.createElement('label');
    label.htmlFor = `dir-${d.k}`;
    setText(label, () => dirName(d));
    const input = document.createElement('input');
    // over the range where it passed its measure
    Object.assign(input, { type: 'range', id: `dir-${d.k}`, min: String(-d.range), max: String(d.range), step: '0.1', value: '0' });
    input.dataset.k = String(d.k);
    const out = document.createElement('output');
    out.htmlFor = `dir-${d.k}`;
    out.textContent = '0.0';
    input.addEventListener('input', () => {
      out.textContent = Number(input.value).toFixed(1);
      this.refresh();
    });
    const strip = document.createElement('canvas');
    strip.className = 'dir-strip';
    strip.setAttribute('role', 'img');
    const amounts = found.amounts.map((f) => (f * d.range) / 2);
    const aria = () => strip.setAttribute('aria-label', t('explore.strip_aria', { name: dirName(d), amounts: amounts.join(t('explore.list_sep')) }));
    aria();
    strip.relabel = aria;
    const facts = document.createElement('p');
    facts.className = 'dir-facts';
    setText(facts, () => describe(d, found.amounts));
    row.append(label, input, out, strip, facts);
    this.dirs[d.k] = input;
    return row;
  }

  // Which of the 64 samples a click landed on.
  click(e) {
    const r = this.grid.getBoundingClientRect();
    const gx = ((e.clientX - r.left) * this.grid.width) / r.width;
    const gy = ((e.clientY - r.top) * this.grid.height) / r.height;
    const cell = this.cell();
    const col = Math.min(COLS - 1, Math.max(0, Math.floor((gx - PAD / 2) / cell)));
    const row = Math.min(COLS - 1, Math.max(0, Math.floor((gy - PAD / 2) / cell)));
    this.cursor = row * COLS + col;
    this.showCursor(); // the highlight follows the click
    this.keep(this.cursor);
  }

  key(e) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLS, ArrowDown: COLS };
    if (e.key in moves) {
      this.cursor = Math.min(63, Math.max(0, this.cursor + moves[e.key]));
      this.showCursor();
      e.preventDefault();
    } else if (e.key === 'Enter' || e.key === ' ') {
      this.keep(this.cursor);
      e.preventDefault();
    }
  }

  // One image and its gap, in grid pixels: from the grid the engine drew
  // (COLS images of the model's size, PAD apart and around).
  cell() {
    return (this.grid.width - PAD) / COLS;
  }

  showCursor() {
    const col = this.cursor % COLS, row = Math.floor(this.cursor / COLS);
    const cell = this.cell();
    const pct = (v) => `${((PAD / 2 + v * cell) / this.grid.width) * 100}%`;
    this.cursorEl.style.left = pct(col);
    this.cursorEl.style.top = pct(row);
    this.cursorEl.style.width = this.cursorEl.style.height = `${(cell / this.grid.width) * 100}%`;
    this.cursorEl.hidden = false;
  }

  keep(index) {
    this.kept = [{ seed: this.state.noiseSeed, index }, this.kept[0]];
    this.state.kept = this.kept.map((k) => ({ ...k }));
    setText($('explore-title'), () => t('explore.title'));
    // said next to the grid: the views it fills are further down
    const at = { n: index + 1, row: Math.floor(index / COLS) + 1, col: (index % COLS) + 1 };
    setText($('kept-msg'), () => t('explore.kept', at));
    $('kept-link').hidden = false;
    this.refresh();
  }

  // Redraws neighbours, path and steered sample (one request at a time).
  // state.exploreAsked counts the redraws asked for, state.exploreAnswered
  // the last one a drawing answers (what the tests wait on).
  async refresh() {
    if (!this.state.ready) return;
    this.state.exploreAsked++;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const asked = this.state.exploreAsked;
    try {
      const stripDirs = this.dirs.map((d, k) => (d ? { k, range: Number(d.max) } : null)).filter((d) => d);
      const r = await this.engine.call('explore', {
        a: this.kept[0], b: this.kept[1], radius: Number($('radius').value),
        neighbourSeed: 1000 + this.kept[0].index, dirs: Array.from(this.dirs, (d) => (d ? Number(d.value) : 0)),
        stripDirs,
      });
      drawRgba($('neighbours'), r.neighbours);
      drawRgba($('path'), r.path);
      drawRgba($('steered'), r.steered);
      if (r.strips) drawStrips(r.strips, stripDirs.map(({ k }) => this.dirs[k].parentElement.querySelector('canvas')));
      if (!this.playing) drawRgba($('morph'), await this.engine.call('frame', { a: this.kept[0], b: this.kept[1], t: 0.5 }));
      this.state.exploreDraws++;
      this.state.exploreAnswered = asked;
    } catch (e) {
      // the model may be changing; the next refresh will draw
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  play(on) {
    this.playing = on;
    const b = $('morph-play');
    b.setAttribute('aria-pressed', String(on));
    setText(b, () => t(on ? 'explore.morph_pause' : 'explore.morph_play'));
    if (on) requestAnimationFrame((t) => this.animate(t));
  }

  // Back and forth along the path, one frame per display frame at most.
  async animate(time) {
    if (!this.playing) return;
    if (!this.frameBusy) {
      this.frameBusy = true;
      const t = (1 - Math.cos((time / 2500) * Math.PI)) / 2;
      try {
        drawRgba($('morph'), await this.engine.call('frame', { a: this.kept[0], b: this.kept[1], t }));
        this.state.morphFrames++;
      } catch {
        // ignore: the model may be changing
      }
      this.frameBusy = false;
    }
    requestAnimationFrame((t) => this.animate(t));
  }
}

// What a direction's measure found, in words and its own figures: the
// measure at each amount, then the verdict over the range it is offered
// over (-2..2, or -1..1 where the wider one failed).
const pct = (v) => `${(100 * v).toFixed(1)}%`;
function describe(d, amounts) {
  const fmt = (v) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));
  const what = d.kind === 'principal' ? t('explore.principal_change') : core('direction', d.name, 'measures', d.measures);
  const v = d.in_range, r = d.range;
  let text = t('explore.facts', { what, at: d.at.map(fmt).join(' → '), amounts: amounts.join(t('explore.list_sep')), r,
    mono: pct(v.monotonicity) });
  if (v.class_retention !== null)
    text += t('explore.facts_class', { kept: pct(v.class_retention), lo: pct(v.class_read_ends[0]), mid: pct(d.class_read_at_0),
      hi: pct(v.class_read_ends[1]), r });
  if (r < 2) text += t('explore.facts_failed2', { why: failure(d) });
  return text + t('explore.facts_end');
}

// A direction's name: an attribute's from the engine's table, pc1, pc2… as they are.
const dirName = (d) => (d.kind === 'principal' ? d.name : core('direction', d.name, 'label', d.name));

// The engine's reasons (directions.c) in the page's language: its sentences,
// read back into their numbers; one it does not know is shown as it came.
const WHY = [
  [/^its mean does not move monotonically$/, () => t('explore.why.mean')],
  [/^only ([\d.]+)% of samples move monotonically \(([\d.]+)% needed\)$/, (m) => t('explore.why.mono', { p: m[1], need: m[2] })],
  [/^only ([\d.]+)% keep their class at one end \(([\d.]+)% needed\)$/, (m) => t('explore.why.class', { p: m[1], need: m[2] })],
];
function why(s) {
  for (const [re, fn] of WHY) {
    const m = re.exec(s);
    if (m) return fn(m);
  }
  return s;
}

// Why a direction failed over -2..2, in the engine's words (directions.h's rule).
function failure(d) {
  return (d.why.map(why).join(t('explore.why_sep')) || t('explore.why.failed')) + (d.offered ? '' : t('explore.why.also1'));
}

// The strips grid (a row per direction, as the engine draws grids: PAD
// pixels apart and around) cut into one canvas per row.
function drawStrips(img, canvases) {
  const n = canvases.length;
  if (!n) return;
  const band = (img.height - PAD) / n; // one image and its gap
  const all = new Uint8ClampedArray(img.pixels);
  canvases.forEach((c, i) => {
    const y0 = Math.round(i * band), h = Math.round(band + PAD);
    const part = all.slice(y0 * img.width * 4, (y0 + h) * img.width * 4);
    if (c.width !== img.width || c.height !== h) {
      c.width = img.width;
      c.height = h;
    }
    c.getContext('2d').putImageData(new ImageData(part, img.width, h), 0, 0);
  });
}
