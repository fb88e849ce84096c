// edit.js: editing pictures with the generator. A pad to draw on (or a
// picture or a held-out digit put there), a mask painted over it, noise to
// add; the engine projects the picture onto G (gpw_project) and sends the
// path and the result; the result can be moved along a latent direction or
// redrawn as another class; the nearest training images of the result (or
// of Explore's kept sample) show whether G copies. The same pad upscales
// (the picture made small, G's image made small must match it) and, for a
// colour model, colourises (G's image's gray must match the picture's);
// the engine compares the result with bicubic interpolation (or the gray
// picture) and a held-out image's original. All the numbers are the
// engine's; this draws and asks.

import { $, drawRgba, setText } from './util.js';
import { core, t } from './i18n.js';

const SCALE = 7; // pad pixels per image pixel
const BRUSH = 15; // the brush's width on the pad, in pad pixels

export class Edit {
  constructor(engine, state, explore) {
    this.engine = engine;
    this.state = state;
    this.explore = explore;
    this.side = 28;
    this.colour = false; // a colour model's picture: coloured ink on white, as the emoji are drawn
    this.pad = $('edit-pad');
    this.picture = document.createElement('canvas'); // light ink on black (gray models), coloured ink on white (colour)
    this.mask = document.createElement('canvas'); // white: must match; black: G fills it in
    this.tint = document.createElement('canvas'); // the mask as the pad shows it: red where G fills in
    this.busy = false;
    this.again = false;
    this.realNext = 0;
    this.realK = -1; // the held-out image the pad shows (as it is, made small or gray), or -1 once drawn on
    // progress: what the worker last reported of the projection under way ({step, steps}), null when none runs
    state.edit = { projections: 0, moves: 0, status: 'idle', masked: false, nearest: null, progress: null, cancels: 0 };
    this.defaults = { steps: 300, starts: 8, opSteps: 200, opStarts: 20, factors: [4, 2] }; // the engine's (setDefaults)
    this.resize(28);
    this.setupPad();
    $('edit-clear').onclick = () => this.clear(true);
    $('edit-clear-mask').onclick = () => this.clearMask();
    $('edit-real').onclick = () => this.takeReal();
    $('edit-file').onchange = (e) => e.target.files[0] && this.takeFile(e.target.files[0]);
    $('edit-noise').addEventListener('input', () => setText($('edit-noise-value'), Number($('edit-noise').value).toFixed(2)));
    $('edit-project').onclick = () => this.project();
    $('edit-cancel').onclick = () => this.cancel();
    $('edit-op').onchange = () => this.opChanged();
    engine.on('editProgress', (m) => this.progress(m));
    $('edit-amount').addEventListener('input', () => {
      setText($('edit-amount-value'), Number($('edit-amount').value).toFixed(1));
      this.move();
    });
    $('edit-dir').onchange = () => this.move();
    $('edit-as').onchange = () => this.move();
    $('edit-near-kept').onclick = () => this.nearest('kept');
  }

  // The model's image side (pad = SCALE x side) and its classes.
  setModel(m) {
    if (!m) return;
    const colour = m.channels === 3;
    $('edit-ink-row').hidden = !colour;
    if ((m.height && m.height !== this.side) || colour !== this.colour) {
      this.colour = colour;
      this.resize(m.height || this.side);
    }
    const classes = m.classes > 0 ? m.classLabels || m.classNames : [];
    for (const [id, first] of [['edit-class', 'edit.best_fit'], ['edit-as', 'edit.own_class']]) {
      const pick = $(id), want = [first, ...classes].join('|');
      if (pick.dataset.names === want) continue;
      pick.textContent = '';
      pick.add(option(() => t(first), '-1'));
      classes.forEach((name, k) => pick.add(new Option(name, String(k))));
      pick.dataset.names = want;
    }
    $('edit-class-row').hidden = $('edit-as-row').hidden = classes.length === 0;
    this.setOps();
    setText($('edit-real'), () => this.realLabel());
  }

  // What Project does: match the picture, upscale a small one (each of the
  // engine's factors that divides the model's side) or, for a colour model,
  // colourise a gray one. Values are "op:factor" as the engine numbers them.
  setOps() {
    const pick = $('edit-op'), side = this.side, had = pick.value;
    const ops = [['0:1', () => t('edit.op.match')]];
    for (const f of this.defaults.factors)
      if (side % f === 0) ops.push([`1:${f}`, () => t('edit.op.upscale', { small: side / f, side })]);
    if (this.colour) ops.push(['2:1', () => t('edit.op.colourise')]);
    const want = ops.map((o) => o[0]).join('|');
    if (pick.dataset.ops === want) return;
    pick.textContent = '';
    for (const [value, text] of ops) pick.add(option(text, value));
    pick.dataset.ops = want;
    pick.value = ops.some((o) => o[0] === had) ? had : '0:1';
    this.opChanged();
  }

  // The chosen operation: {op, factor}.
  op() {
    const [op, factor] = $('edit-op').value.split(':').map(Number);
    return { op: op || 0, factor: factor || 1 };
  }

  opChanged() {
    const { op } = this.op();
    $('edit-noise-row').hidden = op !== 0; // through an operator: no noise, no mask
    setText($('edit-real'), () => this.realLabel());
  }

  realLabel() {
    const { op, factor } = this.op(), m = this.state.model;
    const what = t(m && m.dataset === 'mnist' ? 'edit.digit' : 'edit.image');
    if (op === 1) return t('edit.real_small', { what, small: this.side / factor });
    if (op === 2) return t('edit.real_gray', { what });
    return t('edit.real', { what });
  }

  // The engine's editing defaults (its tables' "project").
  setDefaults(p) {
    if (!p) return;
    this.defaults = { steps: p.steps, starts: p.starts, opSteps: p.op_steps, opStarts: p.op_starts, factors: p.upscale_factors };
    this.setOps();
  }

  // The model's offered directions ({k, name}), as Explore found them; none yet: the move is off.
  setDirections(list) {
    const pick = $('edit-dir');
    const was = pick.selectedOptions[0] ? pick.selectedOptions[0].dataset.name : null;
    pick.textContent = '';
    for (const d of list) {
      const o = option(() => (d.kind === 'principal' ? d.name : core('direction', d.name, 'label', d.name)), String(d.k));
      o.dataset.name = d.name;
      pick.add(o);
    }
    if (!list.length) pick.add(option(() => t('edit.no_directions'), '-1'));
    const again = list.find((d) => d.name === was);
    if (again) pick.value = String(again.k);
    pick.disabled = !list.length;
  }

  resize(side) {
    this.side = side;
    for (const c of [this.pad, this.picture, this.mask, this.tint]) c.width = c.height = side * SCALE;
    this.clear(false);
  }

  clear(withMask) {
    this.realK = -1;
    const ctx = this.picture.getContext('2d');
    ctx.fillStyle = this.paper();
    ctx.fillRect(0, 0, this.picture.width, this.picture.height);
    if (withMask !== false) this.clearMask();
    else this.show();
  }

  clearMask() {
    const ctx = this.mask.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, this.mask.width, this.mask.height);
    this.tint.getContext('2d').clearRect(0, 0, this.tint.width, this.tint.height);
    this.state.edit.masked = false; // the engine counts the masked pixels (gpw_project's "counted")
    this.show();
  }

  // The pad: the picture, with the masked part tinted.
  // The picture's background (what the eraser paints) and its ink.
  paper() {
    return this.colour ? '#fff' : '#000';
  }

  ink() {
    return this.colour ? $('edit-ink').value : '#fff';
  }

  show() {
    const ctx = this.pad.getContext('2d');
    ctx.globalAlpha = 1;
    ctx.drawImage(this.picture, 0, 0);
    ctx.globalAlpha = 0.5;
    ctx.drawImage(this.tint, 0, 0);
    ctx.globalAlpha = 1;
  }

  setupPad() {
    let last = null;
    const at = (e) => {
      const r = this.pad.getBoundingClientRect();
      return [((e.clientX - r.left) / r.width) * this.pad.width, ((e.clientY - r.top) / r.height) * this.pad.height];
    };
    const stroke = (from, to) => {
      const brush = document.querySelector('input[name="edit-brush"]:checked').value;
      const line = (canvas, color, width) => {
        const ctx = canvas.getContext('2d');
        ctx.strokeStyle = color;
        ctx.lineWidth = width;
        ctx.lineCap = ctx.lineJoin = 'round';
        ctx.beginPath();
        ctx.moveTo(from[0], from[1]);
        ctx.lineTo(to[0], to[1]);
        ctx.stroke();
      };
      if (brush === 'mask') {
        line(this.mask, '#000', BRUSH * 1.6);
        line(this.tint, 'rgb(230, 0, 60)', BRUSH * 1.6);
        this.state.edit.masked = true;
      } else {
        line(this.picture, brush === 'ink' ? this.ink() : this.paper(), BRUSH);
        this.realK = -1;
      }
      this.show();
    };
    this.pad.addEventListener('pointerdown', (e) => {
      this.pad.setPointerCapture(e.pointerId);
      last = at(e);
      stroke(last, last);
    });
    this.pad.addEventListener('pointermove', (e) => {
      if (!last) return;
      const p = at(e);
      stroke(last, p);
      last = p;
    });
    const end = () => (last = null);
    this.pad.addEventListener('pointerup', end);
    this.pad.addEventListener('pointercancel', end);
  }

  // A held-out real image (the next each time), scaled up exactly.
  // The mask is cleared when asked, not when the image comes: strokes
  // painted while it loads are kept.
  async takeReal() {
    this.clearMask();
    const k = this.realNext++, { op, factor } = this.op();
    try {
      const img = await this.engine.call(op ? 'editRealOp' : 'editReal', { k, op, factor });
      const src = document.createElement('canvas');
      drawRgba(src, img);
      const ctx = this.picture.getContext('2d');
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(src, 2, 2, this.side, this.side, 0, 0, this.picture.width, this.picture.height); // inside the padding
      this.realK = k;
      this.show();
      const small = this.side / factor, digit = this.state.model && this.state.model.dataset === 'mnist';
      this.say(() => {
        const made = op === 1 ? t('edit.made_small', { small }) : op === 2 ? t('edit.made_gray') : '';
        return t('edit.real_on_pad', { what: t(digit ? 'edit.digit' : 'edit.image'), made });
      });
    } catch (e) {
      this.say(e.message);
    }
  }

  // A picture file, fitted into the pad on its own corner's color (a dark
  // drawing on paper is inverted by the engine).
  async takeFile(file) {
    this.clearMask();
    try {
      const bitmap = await createImageBitmap(file);
      const n = this.picture.width, ctx = this.picture.getContext('2d');
      const probe = document.createElement('canvas');
      probe.width = probe.height = 1;
      const pctx = probe.getContext('2d');
      pctx.drawImage(bitmap, 0, 0, 1, 1, 0, 0, 1, 1);
      const c = pctx.getImageData(0, 0, 1, 1).data;
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.fillRect(0, 0, n, n);
      const k = Math.min(n / bitmap.width, n / bitmap.height);
      const w = bitmap.width * k, h = bitmap.height * k;
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(bitmap, (n - w) / 2, (n - h) / 2, w, h);
      this.realK = -1;
      this.show();
      this.say(() => t('edit.file_on_pad', { name: file.name }));
    } catch {
      this.say(() => t('edit.file_unreadable', { name: file.name }));
    }
  }

  // text: a string (the engine's words) or a function giving it in the page's language
  say(text) {
    setText($('edit-status'), text);
    this.state.edit.status = $('edit-status').textContent;
  }

  // Projects the pad's picture. The worker reports its steps as they are
  // taken (progress); Cancel stops it with nothing changed. Project is off
  // while one runs: a second waits for the first to end or be cancelled.
  async project() {
    const n = this.picture.width;
    const rgba = this.picture.getContext('2d').getImageData(0, 0, n, n).data;
    const mask = this.state.edit.masked ? this.mask.getContext('2d').getImageData(0, 0, n, n).data : null;
    const { op, factor } = this.op(), label = Number($('edit-class').value);
    const noise = op ? 0 : Number($('edit-noise').value), real = op ? this.realK : -1;
    const steps = op ? this.defaults.opSteps : this.defaults.steps, starts = op ? this.defaults.opStarts : this.defaults.starts;
    $('edit-project').disabled = true;
    $('edit-cancel').disabled = false;
    this.progress({ step: 0, steps });
    this.say(() => t('edit.projecting', { steps, starts }));
    try {
      const r = await this.engine.call('editProject', {
        rgba: rgba.buffer, size: n, mask: mask && !op ? mask.buffer : null, noise, label, op, factor, real,
      });
      if (r.cancelled) {
        this.state.edit.cancels++;
        const why = { model: 'edit.cancel_model', training: 'edit.cancel_training' }[r.why];
        this.say(() => t('edit.cancelled', { step: r.step, steps: r.steps, why: why ? t(why) : '' }));
        return;
      }
      drawRgba($('edit-strip'), r.strip);
      if (!op) this.showCompare(null);
      const e = this.state.edit;
      Object.assign(e, { projections: e.projections + 1, loss: r.loss, class: r.class, traced: r.traced, noise,
        counted: r.counted, meanZ2: r.mean_z2 });
      const names = this.state.model && (this.state.model.classLabels || this.state.model.classNames);
      const model = this.state.model;
      const small = this.side / factor;
      this.say(() => {
        const now = model && (model.classLabels || model.classNames);
        const cls = r.class >= 0 && now ? t('edit.as_class', { name: now[r.class] }) : '';
        const against = op === 1 ? t('edit.against_small', { small }) : op === 2 ? t('edit.against_gray') : '';
        const over = mask && !op ? t('edit.over_unmasked', { n: r.counted }) : '';
        return t('edit.projected', { cls, loss: r.loss.toFixed(4), against, over, z2: r.mean_z2.toFixed(2), s: (r.ms / 1000).toFixed(1) });
      });
      this.showCompare(r.compare, names);
      this.progress(null);
      await this.move(true);
    } catch (err) {
      this.say(err.message);
    } finally {
      this.progress(null);
      $('edit-project').disabled = false;
    }
  }

  // An upscaling's or colourising's comparison (the engine's), or null: the row hides.
  showCompare(c, names) {
    $('edit-compare-box').hidden = !c;
    if (!c) {
      this.state.edit.compare = null;
      return;
    }
    drawRgba($('edit-compare'), c.row);
    const up = c.op === 'upscale', small = this.side / c.factor;
    const base = () => t(up ? 'edit.bicubic' : 'edit.gray_picture');
    const model = this.state.model;
    const name = (k) => {
      const now = (model && (model.classLabels || model.classNames)) || names;
      return now && now[k] !== undefined ? now[k] : String(k);
    };
    setText($('edit-compare-title'), () => t('edit.compare_title', { given: up ? `${small}x${small}` : t('edit.gray'), base: base(),
      original: c.real >= 0 ? t('edit.compare_original') : '' }));
    setText($('edit-compare-text'), () => {
      const parts = [];
      if (c.mse_result !== null)
        parts.push(t('edit.compare_mse', { result: c.mse_result.toFixed(4), base: base(), baseline: c.mse_baseline.toFixed(4) }));
      else parts.push(t('edit.compare_take_real'));
      if (c.class_result >= 0)
        parts.push(t('edit.compare_class', { result: name(c.class_result), base: base(), baseline: name(c.class_baseline),
          original: c.original_class >= 0 ? t('edit.compare_class_original', { name: name(c.original_class) }) : '' }));
      return parts.join(t('edit.sentence_sep'));
    });
    const { row, ...numbers } = c;
    this.state.edit.compare = numbers;
  }

  // The projection's progress as the worker reported it ({step, steps}), or null: none runs.
  progress(p) {
    const at = p ? { step: p.step, steps: p.steps } : null;
    if (p && p.type && !$('edit-project').disabled) return; // a report after the page stopped waiting
    this.state.edit.progress = at;
    $('edit-progress-row').hidden = !at;
    if (!at) return;
    const bar = $('edit-progress');
    bar.max = at.steps;
    bar.value = at.step;
    setText($('edit-progress-text'), () => t('edit.progress', at));
  }

  // Asks the worker to stop the projection under way; it answers the projection's call.
  async cancel() {
    $('edit-cancel').disabled = true;
    try {
      await this.engine.call('editCancel');
    } catch (err) {
      this.say(err.message);
    }
  }

  // The result moved along the chosen direction and drawn as the chosen
  // class; then its nearest training images. Calls arriving while one runs
  // are folded into one more.
  async move(fromProject = false) {
    if (!this.state.edit.projections) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        const dir = Number($('edit-dir').value), amount = Number($('edit-amount').value), asClass = Number($('edit-as').value);
        const img = await this.engine.call('editMove', { dir, amount, asClass });
        drawRgba($('edit-result'), img);
        Object.assign(this.state.edit, { moves: this.state.edit.moves + (fromProject ? 0 : 1), dir, amount, asClass });
        await this.nearest('result');
      } while (this.again);
    } catch (err) {
      this.say(err.message);
    } finally {
      this.busy = false;
    }
  }

  async nearest(source) {
    try {
      const kept = this.explore.kept;
      const r = await this.engine.call('editNearest', { source, a: kept[0], b: kept[1], asClass: Number($('edit-as').value) });
      const m = this.state.model, known = m && (m.classLabels || m.classNames);
      const names = known && known.length ? known : null;
      const say = (id, what, part) => {
        if (!part) {
          setText($(id), () => t('edit.near_none', { what: t(what) }));
          return;
        }
        drawRgba($(id.replace('-text', '')), part);
        setText($(id), () => {
          const now = (m && (m.classLabels || m.classNames)) || names;
          const list = part.distances.map((d, i) => t('edit.near_item', { name: now && now.length ? now[part.labels[i]] : part.labels[i],
            d: d.toFixed(1) }));
          return t('edit.near', { what: t(what), of: t(source === 'kept' ? 'edit.near_of_kept' : 'edit.near_of_result'),
            list: list.join(t('explore.list_sep')) });
        });
      };
      say('edit-near-pixels-text', 'edit.near_pixels', r.pixels);
      say('edit-near-features-text', 'edit.near_features', r.features);
      this.state.edit.nearest = { source, pixels: strip(r.pixels), features: strip(r.features) };
    } catch (err) {
      this.say(err.message);
    }
  }
}

// An <option> whose text follows the page's language.
function option(text, value) {
  const o = new Option('', value);
  setText(o, text);
  return o;
}

// What a test reads of a nearest answer (not the pixels).
function strip(part) {
  return part ? { space: part.space, indices: part.indices, labels: part.labels, distances: part.distances } : null;
}
