// units.js: what G's units draw, and switching them off (GAN Dissection).
// For a layer of G the engine ranks every unit by how well the part of the
// picture where it fires most (its top 20% over the sample grid) matches the
// strokes (IoU); the top units' maps are shown over the kept sample where
// they are above that threshold, and each is a toggle
// that switches the unit off (its activations 0) or on again: the sample
// grid, the kept sample and Explore's views are redrawn by the engine. The
// numbers and the rules are the engine's (gpw_units_*); this asks and draws.

import { $, drawRgba, setText } from './util.js';
import { core, onLang, t } from './i18n.js';

export class Units {
  constructor(engine, state, explore) {
    this.engine = engine;
    this.state = state;
    this.explore = explore;
    this.info = null; // the engine's {layers, off, quantile, stroke, note}
    this.ranked = null; // {key, layer, units: [{unit, iou, threshold}], samples, quantile}
    this.busy = false;
    this.again = false;
    // what the tests read: the layer shown, the ranking shown, the units off,
    // and redraws asked for and answered
    state.units = { layer: null, ranking: null, shown: [], off: { layer: -1, units: [] }, asked: 0, answered: 0, draws: 0 };
    $('units-layer').addEventListener('change', () => this.refresh());
    $('units-count').addEventListener('change', () => this.refresh());
    $('units-all-on').onclick = () => this.change(() => this.engine.call('unitsClear'), () => t('units.cleared'));
    onLang(() => this.relabel());
    // a new kept sample (Explore keeps it on the same click or key)
    $('grid').addEventListener('click', () => this.refresh());
    $('grid').addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && this.refresh());
    // a new model, seed or class redraws the grid; the ranking follows it
    engine.on('grid', () => this.refresh());
  }

  // The ranking is of the sample grid: a new one when the model, its step,
  // the seed, the class or the layer changes.
  key(layer) {
    const s = this.state;
    return `${s.model && s.model.name}|${s.step}|${s.gridStep}|${s.noiseSeed}|${s.label}|${layer}`;
  }

  async refresh() {
    if (!this.state.ready || this.state.running) return; // while training, the panel waits for a pause
    this.state.units.asked++;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const asked = this.state.units.asked;
    try {
      await this.draw();
      this.state.units.draws++;
      this.state.units.answered = asked;
    } catch (e) {
      // the model may be changing; the next refresh draws
      setText($('units-msg'), e.message);
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  async draw() {
    this.info = await this.engine.call('unitsInfo');
    this.showOff();
    const layers = this.info.layers;
    $('units-body').hidden = layers.length === 0;
    const note = this.info.note;
    setText($('units-note'), note ? () => core('units', 'no_layers', 'note', note) : '');
    $('units-note').hidden = !this.info.note;
    if (!layers.length) return;
    const pick = $('units-layer');
    const names = layers.map((l) => `${l.layer}|${l.kind}|${l.units}|${l.height}|${l.width}`);
    if (pick.options.length !== layers.length || [...pick.options].some((o, i) => o.dataset.layer !== names[i])) {
      const was = Number(pick.value);
      pick.replaceChildren(...layers.map((l, i) => {
        const o = new Option('', String(l.layer));
        o.dataset.layer = names[i];
        setText(o, () => t('units.layer_option', { layer: l.layer, kind: l.kind, units: l.units, h: l.height, w: l.width }));
        return o;
      }));
      pick.value = String(layers.some((l) => l.layer === was) ? was : layers[0].layer);
    }
    const layer = Number(pick.value);
    const key = this.key(layer);
    if (!this.ranked || this.ranked.key !== key) {
      const r = await this.engine.call('unitsRank', { layer, count: 64 });
      this.ranked = { key, layer, units: r.units, samples: r.samples, quantile: r.quantile };
    }
    const shown = this.ranked.units.slice(0, Number($('units-count').value)); // the top units shown as maps
    const kept = (this.state.kept && this.state.kept[0]) || { seed: this.state.noiseSeed, index: 1 };
    const r = await this.engine.call('unitsMaps', { a: kept, layer, units: shown.map((u) => u.unit),
      thresholds: shown.map((u) => u.threshold) });
    Object.assign(this.state.units, { layer, ranking: this.ranked.units, shown: shown.map((u) => u.unit) });
    this.showMaps(r, shown, layer);
    const all = layers.find((l) => l.layer === layer).units;
    const top = Math.round((1 - this.ranked.quantile) * 100), samples = this.ranked.samples;
    setText($('units-caption'), () => t('units.caption', { which: shown.length < all ? t('units.some', { n: shown.length, all })
      : t('units.every', { all }), layer, top, samples }));
  }

  // The engine's row of images: the kept sample with every unit on, then one map per unit.
  showMaps(r, shown, layer) {
    const m = r.maps, n = shown.length + 1;
    const W = this.state.model ? this.state.model.width : 28, H = this.state.model ? this.state.model.height : 28;
    // image k of a one-row grid of n images
    const crop = (img, n, k) => {
      const px = new Uint8ClampedArray(img.pixels), p = (img.width - n * W) / (n + 1);
      const out = new Uint8ClampedArray(W * H * 4), x0 = p + k * (W + p);
      for (let y = 0; y < H; y++) {
        const from = ((p + y) * img.width + x0) * 4;
        out.set(px.subarray(from, from + W * 4), y * W * 4);
      }
      return { width: W, height: H, pixels: out.buffer };
    };
    const cell = (k) => crop(m, n, k);
    drawRgba($('units-whole'), cell(0));
    drawRgba($('units-now'), crop(r.now, 1, 0));
    const list = $('units-list');
    const buttons = shown.map((u, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'unit';
      b.dataset.unit = String(u.unit);
      const off = this.isOff(layer, u.unit);
      b.setAttribute('aria-pressed', String(off));
      b.relabel = () => b.setAttribute('aria-label', t('units.switch_aria', { unit: u.unit, iou: u.iou.toFixed(2) }));
      b.relabel();
      const c = document.createElement('canvas');
      c.setAttribute('aria-hidden', 'true');
      drawRgba(c, cell(i + 1));
      const label = document.createElement('span');
      label.className = 'unit-label';
      label.textContent = `#${u.unit}`;
      const iou = document.createElement('span');
      iou.className = 'unit-iou';
      iou.textContent = `IoU ${u.iou.toFixed(2)}`;
      b.append(c, label, iou);
      b.onclick = () => this.toggle(layer, u.unit);
      return b;
    });
    // the focus stays on the unit it was on
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('.unit');
    const at = focused ? focused.dataset.unit : null;
    list.replaceChildren(...buttons);
    if (at !== null) buttons.find((b) => b.dataset.unit === at)?.focus();
  }

  // The units' buttons' labels in the page's language.
  relabel() {
    for (const b of document.querySelectorAll('#units-list .unit')) if (b.relabel) b.relabel();
  }

  isOff(layer, unit) {
    const off = this.info ? this.info.off : { layer: -1, units: [] };
    return off.layer === layer && off.units.includes(unit);
  }

  showOff() {
    const off = this.info.off;
    this.state.units.off = off;
    $('units-all-on').disabled = off.layer < 0;
    for (const b of document.querySelectorAll('#units-list .unit'))
      b.setAttribute('aria-pressed', String(this.isOff(Number($('units-layer').value), Number(b.dataset.unit))));
  }

  toggle(layer, unit) {
    const off = !this.isOff(layer, unit);
    const what = () => t(off ? 'units.now_off' : 'units.now_on', { unit, layer });
    return this.change(() => this.engine.call('unitsSet', { layer, units: [unit], off }), what);
  }

  // Asks the engine to switch, then says what is off and redraws.
  async change(ask, what) {
    try {
      this.info = await ask();
    } catch (e) {
      setText($('units-msg'), e.message);
      return;
    }
    this.showOff();
    const off = this.info.off;
    setText($('units-msg'), () => (off.layer < 0 ? t('units.msg_all_on', { what: what() }) :
      t(off.units.length > 1 ? 'units.msg_off_many' : 'units.msg_off_one', { what: what(), units: off.units.join(t('explore.list_sep')),
        layer: off.layer })));
    this.explore.refresh();
    this.refresh();
  }
}
