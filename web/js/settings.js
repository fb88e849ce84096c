// settings.js: the hyperparameter fields and the URL that holds them.
//
// Every field is checked by the engine (gpw_config_set) when it changes: a
// refused value gets the engine's message next to the field and changes
// nothing, not the settings for the next model and not the running one.
// The address keeps the settings that differ from the preset's defaults:
//   #dataset=mnist&preset=mlp&lr_g=0.001&seed=7&noise=3
// (lr=X sets both learning rates; loss=minimax or nonsaturating.)

import { $, clean, fieldMessage } from './util.js';

export const KEYS = ['preset', 'loss', 'lr_g', 'lr_d', 'beta1', 'beta2', 'batch', 'latent', 'd_steps', 'real_label', 'seed'];
const LOSS_NAMES = { nonsaturating: 0, 'non-saturating': 0, ns: 0, minimax: 1 };

// The address's settings as strings: {preset, lr_g, ..., dataset, noise}.
export function parseHash(hash = location.hash) {
  const out = {};
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [k, v] of params) if (KEYS.includes(k) || k === 'dataset' || k === 'noise') out[k] = v;
  // lr: one learning rate for both networks
  if (params.has('lr')) for (const k of ['lr_g', 'lr_d']) if (out[k] === undefined) out[k] = params.get('lr');
  if (out.loss !== undefined && out.loss.toLowerCase() in LOSS_NAMES) out.loss = String(LOSS_NAMES[out.loss.toLowerCase()]);
  return out;
}

export class Settings {
  constructor(engine) {
    this.engine = engine;
    this.fields = new Map(KEYS.map((k) => [k, $(`f-${k}`)]));
    this.msgs = new Map(KEYS.map((k) => [k, $(`f-${k}-msg`)]));
    this.pending = null; // the engine's settings for the next model
    this.defaults = null; // the preset's defaults, to keep the address short
    this.extra = {}; // dataset and noise, kept in the address too
    this.onUrl = () => {};
    for (const [key, el] of this.fields) el.addEventListener('change', () => this.changed(key));
  }

  // Shows the engine's settings in the fields.
  show(pending) {
    this.pending = pending;
    for (const [key, el] of this.fields) {
      const v = pending[key];
      el.value = key === 'preset' ? v : String(clean(v));
      fieldMessage(el, this.msgs.get(key), '');
    }
  }

  async loadDefaults(preset) {
    this.defaults = await this.engine.call('configPreset', { preset });
    return this.defaults;
  }

  async changed(key) {
    const el = this.fields.get(key), msg = this.msgs.get(key);
    if (key === 'preset') return this.changePreset(el.value);
    const text = el.value.trim();
    const value = text === '' ? NaN : Number(text);
    if (!Number.isFinite(value)) {
      fieldMessage(el, msg, `${key}: enter a number (refused; nothing changed)`);
      return false;
    }
    try {
      const r = await this.engine.call('configSet', { key, value });
      this.pending = r.pending;
      fieldMessage(el, msg, r.applied === 'now' ? 'Applied to the training model.' : 'Used by the next new model (Reset).', 'note');
      this.updateUrl();
      return true;
    } catch (e) {
      fieldMessage(el, msg, `${e.message} (refused; nothing changed)`);
      return false;
    }
  }

  // A new preset resets every field to its defaults.
  async changePreset(preset) {
    const el = this.fields.get('preset'), msg = this.msgs.get('preset');
    const before = this.pending ? this.pending.preset : 'mlp';
    try {
      const seed = this.pending ? this.pending.seed : 1;
      await this.loadDefaults(preset);
      const pending = await this.engine.call('setPending', { config: { ...this.defaults, seed } });
      this.show(pending);
      fieldMessage(el, msg, 'Defaults of this preset; a new model is made at Reset.', 'note');
      this.updateUrl();
      return true;
    } catch (e) {
      el.value = before;
      const unknown = /unknown preset/.test(e.message);
      fieldMessage(el, msg, unknown ? `The ${preset} preset is not in this build of the engine.` : e.message);
      return false;
    }
  }

  // Applies the address's settings; refused ones are shown as refused.
  async applyHash(h) {
    let ok = true;
    if (h.preset) ok = (await this.changePreset(h.preset)) && ok;
    for (const key of KEYS) {
      if (key === 'preset' || h[key] === undefined) continue;
      this.fields.get(key).value = h[key];
      ok = (await this.changed(key)) && ok;
    }
    for (const key of KEYS) {
      const msg = this.msgs.get(key);
      if (msg.dataset.kind === 'note') fieldMessage(this.fields.get(key), msg, 'Set by the link.', 'note');
    }
    return ok;
  }

  // The address for the current settings (only what differs from defaults).
  url() {
    const p = new URLSearchParams();
    if (this.extra.dataset) p.set('dataset', this.extra.dataset);
    if (this.pending) {
      p.set('preset', this.pending.preset);
      for (const key of KEYS) {
        if (key === 'preset') continue;
        const v = clean(this.pending[key]);
        if (!this.defaults || clean(this.defaults[key]) !== v) p.set(key, String(v));
      }
    }
    if (this.extra.noise !== undefined) p.set('noise', String(this.extra.noise));
    return `${location.href.replace(/#.*$/, '')}#${p.toString()}`;
  }

  updateUrl() {
    const u = this.url();
    history.replaceState(null, '', u);
    this.onUrl(u);
  }
}
