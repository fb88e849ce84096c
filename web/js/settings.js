// settings.js: the hyperparameter fields and the URL that holds them.
//
// The fields are built from the engine's own table of settings (name,
// label, type, range, choices, whether a training model takes it at once,
// a help line), so the page never repeats the engine's names or ranges.
// Every field is checked by the engine when it changes, from the text typed:
// a refused value gets the engine's message next to the field, the field
// goes back to the value in use, and nothing changes.
// The address keeps the settings that differ from the preset's defaults:
//   #dataset=mnist&preset=mlp&lr_g=0.001&loss=minimax&seed=7&noise=3
// (lr=X sets both learning rates.)

import { $, clean, fieldMessage } from './util.js';
import { t, core, onLang } from './i18n.js';
import { withLang } from './lang-switch.js';

// The keys the address may hold besides the table's settings.
const EXTRA = ['dataset', 'noise', 'model', 'class', 'lang'];

// The address's settings as strings: {preset, lr_g, ..., dataset, noise}.
// Which settings exist is the engine's business: unknown keys are passed on
// and refused there by name.
export function parseHash(hash = location.hash) {
  const out = {};
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [k, v] of params) if (/^[a-z_0-9]{1,24}$/.test(k) && k !== 'lr') out[k] = v;
  // lr: one learning rate for both networks
  if (params.has('lr')) for (const k of ['lr_g', 'lr_d']) if (out[k] === undefined) out[k] = params.get('lr');
  return out;
}

const show = (v) => (typeof v === 'number' ? String(clean(v)) : String(v));

// One setting's field from its row of the engine's table: label (with
// "at Reset" when a running model cannot take it), a select for choices (or
// the given options) else a text input, the help line and a message line.
export function settingField(row, id, options = null) {
  const field = document.createElement('div');
  field.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  const words = () => {
    label.textContent = row.name === 'preset' ? t('settings.preset') : core('setting', row.name, 'label', row.label);
    if (!row.live) {
      const when = document.createElement('span');
      when.className = 'when';
      when.textContent = ` · ${t('settings.at_reset')}`;
      label.append(when);
    }
    if (input.tagName === 'SELECT' && !options) {
      [...input.options].forEach((o, i) => (o.textContent = row.name === 'preset' ? core('preset', o.value, 'label', row.choice_labels[i])
        : core('setting', row.name, `choice.${o.value}`, row.choice_labels[i])));
    }
    const h = row.name === 'preset' ? row.presets.map((p) => t('settings.preset_help', { label: core('preset', p.name, 'label', p.label), help: core('preset', p.name, 'help', p.help) })).join(' ')
      : core('setting', row.name, 'help', row.help);
    if (row.name !== 'loss') help.textContent = h;
    input.title = h;
  };
  let input;
  if (row.type === 'choice' || options) {
    input = document.createElement('select');
    for (const [value, text] of options || row.choices.map((c, i) => [c, row.choice_labels[i]])) input.add(new Option(text, value));
  } else {
    input = document.createElement('input');
    input.type = 'text';
    input.inputMode = row.type === 'float' ? 'decimal' : 'numeric';
    input.autocomplete = 'off';
  }
  input.id = id;
  input.dataset.key = row.name;
  const help = document.createElement('p');
  help.className = 'help';
  help.id = `${id}-help`;
  help.textContent = row.help;
  const msg = document.createElement('p');
  msg.className = 'msg';
  msg.id = `${id}-msg`;
  msg.setAttribute('aria-live', 'polite');
  input.setAttribute('aria-describedby', `${help.id} ${msg.id}`);
  words();
  onLang(words);
  field.append(label, input, help, msg);
  return { field, input, msg };
}

export class Settings {
  constructor(engine) {
    this.engine = engine;
    this.table = null; // {settings, presets, losses} from the engine
    this.fields = new Map(); // name -> input or select
    this.msgs = new Map();
    this.pending = null; // the engine's settings for the next model
    this.defaults = null; // the preset's defaults, to keep the address short
    this.extra = {}; // dataset, noise, model and class, kept in the address too
    this.onUrl = () => {};
  }

  // Builds one field per row of the engine's table, the preset first.
  build(table) {
    this.table = table;
    const box = $('settings-fields');
    box.textContent = '';
    // the image presets and their settings (the 2-D mode builds its own, mode-2d.js)
    const presets = table.presets.filter((p) => !p.is_2d);
    const rows = [{ name: 'preset', label: 'Preset', presets, help: presets.map((p) => `${p.label}: ${p.help}`).join(' '),
      type: 'choice', choices: presets.map((p) => p.name), choice_labels: presets.map((p) => p.label) },
    ...table.settings.filter((r) => r.scope !== '2d')];
    for (const row of rows) {
      const { field, input, msg } = settingField(row, `f-${row.name}`);
      box.append(field);
      this.fields.set(row.name, input);
      this.msgs.set(row.name, msg);
      input.addEventListener('change', () => this.changed(row.name));
    }
    this.updateLossHelp();
    onLang(() => this.updateLossHelp());
  }

  row(key) {
    return this.table.settings.find((r) => r.name === key);
  }

  // A setting's label in the page's language.
  label(key) {
    const row = this.row(key);
    return row ? core('setting', key, 'label', row.label) : key;
  }

  // The loss's own explanation under its field, with a button that applies
  // the settings the engine's loss table recommends for it (WGAN-GP: 5 D
  // steps and β1 = 0) while any of them differs from the one in use.
  updateLossHelp() {
    const el = this.fields.get('loss');
    if (!el) return;
    const loss = this.table.losses.find((l) => l.name === el.value);
    if (!loss) return;
    const help = $('f-loss-help');
    help.textContent = core('loss', loss.name, 'help', loss.help);
    const want = Object.entries(loss.recommended || {}).filter(([key, v]) => this.fields.has(key) &&
      !(this.pending && this.pending[key] !== undefined && Number(this.pending[key]) === Number(v)));
    if (!want.length) return;
    const b = document.createElement('button');
    b.type = 'button';
    b.id = 'apply-recommended';
    b.textContent = t('settings.apply', { what: want.map(([key, v]) => `${this.label(key)} = ${v}`).join(t('settings.list_sep')) });
    b.onclick = async () => {
      b.disabled = true;
      for (const [key, v] of want) {
        this.fields.get(key).value = v;
        await this.changed(key);
      }
      this.updateLossHelp();
    };
    help.append(' ', b);
  }

  // Shows the engine's settings in the fields.
  show(pending) {
    this.pending = pending;
    for (const [key, el] of this.fields) {
      if (pending[key] !== undefined) el.value = show(pending[key]);
      fieldMessage(el, this.msgs.get(key), '');
    }
    this.updateLossHelp();
  }

  async loadDefaults(preset) {
    this.defaults = await this.engine.call('configPreset', { preset });
    return this.defaults;
  }

  async changed(key) {
    const el = this.fields.get(key), msg = this.msgs.get(key);
    if (key === 'preset') return this.changePreset(el.value);
    const text = el.value.trim();
    const row = this.row(key);
    try {
      const r = await this.engine.call('configSet', { key, value: text });
      this.pending = r.pending;
      el.value = show(this.pending[key]);
      fieldMessage(el, msg, () => t(r.applied === 'now' ? 'settings.applied_now' : 'settings.applied_reset'), 'note');
      this.updateLossHelp();
      this.updateUrl();
      return true;
    } catch (e) {
      // the field shows the value in use again; the message keeps what was typed
      if (this.pending && this.pending[key] !== undefined) el.value = show(this.pending[key]);
      const value = el.value;
      fieldMessage(el, msg, () => t('settings.refused', { why: e.message.replace(/^[^:]*: /, `${this.label(key)}: `), label: this.label(key), value }));
      return false;
    }
  }

  // A new preset resets every field to its defaults.
  async changePreset(preset) {
    const el = this.fields.get('preset'), msg = this.msgs.get('preset');
    const before = this.pending ? this.pending.preset : 'mlp';
    try {
      const keep = this.pending ? { seed: this.pending.seed, cond: this.pending.cond } : {};
      await this.loadDefaults(preset);
      const pending = await this.engine.call('setPending', { config: { ...this.defaults, ...keep } });
      this.show(pending);
      fieldMessage(el, msg, () => t('settings.preset_defaults'), 'note');
      this.updateUrl();
      return true;
    } catch (e) {
      el.value = before;
      const unknown = /unknown preset/.test(e.message);
      fieldMessage(el, msg, unknown ? () => t('settings.preset_unknown', { preset }) : e.message);
      return false;
    }
  }

  // Applies the address's settings; refused ones are shown as refused.
  async applyHash(h) {
    let ok = true;
    if (h.preset) ok = (await this.changePreset(h.preset)) && ok;
    for (const key of Object.keys(h)) {
      if (key === 'preset' || EXTRA.includes(key)) continue;
      const el = this.fields.get(key);
      if (!el) {
        ok = false;
        continue;
      }
      let v = h[key];
      // links from before losses had names: loss=0 or 1
      if (key === 'loss' && /^\d$/.test(v) && this.table.losses[Number(v)]) v = this.table.losses[Number(v)].name;
      el.value = v;
      ok = (await this.changed(key)) && ok;
    }
    for (const [key, msg] of this.msgs) {
      if (msg.dataset.kind === 'note') fieldMessage(this.fields.get(key), msg, () => t('settings.by_link'), 'note');
    }
    return ok;
  }

  // The address for the current settings (only what differs from defaults).
  url() {
    const p = new URLSearchParams();
    if (this.extra.dataset) p.set('dataset', this.extra.dataset);
    if (this.extra.model) p.set('model', this.extra.model);
    if (this.pending) {
      p.set('preset', this.pending.preset);
      for (const key of this.fields.keys()) {
        if (key === 'preset') continue;
        const v = show(this.pending[key]);
        if (!this.defaults || show(this.defaults[key]) !== v) p.set(key, v);
      }
    }
    if (this.extra.noise !== undefined) p.set('noise', String(this.extra.noise));
    if (this.extra.class !== undefined) p.set('class', String(this.extra.class));
    return withLang(`${location.href.replace(/#.*$/, '')}#${p.toString()}`);
  }

  updateUrl() {
    const u = this.url();
    history.replaceState(null, '', u);
    this.onUrl(u);
  }
}
