// mode-2d.js: the 2-D mode. A GAN on points in the plane, drawn every frame:
// D's belief over the plane (a heatmap with its 50/50 line), G's manifold,
// real and fake points, and the arrows G's loss pushes the fakes along.
// The engine trains in the worker (worker-2d.js); this module asks for a
// frame whenever it has drawn the last one, so drawing keeps the display's
// pace whatever the training rate. Slow motion walks one round through the
// algorithm's parts with the batch the engine really used.
// Address: #view=2d&dist=ring&lr_g=0.002 ..., #lesson=NAME, &present=1,
// #embed=2d or #embed=LESSON, &pace=SECONDS (slow motion's pace: present.js).

import { LineChart, chartCanvas, labelPx } from './charts.js';
import { apply, core, onLang, t } from './i18n.js';
import { Present } from './present.js';
import { Overview } from './overview.js';
import { Save2d } from './save2d.js';
import { settingField } from './settings.js';
import { $, clean, fieldMessage, fmt, setText } from './util.js';

// a number to digits, without a minus before zero ("-0.000" reads as a sign that is not there)
const fmt0 = (v, digits) => fmt(v, digits).replace(/^-(0\.?0*)$/, '$1');

const GRID = 64; // D's grid: GRID x GRID cells, evaluated every frame
const MESH = 24; // G's manifold: MESH x MESH noise points (MESH*4 on a line for 1-D noise)
const POINTS = 500; // real and fake points drawn
const ARROWS = 48; // fakes with an arrow
const FRAME_SEED = 99; // the fakes drawn come from fixed noise, so they move as G learns
const KEYS = ['view', 'dist', 'lesson', 'present', 'embed', 'pace', 'lang'];

const css = (n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim();
const sigmoid = (s) => 1 / (1 + Math.exp(-s));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A line from (x, y) to (x2, y2) with a head at its end; a: its angle.
function arrow(ctx, x, y, x2, y2, a) {
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x2, y2);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x2, y2);
  ctx.lineTo(x2 - 6 * Math.cos(a - 0.45), y2 - 6 * Math.sin(a - 0.45));
  ctx.lineTo(x2 - 6 * Math.cos(a + 0.45), y2 - 6 * Math.sin(a + 0.45));
  ctx.fill();
}

export class Mode2d {
  constructor(engine, onUrl) {
    this.engine = engine;
    this.onUrl = onUrl; // (hash) => void: the page writes the address
    this.ready = false;
    this.visible = false;
    this.info = null; // the engine's distributions and lessons: {box, distributions, lessons}
    this.table = null; // the engine's settings table
    this.cfg = null; // the model's settings
    this.pending = null;
    this.frame = null;
    this.busy = false; // a frame request is out
    this.slow = false; // slow motion is playing
    this.drawn = []; // points drawn for "drawn", x y pairs
    this.lesson = null;
    this.pace = 1100; // ms per slow-motion phase
    this.frameSeed = FRAME_SEED; // a saved run brings its own (save2d.js)
    this.overlay = null; // what slow motion draws over the frame
    this.said = null; // the caption under the algorithm: a function giving it in the page's language, or the engine's words
    // what the tests read
    this.state = { frames: 0, changes: 0, phases: [], phaseTimes: [], run: null, running: false, rate: 0, measure: null, dist: null, drawn: 0,
      lastFrame: null, longTasks: 0, longestTask: 0, errors: [] };
    this.canvas = $('canvas-2d');
    this.heat = document.createElement('canvas');
    this.heat.width = this.heat.height = GRID;
    engine.on('halted-2d', (m) => {
      this.state.running = false;
      this.state.errors.push(errorText(m.message));
      this.say(() => (m.reason ? t('2d.halted', { reason: m.reason }) : errorText(m.message)));
      this.showStats();
    });
    this.lossChart = new LineChart($('chart-loss-2d'), { width: 5, ymin: null, series: [{ color: '--d-color', column: 1 },
      { color: '--g-color', column: 2 }], empty: t('2d.chart.empty_loss') });
    this.divChart = new LineChart($('chart-div-2d'), { width: 3, ymin: 0, minTop: 0.7, series: [{ color: '--real-color', column: 1 },
      { color: '--fd-color', column: 2 }], empty: t('2d.chart.empty_div') });
    // the model overview graph: its flow follows the counts, a part pointed at is picked out in the plane
    this.overview = new Overview($('overview-2d'), { kind: '2d', onHighlight: (part) => {
      this.state.highlight = part;
      this.draw();
    } });
    this.state.overview = this.overview.state;
    this.state.highlight = null; // the part pointed at, and the layers of the plane it picks out
    this.state.highlightLayers = [];
    this.wire();
    this.present = new Present(this);
    this.saved = new Save2d(this); // Save this run, Open a saved run
    onLang(() => this.relabel());
  }

  // The caption under the algorithm (phases, lessons, messages): fn gives it in the page's language.
  say(fn) {
    this.said = typeof fn === 'function' ? fn : () => this.words(String(fn));
    setText($('phase-2d'), this.said());
  }

  // A message of the worker or the engine in the page's language as far as it goes: the worker's
  // part by key, a setting's label at its start from the engine's table; the engine's reason stays as it said it.
  words(message) {
    const text = errorText(message);
    const row = this.table && this.table.settings.find((r) => text.startsWith(`${r.label}: `));
    return row ? core('setting', row.name, 'label', row.label) + t('2d.colon') + text.slice(row.label.length + 2) : text;
  }

  // The words the mode writes itself, again in the page's language.
  relabel() {
    this.lossChart.empty = t('2d.chart.empty_loss');
    this.divChart.empty = t('2d.chart.empty_div');
    this.lossChart.queue();
    this.divChart.queue();
    if (!this.ready) return;
    const dist = $('dist-2d').value;
    this.buildDist();
    $('dist-2d').value = dist;
    this.buildFields();
    this.buildLessons();
    this.showFields();
    this.showStats();
    this.showDrawn();
    if (this.said) setText($('phase-2d'), this.said());
    this.present.showLesson(this.lesson);
    if (this.frame) this.drawGrad();
  }

  // ---- setup -----------------------------------------------------------------

  wire() {
    $('play-btn-2d').onclick = () => this.toggle();
    $('round-2d').onclick = () => (this.present.on ? this.slowRound() : this.step('round'));
    $('d-2d').onclick = () => this.step('d');
    $('g-2d').onclick = () => this.step('g');
    $('slow-2d').onclick = () => this.slowRound();
    $('reset-2d').onclick = () => this.act(async () => this.took(await this.engine.call('reset2d'), true));
    $('speed-2d').onchange = (e) => this.engine.call('speed2d', { speed: Number(e.target.value) });
    $('dist-2d').onchange = (e) => this.pickDist(e.target.value);
    $('draw-use-2d').onclick = () => this.useDrawn();
    $('draw-clear-2d').onclick = () => {
      this.drawn = [];
      this.showDrawn();
    };
    for (const id of ['show-heat', 'show-mesh', 'show-arrows', 'show-real', 'show-fake']) $(id).onchange = () => this.draw();
    let down = false;
    const add = (e) => {
      if ($('dist-2d').value !== 'drawn' || this.drawn.length / 2 >= 2000) return;
      const r = this.canvas.getBoundingClientRect(), B = this.box();
      const x = ((e.clientX - r.left) / r.width) * 2 * B - B, y = B - ((e.clientY - r.top) / r.height) * 2 * B;
      const last = this.drawn.length - 2;
      if (last >= 0 && Math.hypot(this.drawn[last] - x, this.drawn[last + 1] - y) < 0.04) return;
      this.drawn.push(Math.max(-B, Math.min(B, x)), Math.max(-B, Math.min(B, y)));
      this.showDrawn();
    };
    this.canvas.addEventListener('pointerdown', (e) => {
      down = true;
      this.canvas.setPointerCapture(e.pointerId);
      add(e);
    });
    this.canvas.addEventListener('pointermove', (e) => down && add(e));
    const up = () => (down = false);
    this.canvas.addEventListener('pointerup', up);
    this.canvas.addEventListener('pointercancel', up);
    // long tasks on the page's thread while the 2-D mode is open (the tests read the count)
    if (typeof PerformanceObserver === 'function' && PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
      new PerformanceObserver((list) => {
        if (!this.visible) return;
        for (const e of list.getEntries()) {
          this.state.longTasks++;
          this.state.longestTask = Math.max(this.state.longestTask, e.duration);
        }
      }).observe({ type: 'longtask', buffered: false });
    }
  }

  box() {
    return this.info ? this.info.box : 1.5;
  }

  async act(fn) {
    try {
      return await fn();
    } catch (e) {
      this.state.errors.push(errorText(e.message));
      this.lastError = e.message;
      this.say(e.message);
      return null;
    }
  }

  // Opens the mode: the engine's 2-D session, then what the address asks for.
  async open(hash, table) {
    this.table = table;
    this.visible = true;
    if (!this.ready) {
      const r = await this.engine.call('init2d');
      this.info = r.tables.dists;
      this.defaults = { ...r.pending }; // the address keeps what differs from these
      this.buildDist();
      this.buildFields();
      this.buildLessons();
      this.ready = true;
      this.took(r, true);
      if (!this.said) this.say(() => t('2d.phase.idle'));
      for (const el of document.querySelectorAll('.mode-2d')) apply(el); // the 2-D sections' static words
    }
    const refused = this.present.open(hash); // the pace, before the address is written
    const lesson = hash.lesson || (hash.embed !== '2d' && hash.embed);
    if (this.saved.keeps(hash)) this.present.showLesson(this.lesson); // an opened saved run stays for presentation
    else if (lesson) await this.openLesson(lesson, hash);
    else if (hash.dist || Object.keys(hash).some((k) => !KEYS.includes(k))) await this.configure(hash);
    if (refused) this.say(refused);
    this.loop();
  }

  close() {
    this.visible = false;
    if (this.state.running) this.toggle();
  }

  buildDist() {
    const pick = $('dist-2d');
    pick.textContent = '';
    for (const d of this.info.distributions) pick.add(new Option(core('dist', d.name, 'label', d.label), d.name));
  }

  buildLessons() {
    const list = $('lesson-list-2d');
    list.textContent = '';
    for (const l of this.info.lessons) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `#lesson=${l.name}`;
      a.textContent = core('lesson', l.name, 'title', l.title);
      a.id = `lesson-${l.name}`;
      const p = document.createElement('p');
      p.textContent = core('lesson', l.name, 'text', l.text);
      li.append(a, p);
      list.append(li);
    }
  }

  // One field per setting the 2-D GAN has (the engine's table, image-only rows left out).
  buildFields() {
    const box = $('fields-2d');
    box.textContent = '';
    this.fields = new Map();
    for (const row of this.table.settings.filter((r) => r.scope !== 'image')) {
      // the noise of a 2-D GAN has one or two dimensions
      const options = row.name === 'latent' ? [['1', t('2d.noise1')], ['2', t('2d.noise2')]] : null;
      const { field, input, msg } = settingField(localRow(row), `f-${row.name}-2d`, options);
      const when = field.querySelector('.when');
      if (when) when.textContent = ` · ${t('2d.at_reset')}`;
      input.addEventListener('change', () => this.setField(row, input, msg));
      box.append(field);
      this.fields.set(row.name, { input, msg, row });
    }
  }

  showFields() {
    if (!this.fields || !this.pending) return;
    for (const [key, f] of this.fields) {
      const v = this.pending[key];
      if (v !== undefined && document.activeElement !== f.input) f.input.value = typeof v === 'number' ? String(clean(v)) : String(v);
    }
    const dist = this.pending.dataset;
    // while points are being drawn, the picker stays on "drawn"
    if (!this.drawing && this.info && this.info.distributions.some((d) => d.name === dist)) $('dist-2d').value = dist;
    const d = this.info && this.info.distributions.find((x) => x.name === $('dist-2d').value);
    setText($('dist-help-2d'), d ? core('dist', d.name, 'help', d.help) : '');
    $('draw-2d').hidden = $('dist-2d').value !== 'drawn';
    this.state.dist = $('dist-2d').value;
  }

  async setField(row, input, msg) {
    const r = await this.act(() => this.engine.call('set2d', { key: row.name, value: input.value }));
    if (!r) {
      fieldMessage(input, msg, t('2d.refused', { error: this.words(this.lastError), value: input.value }));
      input.value = String(typeof this.pending[row.name] === 'number' ? clean(this.pending[row.name]) : this.pending[row.name]);
      return;
    }
    fieldMessage(input, msg, r.applied === 'now' ? t('2d.applied_now') : t('2d.applied_reset'), 'note');
    this.lesson = null;
    this.took(r);
    this.writeUrl();
  }

  // ---- what the engine says --------------------------------------------------

  // A state answer: stats, settings, measurements; reset clears the charts.
  took(r, reset = false) {
    if (!r) return;
    this.dirty = true; // the next display frame fetches what changed
    this.state.changes++;
    this.cfg = r.config;
    this.pending = r.pending;
    this.state.run = r.run;
    this.state.running = r.running;
    this.state.rate = r.run ? r.run.steps_per_s : 0;
    this.state.measure = r.measure;
    this.state.config = r.config;
    this.state.pending = r.pending;
    if (reset) {
      this.lossChart.clear();
      this.divChart.clear();
      this.frame = null;
    }
    this.showFields();
    this.showStats();
  }

  showStats() {
    const st = this.state.run;
    if (!st) return;
    const { rounds, step: gSteps, d_step: dSteps } = st;
    const num = (v) => (v === null ? NaN : v);
    const fmt = (v, d) => fmt0(v, d);
    const [dLoss, gLoss, dReal, dFake] = [st.d_loss, st.g_loss, st.d_real, st.d_fake].map(num);
    setText($('rounds-2d'), String(rounds));
    setText($('dstep-2d'), String(dSteps));
    setText($('gstep-2d'), String(gSteps));
    setText($('rate-2d'), this.state.running && this.state.rate > 0 ? String(Math.round(this.state.rate)) : '–');
    setText($('dloss-2d'), dSteps ? fmt(dLoss, 3) : '–');
    setText($('gloss-2d'), gSteps ? fmt(gLoss, 3) : '–');
    setText($('dreal-2d'), dSteps ? fmt(dReal, 3) : '–');
    setText($('dfake-2d'), dSteps ? fmt(dFake, 3) : '–');
    // which half-step each readout belongs to: D's after a D step, G's after a G step
    for (const [id, n, key] of [['dloss', dSteps, 'train.at_d'], ['gloss', gSteps, 'train.at_g'], ['dreal', dSteps, 'train.at_d'],
      ['dfake', dSteps, 'train.at_d']]) {
      let at = $(`${id}-at-2d`);
      if (!at) {
        at = document.createElement('small');
        at.id = `${id}-at-2d`;
        at.className = 'at-2d';
        $(`${id}-2d`).after(at);
      }
      setText(at, n ? t(key, { n }) : '');
    }
    this.overview.show({ dStep: dSteps, gStep: gSteps, dLoss, gLoss, dReal, dFake });
    const loss = this.loss();
    setText($('dreal-label-2d'), core('loss', loss.name, 'd_real_label', loss.d_real_label));
    setText($('dfake-label-2d'), core('loss', loss.name, 'd_fake_label', loss.d_fake_label));
    setText($('play-btn-2d'), t(this.state.running ? '2d.btn.pause' : '2d.btn.play'));
    for (const id of ['round-2d', 'd-2d', 'g-2d', 'slow-2d', 'reset-2d']) $(id).disabled = this.state.running || this.slow;
    $('play-btn-2d').disabled = this.slow;
    // the printed worksheet's heading: the lesson open (print.css)
    const l = this.lesson;
    setText($('worksheet-title-2d'), l ? core('lesson', l.name, 'title', l.title) : t('2d.title'));
    setText($('worksheet-text-2d'), l ? core('lesson', l.name, 'text', l.text) : '');
    const m = this.state.measure;
    if (m) {
      setText($('coverage-2d'), m.modes_total
        ? t('2d.coverage', { covered: m.modes_covered, total: m.modes_total, share: Math.round(100 * m.high_quality_share) })
        : t('2d.coverage.none'));
      $('coverage-2d').title = t('2d.coverage.title');
      setText($('kljs-2d'), t('2d.kljs', { round: rounds, kl: fmt(m.kl, 3), js: fmt(m.js, 3) }));
    }
  }

  // The loss of the model on show, as the engine's table describes it.
  loss() {
    const name = this.cfg ? this.cfg.loss : 'nonsaturating';
    return this.table.losses.find((l) => l.name === name) || this.table.losses[0];
  }

  probability() {
    return this.loss().probability;
  }

  // ---- controls ----------------------------------------------------------------

  async toggle() {
    const r = await this.act(() => this.engine.call(this.state.running ? 'pause2d' : 'play2d'));
    this.took(r);
    this.loop();
  }

  async step(kind) {
    const r = await this.act(() => this.engine.call('step2d', { kind }));
    if (!r) return null;
    this.took(r);
    await this.fetchFrame();
    return r;
  }

  async pickDist(name) {
    this.drawing = name === 'drawn';
    $('draw-2d').hidden = name !== 'drawn';
    this.state.dist = name;
    if (name === 'drawn') {
      const d = this.info.distributions.find((x) => x.name === name);
      setText($('dist-help-2d'), core('dist', d.name, 'help', d.help));
      this.showDrawn();
      return; // the points come first
    }
    const r = await this.act(() => this.engine.call('dist2d', { name }));
    this.took(r);
    this.lesson = null;
    this.writeUrl();
    await this.fetchFrame();
  }

  showDrawn() {
    const n = this.drawn.length / 2;
    this.state.drawn = n;
    setText($('draw-count-2d'), t(n === 1 ? '2d.draw.count1' : '2d.draw.count', { n }));
    $('draw-use-2d').disabled = n === 0;
    this.draw();
  }

  async useDrawn() {
    const r = await this.act(() => this.engine.call('dist2d', { name: 'drawn', points: this.drawn }));
    if (!r) return;
    this.drawing = false;
    this.took(r);
    this.state.dist = 'drawn';
    await this.fetchFrame();
  }

  async openLesson(name, hash = {}) {
    const lesson = this.info.lessons.find((l) => l.name === name);
    if (!lesson) {
      this.state.errors.push(`There is no lesson “${name}”.`);
      this.say(() => t('2d.no_lesson', { name }));
      return;
    }
    const r = await this.act(() => this.engine.call('lesson2d', { name }));
    this.lesson = lesson;
    this.took(r, true);
    this.state.lesson = lesson.name;
    this.say(() => t('2d.phase.idle')); // the lesson's words are in their box
    this.writeUrl(hash);
    if (lesson.dist === 'drawn') await this.pickDist('drawn'); // the student draws, then trains
    await this.fetchFrame();
  }

  // Settings from the address: the defaults, then each key; refusals are reported.
  async configure(hash) {
    const settings = {};
    for (const [k, v] of Object.entries(hash)) if (!KEYS.includes(k)) settings[k] = v;
    const r = await this.act(() => this.engine.call('configure2d', { settings, dist: hash.dist && hash.dist !== 'drawn' ? hash.dist : null }));
    this.lesson = null;
    this.state.lesson = null;
    this.present.showLesson(null);
    this.took(r, true);
    if (r && r.refused.length) this.say(() => t('2d.link_refused', { refused: r.refused.map((m) => this.words(m)).join('; ') }));
    await this.fetchFrame();
  }

  // The address for this setup: a lesson's name, or the settings that differ from the defaults.
  writeUrl(hash = {}) {
    const p = new URLSearchParams();
    if (this.lesson) p.set('lesson', this.lesson.name);
    else {
      p.set('view', '2d');
      if (this.pending) {
        p.set('dist', this.pending.dataset);
        for (const [key, f] of this.fields || []) {
          const v = this.pending[key], d = this.defaults ? this.defaults[key] : undefined;
          if (v !== undefined && String(v) !== String(d)) p.set(key, typeof v === 'number' ? String(clean(v)) : String(v));
        }
      }
    }
    this.present.toUrl(p);
    this.present.showLesson(this.lesson);
    if (hash.present) p.set('present', hash.present);
    const h = `#${p.toString()}`;
    $('link-2d').href = h;
    $('present-2d').href = `${h}&present=1`;
    $('embed-2d').href = `#embed=${this.lesson ? this.lesson.name : '2d'}`;
    if (!hash.embed) this.onUrl(h);
  }

  // ---- frames ----------------------------------------------------------------------

  // Asks for a frame when the last one is drawn, while the mode is on screen
  // and something changes (training, or an answer from the engine); idle, it
  // costs nothing.
  loop() {
    if (this.looping || !this.visible) return;
    this.looping = true;
    const tick = async () => {
      if (!this.visible) {
        this.looping = false;
        return;
      }
      if (!this.slow && (this.state.running || this.dirty)) {
        this.dirty = false;
        await this.fetchFrame();
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  async fetchFrame() {
    if (this.busy || !this.ready) return;
    this.busy = true;
    const asOf = this.state.changes; // the engine's answers this frame reflects
    try {
      const latent = this.cfg ? this.cfg.latent : 2;
      const f = await this.engine.call('frame2d', { grid: GRID, mesh: latent === 1 ? MESH * 4 : MESH, n: POINTS,
        arrows: Math.min(ARROWS, this.cfg ? this.cfg.batch : ARROWS), seed: this.frameSeed });
      this.frame = f;
      if (f.points.length) this.lossChart.append(f.points);
      if (f.measures.length) this.divChart.append(f.measures);
      if (f.run) this.state.run = f.run;
      this.state.running = f.running;
      this.state.rate = f.run ? f.run.steps_per_s : 0;
      if (f.measure) this.state.measure = f.measure;
      this.state.frames++;
      this.state.lastFrame = { round: f.run ? f.run.rounds : 0, grid: hash(f.grid), fake: hash(f.fake), mesh: hash(f.mesh),
        arrows: hash(f.arrows), gridMean: mean(f.grid), asOf };
      this.showStats();
      this.draw();
      this.drawGrad();
    } catch (e) {
      this.state.errors.push(errorText(e.message));
    } finally {
      this.busy = false;
    }
  }

  // ---- drawing -----------------------------------------------------------------------

  px(x, y) {
    const B = this.box(), c = this.canvas;
    return [((x + B) / (2 * B)) * c.width, ((B - y) / (2 * B)) * c.height];
  }

  draw() {
    const c = this.canvas, ctx = c.getContext('2d');
    const f = this.frame, big = document.body.classList.contains('present') ? 1.6 : 1;
    ctx.fillStyle = css('--chart-bg');
    ctx.fillRect(0, 0, c.width, c.height);
    // a part of the overview graph pointed at: its layers drawn (even if switched off) and bolder, the others faded
    const hi = this.overview.layers(), on = (l, id) => (hi && hi.has(l)) || $(id).checked;
    const fade = (l) => (ctx.globalAlpha = hi && !hi.has(l) ? 0.2 : 1), em = (l) => (hi && hi.has(l) ? 1.7 : 1);
    this.state.highlightLayers = hi ? [...hi] : [];
    if (f && (on('heat', 'show-heat') || on('line', 'show-heat'))) this.drawHeat(ctx, f, hi);
    ctx.globalAlpha = 1;
    this.drawAxes(ctx);
    if (f && on('mesh', 'show-mesh')) fade('mesh'), this.drawMesh(ctx, f, em('mesh'));
    if (f && on('real', 'show-real')) fade('real'), this.drawPoints(ctx, f.real, '#1f9d55', 2.2 * big * em('real'));
    if (f && on('fake', 'show-fake')) fade('fake'), this.drawPoints(ctx, f.fake, '#8e3fd0', 2.2 * big * em('fake'));
    if (f && on('arrows', 'show-arrows') && !this.overlay) fade('arrows'), this.drawArrows(ctx, f.fake, f.arrows, '#d9480f', em('arrows'));
    ctx.globalAlpha = 1;
    if (this.drawn.length && $('dist-2d').value === 'drawn') this.drawPoints(ctx, Float32Array.from(this.drawn), '#0b7285', 3.5);
    if (this.overlay) this.drawOverlay(ctx, this.overlay, big);
  }

  // D's surface and its 50/50 line; pick: the layers picked out (null: none)
  drawHeat(ctx, f, pick = null) {
    const n = f.gridN, img = new ImageData(n, n), prob = this.probability(), shown = $('show-heat').checked;
    // light for "real", dark for "fake"; raw scores are shaded by their sigmoid
    const lo = [47, 59, 82], hi = [242, 230, 201];
    for (let i = 0; i < n * n; i++) {
      const v = prob ? f.grid[i] : sigmoid(f.grid[i]);
      const t = Math.max(0, Math.min(1, v));
      for (let k = 0; k < 3; k++) img.data[4 * i + k] = lo[k] + (hi[k] - lo[k]) * t;
      img.data[4 * i + 3] = 255;
    }
    if (this.heat.width !== n) this.heat.width = this.heat.height = n;
    this.heat.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.globalAlpha = pick && !pick.has('heat') ? 0.35 : 1;
    if (shown || pick.has('heat')) ctx.drawImage(this.heat, 0, 0, this.canvas.width, this.canvas.height);
    if (!shown && !pick.has('line')) return;
    ctx.globalAlpha = pick && !pick.has('line') ? 0.25 : 1;
    // the 50/50 line: marching squares on the grid's cell centres
    const level = prob ? 0.5 : 0, W = this.canvas.width / n, H = this.canvas.height / n;
    ctx.strokeStyle = '#f08c00';
    ctx.lineWidth = pick && pick.has('line') ? 4 : 2;
    ctx.beginPath();
    const at = (r, c) => f.grid[r * n + c] - level;
    for (let r = 0; r + 1 < n; r++) {
      for (let c = 0; c + 1 < n; c++) {
        const v = [at(r, c), at(r, c + 1), at(r + 1, c + 1), at(r + 1, c)];
        const pts = [];
        const corner = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1]];
        for (let e = 0; e < 4; e++) {
          const a = v[e], b = v[(e + 1) % 4];
          if ((a < 0) !== (b < 0)) {
            const t = a / (a - b), p = corner[e], q = corner[(e + 1) % 4];
            pts.push([(p[0] + t * (q[0] - p[0]) + 0.5) * W, (p[1] + t * (q[1] - p[1]) + 0.5) * H]);
          }
        }
        for (let k = 0; k + 1 < pts.length; k += 2) {
          ctx.moveTo(pts[k][0], pts[k][1]);
          ctx.lineTo(pts[k + 1][0], pts[k + 1][1]);
        }
      }
    }
    ctx.stroke();
  }

  drawAxes(ctx) {
    const [x0, y0] = this.px(0, 0), c = this.canvas;
    ctx.strokeStyle = 'rgba(128,128,128,0.35)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, y0);
    ctx.lineTo(c.width, y0);
    ctx.moveTo(x0, 0);
    ctx.lineTo(x0, c.height);
    ctx.stroke();
  }

  drawMesh(ctx, f, em = 1) {
    const m = f.meshN, pts = f.mesh;
    ctx.strokeStyle = em > 1 ? 'rgba(142,63,208,0.75)' : 'rgba(142,63,208,0.28)';
    ctx.lineWidth = 0.8 * em;
    ctx.beginPath();
    const line = (idx) => {
      idx.forEach((i, k) => {
        const [x, y] = this.px(pts[2 * i], pts[2 * i + 1]);
        if (k) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
      });
    };
    if (f.latent === 1) line([...Array(m).keys()]);
    else {
      for (let r = 0; r < m; r++) line([...Array(m).keys()].map((c) => r * m + c));
      for (let c = 0; c < m; c++) line([...Array(m).keys()].map((r) => r * m + c));
    }
    ctx.stroke();
  }

  drawPoints(ctx, pts, color, r) {
    ctx.fillStyle = color;
    ctx.strokeStyle = 'rgba(255,255,255,0.7)';
    ctx.lineWidth = 0.6;
    ctx.beginPath();
    for (let i = 0; i < pts.length; i += 2) {
      const [x, y] = this.px(pts[i], pts[i + 1]);
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
  }

  // Arrows of -dL_G/dx, scaled so that the longest is a tenth of the plane.
  drawArrows(ctx, pts, grads, color, em = 1) {
    const n = grads.length / 2;
    if (!n) return;
    // the engine's scale, the same in every frame: a short arrow is a small gradient
    const k = this.info ? this.info.arrow_scale : 0.1, most = this.info ? this.info.arrow_max : 0.5;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.6 * em;
    for (let i = 0; i < n; i++) {
      const g = Math.hypot(grads[2 * i], grads[2 * i + 1]), cut = k * g > most ? most / (k * g) : 1;
      if (!(g > 0)) continue;
      const [x, y] = this.px(pts[2 * i], pts[2 * i + 1]);
      const [x2, y2] = this.px(pts[2 * i] + cut * k * grads[2 * i], pts[2 * i + 1] + cut * k * grads[2 * i + 1]);
      const a = Math.atan2(y2 - y, x2 - x), len = Math.hypot(x2 - x, y2 - y);
      if (len < 1) continue;
      arrow(ctx, x, y, x2, y2, a);
    }
    this.drawArrowLegend(ctx, color, em);
  }

  // The arrows' scale: an arrow for a gradient of 1, in the lower right corner.
  drawArrowLegend(ctx, color, em = 1) {
    const k = this.info ? this.info.arrow_scale : 0.1, most = this.info ? this.info.arrow_max : 0.5, B = this.box();
    const big = document.body.classList.contains('present') ? 1.6 : 1, c = this.canvas;
    const text = t('2d.arrow_legend', { most: clean(most / k) });
    ctx.font = `${Math.round(13 * big)}px system-ui, sans-serif`;
    const w = ctx.measureText(text).width, len = this.px(k, 0)[0] - this.px(0, 0)[0];
    const x2 = c.width - 10 - w - 8, x = x2 - len, y = c.height - 12 * big;
    this.state.arrowLegend = { px: len, text };
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(x - 6, y - 10 * big, len + w + 26, 20 * big);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.6 * em;
    arrow(ctx, x, y, x2, y, 0);
    ctx.fillStyle = '#333';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, x2 + 8, y);
    ctx.textBaseline = 'alphabetic';
  }

  // Slow motion's layer: the batch the engine used, as far as the phase goes.
  drawOverlay(ctx, o, big) {
    const ring = (pts, color, values) => {
      ctx.lineWidth = 2;
      for (let i = 0; i < pts.length; i += 2) {
        const [x, y] = this.px(pts[i], pts[i + 1]);
        ctx.strokeStyle = color;
        ctx.beginPath();
        ctx.arc(x, y, 5 * big, 0, 2 * Math.PI);
        ctx.stroke();
        if (values) {
          ctx.fillStyle = `rgba(255,255,255,${0.25 + 0.75 * Math.max(0, Math.min(1, values[i / 2]))})`;
          ctx.fill();
        }
      }
    };
    const b = o.batch;
    if (b.real && o.showReal) ring(b.real, '#1f9d55', o.judged ? b.dReal : null);
    if (o.showFake) ring(o.fakeAt || b.fake, '#8e3fd0', o.judged ? b.dFake : null);
    if (o.arrows) this.drawArrows(ctx, b.fake, b.grad, '#d9480f');
    if (o.z) { // the noise batch in its own small square, bottom left
      const s = 110, pad = 8, c = this.canvas, r = this.cfg && this.cfg.noise === 'uniform' ? 1 : 2.5;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(pad, c.height - s - pad, s, s);
      ctx.strokeStyle = '#888';
      ctx.strokeRect(pad, c.height - s - pad, s, s);
      ctx.fillStyle = '#444';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(t('2d.noise_z'), pad + 4, c.height - s - pad + 14);
      ctx.fillStyle = '#8e3fd0';
      for (let i = 0; i < b.z.length; i += 2) {
        const x = pad + ((b.z[i] + r) / (2 * r)) * s, y = c.height - pad - ((b.z[i + 1] + r) / (2 * r)) * s;
        ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      }
    }
  }

  // G's gradient through D's score against D(G(z)), for the losses whose D is
  // a probability (the curves are the engine's loss table's: |dL_G/ds| = D
  // for the minimax loss, 1 - D for the non-saturating one); the dots are
  // the fakes on screen under the loss in use.
  drawGrad() {
    const area = chartCanvas($('chart-grad-2d'));
    if (!area) return;
    const { ctx, w, h } = area;
    const fs = labelPx($('chart-grad-2d')), L = 3.3 * fs, R = 10, T = 10, Bm = 2.4 * fs, X = (d) => L + d * (w - L - R), Y = (g) => h - Bm - g * (h - T - Bm);
    ctx.strokeStyle = css('--chart-axis');
    ctx.strokeRect(L, T, w - L - R, h - T - Bm);
    ctx.fillStyle = css('--chart-text');
    ctx.font = `${fs}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    for (const d of [0, 0.5, 1]) ctx.fillText(String(d), X(d), h - Bm + 1.3 * fs);
    ctx.fillText('D(G(z))', X(0.5), h - 2);
    ctx.textAlign = 'right';
    for (const g of [0, 0.5, 1]) ctx.fillText(String(g), L - 4, Y(g) + 0.35 * fs);
    const losses = Object.fromEntries(this.table.losses.map((l) => [l.name, l]));
    // |dL_G/ds| at D(G(z)) = d, read off the engine's curve (points evenly spaced on [0, 1])
    const at = (curve, d) => {
      const x = Math.max(0, Math.min(1, d)) * (curve.length - 1), i = Math.min(curve.length - 2, Math.floor(x));
      return curve[i] + (curve[i + 1] - curve[i]) * (x - i);
    };
    const curve = (c, color) => {
      ctx.strokeStyle = css(color);
      ctx.lineWidth = 2;
      ctx.beginPath();
      c.forEach((g, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, X(i / (c.length - 1)), Y(g)));
      ctx.stroke();
    };
    curve(losses.minimax.g_gradient, '--d-color');
    curve(losses.nonsaturating.g_gradient, '--g-color');
    const loss = this.cfg ? this.cfg.loss : '';
    const f = this.frame;
    if (!f || (loss !== 'minimax' && loss !== 'nonsaturating')) {
      setText($('grad-note-2d'), t('2d.grad.note'));
      return;
    }
    ctx.fillStyle = css(loss === 'minimax' ? '--d-color' : '--g-color');
    for (let i = 0; i < f.fakeD.length; i += 2) {
      const d = f.fakeD[i];
      ctx.globalAlpha = 0.5;
      ctx.beginPath();
      ctx.arc(X(d), Y(at(losses[loss].g_gradient, d)), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    const md = mean(f.fakeD);
    setText($('grad-note-2d'), t('2d.grad.dots', { loss: t(loss === 'minimax' ? '2d.chart.minimax' : '2d.chart.nonsat'), mean: md.toFixed(2) }));
  }

  // ---- slow motion -------------------------------------------------------------------------

  phase(name, text) {
    if (name) {
      this.state.phases.push(name);
      this.state.phaseTimes.push(performance.now()); // when each part began (the tests measure the pace)
    }
    for (const li of $('algorithm-2d').children) li.classList.toggle('active', li.dataset.phase === name);
    this.overview.phase(name, this.pace);
    this.say(text);
    this.draw();
  }

  // One round, part by part: each of the D steps, then each of the G steps, with
  // the batch the engine used and its values before and after each update.
  async slowRound() {
    if (this.slow || this.state.running) return;
    this.slow = true;
    this.overview.setHold(true);
    this.state.phases = [];
    this.state.phaseTimes = [];
    this.showStats();
    const prob = this.probability(), D = (v) => (prob ? v.toFixed(2) : t('2d.score', { v: v.toFixed(2) }));
    try {
      const dSteps = this.cfg.d_steps, gSteps = this.cfg.g_steps;
      for (let k = 0; k < dSteps; k++) {
        const tag = () => (dSteps > 1 ? t('2d.slow.dtag', { k: k + 1, n: dSteps }) : '');
        const r = await this.engine.call('step2d', { kind: 'd' });
        const b = r.batch;
        this.overlay = { batch: b, showReal: true, z: true };
        this.phase('sample', () => t('2d.slow.sample', { n: b.n, tag: tag() }));
        await sleep(this.pace);
        this.overlay = { batch: b, showReal: true, showFake: true, z: true };
        this.phase('generate', () => t('2d.slow.generate'));
        await sleep(this.pace);
        this.overlay = { batch: b, showReal: true, showFake: true, judged: true };
        this.phase('judge', () => t('2d.slow.judge', { real: D(mean(b.dReal)), fake: D(mean(b.dFake)) }));
        await sleep(this.pace);
        this.phase('dloss', () => t('2d.slow.dloss', { loss: fmt0(b.loss, 3) }));
        await sleep(this.pace);
        this.took(r);
        this.overlay = { batch: b, showReal: true, showFake: true };
        await this.fetchFrameNow();
        this.phase('dupdate', () => t('2d.slow.dupdate'));
        await sleep(this.pace);
      }
      for (let k = 0; k < gSteps; k++) {
        const tag = () => (gSteps > 1 ? t('2d.slow.gtag', { k: k + 1, n: gSteps }) : '');
        const r = await this.engine.call('step2d', { kind: 'g' });
        const b = r.batch;
        this.overlay = { batch: b, showFake: true, judged: true };
        this.phase('gloss', () => t('2d.slow.gloss', { tag: tag(), fake: D(mean(b.dFake)), loss: fmt0(b.loss, 3) }));
        await sleep(this.pace);
        this.overlay = { batch: b, showFake: true, arrows: true };
        this.phase('arrows', () => t('2d.slow.arrows'));
        await sleep(this.pace);
        this.took(r);
        // the fakes slide from where they were to where the updated G puts the same z
        const steps = 12;
        for (let i = 1; i <= steps; i++) {
          const u = i / steps, at = new Float32Array(b.fake.length);
          for (let j = 0; j < at.length; j++) at[j] = b.fake[j] + u * (b.after[j] - b.fake[j]);
          this.overlay = { batch: b, showFake: true, fakeAt: at };
          if (i === 1) this.phase('gupdate', () => t('2d.slow.gupdate'));
          else this.draw();
          await sleep(this.pace / (2 * steps));
        }
        await this.fetchFrameNow();
        await sleep(this.pace / 2);
      }
    } catch (e) {
      this.state.errors.push(errorText(e.message));
      this.say(e.message);
    } finally {
      this.overlay = null;
      this.slow = false;
      this.overview.setHold(false);
      const parts = this.state.phases.length;
      this.phase(null, () => t('2d.slow.done', { n: parts }));
      this.state.phases.push('done');
      this.state.phaseTimes.push(performance.now());
      this.showStats();
    }
  }

  async fetchFrameNow() {
    while (this.busy) await sleep(5);
    await this.fetchFrame();
  }
}

// A setting's row of the engine's table in the page's language (label, help, choices' labels).
function localRow(row) {
  const out = { ...row, label: core('setting', row.name, 'label', row.label), help: core('setting', row.name, 'help', row.help) };
  if (row.choices) out.choice_labels = row.choices.map((c, i) => core('choice', `${row.name}.${c}`, 'label', row.choice_labels[i]));
  return out;
}

// A message from the worker: "@2d.err.KEY: the engine's words" gets its first part in the page's language.
function errorText(message) {
  return String(message).replace(/^@(2d\.err\.\w+)(: )?/, (m, key, sep) => t(key) + (sep ? t('2d.colon') : ''));
}

function hash(a) {
  let h = 2166136261;
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 16777619) >>> 0;
  return h;
}

function mean(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : NaN;
}
