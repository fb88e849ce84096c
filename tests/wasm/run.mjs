// Tests of the wasm builds in build/node/ through the gpw_* API the page uses.
// usage: node --no-experimental-fetch --experimental-wasm-relaxed-simd tests/wasm/run.mjs
// (after make all build/node/ganplay-simd.js build/node/ganplay.js)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = path.join(ROOT, 'build');
const DATA = path.join(BUILD, 'data/mnist.bin');
const IMAGE = 784;
const require = createRequire(import.meta.url);
const t0 = Date.now();

let failures = 0, checks = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  checks++;
  if (!ok) failures++;
  return ok;
}

// Largest |a[i] - b[i]|, or Infinity if the lengths differ.
function maxDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN counts as a difference
  }
  return m;
}

// CRC-32 (IEEE, as zlib), the model file's checksum.
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

// A training state's file with its history section replaced (the section
// is the file's last part before the CRC; oldLen its length now).
function withHistory(file, oldLen, history) {
  const head = file.length - 4 - oldLen - 4;
  const out = new Uint8Array(head + 4 + history.length + 4);
  out.set(file.subarray(0, head));
  const v = new DataView(out.buffer);
  v.setUint32(head, history.length, true);
  out.set(history, head + 4);
  v.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

// A history section: no chart or FD points, k snapshots of h x w at steps 0, 1, ...
function snapshotHistory(k, h, w) {
  const out = new Uint8Array(20 + k * (4 + h * w));
  const v = new DataView(out.buffer);
  v.setUint32(8, k, true);
  v.setUint32(12, h, true);
  v.setUint32(16, w, true);
  for (let i = 0; i < k; i++) v.setUint32(20 + i * (4 + h * w), i, true);
  return out;
}

// A thin wrapper over one module instance. Heap views are read afresh after
// every call, since memory may grow.
class Engine {
  constructor(M, name) {
    this.M = M;
    this.name = name;
  }
  static async load(file, options = {}) {
    const create = require(path.join(BUILD, 'node', file));
    return new Engine(await create({ print: () => {}, printErr: (t) => console.error(`[${file}] ${t}`), ...options }), file);
  }
  str(s, fn) {
    const n = this.M.lengthBytesUTF8(s) + 1, p = this.M._malloc(n);
    this.M.stringToUTF8(s, p, n);
    try {
      return fn(p);
    } finally {
      this.M._free(p);
    }
  }
  bytesIn(bytes, fn) {
    const p = this.M._gpw_alloc(Math.max(1, bytes.length));
    this.M.HEAPU8.set(bytes, p);
    try {
      return fn(p, bytes.length);
    } finally {
      this.M._gpw_free(p);
    }
  }
  floats(p, n) {
    return this.M.HEAPF32.slice(p >> 2, (p >> 2) + n);
  }
  error(s) {
    return this.M.UTF8ToString(this.M._gpw_error(s));
  }
  // Throws with the session's message on a nonzero status.
  ok(s, rc, what) {
    if (rc !== 0) throw new Error(`${this.name}: ${what} returned ${rc}: ${this.error(s)}`);
  }
  session({ data = null, seed = null } = {}) {
    const s = this.M._gpw_new();
    if (!s) throw new Error(`${this.name}: gpw_new returned NULL`);
    if (data) this.ok(s, this.bytesIn(data, (p, n) => this.M._gpw_load_dataset(s, p, n)), 'gpw_load_dataset');
    if (seed !== null) {
      this.ok(s, this.preset(s, 'mlp'), 'gpw_config_default');
      this.ok(s, this.configSet(s, 'seed', seed), 'gpw_setting seed');
      this.ok(s, this.M._gpw_create(s), 'gpw_create');
    }
    return s;
  }
  preset(s, name, recipe = '') {
    return this.str(name, (k) => this.str(recipe, (r) => this.M._gpw_config_default(s, k, r)));
  }
  // The run's answer to a step (kind 0 whole, 1 D, 2 G), or null (the session says why).
  step(s, kind = 0) {
    const p = this.M._gpw_run_step(s, kind);
    return p ? this.json(p) : null;
  }
  // steps whole steps of the run, as the page's One step button takes them.
  train(s, steps) {
    for (let i = 0; i < steps; i++) if (!this.step(s, 0)) throw new Error(`${this.name}: gpw_run_step: ${this.error(s)}`);
  }
  // The run's answer as it stands.
  run(s) {
    const p = this.M._gpw_run_json(s);
    if (!p) throw new Error(`${this.name}: gpw_run_json: ${this.error(s)}`);
    return this.json(p);
  }
  // [G steps, D steps, D loss, G loss, mean D(x), mean D(G(z))], from the run's named fields.
  stats(s) {
    const r = this.run(s);
    return Float64Array.from([r.step, r.d_step, r.d_loss, r.g_loss, r.d_real, r.d_fake], (v) => (v === null ? NaN : v));
  }
  sample(s, seed, count) {
    const size = this.M._gpw_image_size(s) || IMAGE; // floats per image of the model (3x32x32 for emoji)
    const p = this.M._gpw_alloc(4 * count * size);
    try {
      this.ok(s, this.M._gpw_sample(s, seed, count, p, count * size), 'gpw_sample');
      return this.floats(p, count * size);
    } finally {
      this.M._gpw_free(p);
    }
  }
  save(s, full) {
    this.ok(s, this.M._gpw_save(s, full), 'gpw_save');
    const p = this.M._gpw_saved(s);
    return this.M.HEAPU8.slice(p, p + this.M._gpw_saved_len(s));
  }
  loadModel(s, bytes) {
    return this.bytesIn(bytes, (p, n) => this.M._gpw_load_model(s, p, n));
  }
  // Settings go in as the text a person typed: 0, or 1 if refused (the session says why).
  configSet(s, key, value) {
    return this.setting(s, key, value) ? 0 : 1;
  }
  // The engine's answer to a setting ({applied, pending, model, marker}), or null if refused.
  setting(s, key, value) {
    const p = this.str(key, (k) => this.str(String(value), (v) => this.M._gpw_setting(s, k, v)));
    return p ? this.json(p) : null;
  }
  json(p) {
    return JSON.parse(this.M.UTF8ToString(p));
  }
}

// (a) gpw_rng_normals(seed 1) against the native RNG's values.
function testRng(e) {
  const lines = fs.readFileSync(path.join(ROOT, 'tests/golden/rng_seed1.txt'), 'utf8').trim().split(/\s+/);
  const n = Number(lines[0]);
  const want = lines.slice(1).map(Number);
  if (!check(n > 0 && want.length === n, 'golden rng_seed1.txt is well formed', `${n} values declared, ${want.length} given`)) return;
  const p = e.M._malloc(4 * n);
  const rc = e.M._gpw_rng_normals(1, n, p, n);
  const got = e.floats(p, n);
  e.M._free(p);
  check(rc === 0, `${e.name}: gpw_rng_normals(seed 1, ${n}) into ${n} floats`, `status ${rc}`);
  // 9 significant digits name a float32 exactly: the sequences must be identical
  const differ = want.findIndex((w, i) => got[i] !== Math.fround(w));
  check(differ < 0, `${e.name}: gpw_rng_normals(seed 1, ${n}) is bit-identical to the native RNG`,
    differ < 0 ? 'exact' : `value ${differ}: ${got[differ]} vs ${want[differ]}`);
}

// (b) The SIMD and portable builds train alike from the same seed.
function testBuildsAgree(simd, portable, data) {
  const runs = [simd, portable].map((e) => {
    const s = e.session({ data, seed: 7 });
    e.train(s, 20);
    const st = e.stats(s);
    e.M._gpw_delete(s);
    return st;
  });
  const [a, b] = runs;
  check(a[0] === 20 && b[0] === 20 && a[1] === b[1], 'both builds count 20 steps', `[${a[0]}, ${a[1]}] vs [${b[0]}, ${b[1]}]`);
  const d = maxDiff(a, b);
  check(d <= 1e-4, 'SIMD and portable builds give the same stats after 20 steps',
    `max diff ${d.toExponential(2)}; simd [${Array.from(a).map((v) => v.toFixed(5))}] portable [${Array.from(b).map((v) => v.toFixed(5))}]`);
}

// (c) Save and load, and refusal of damaged model files.
function testSaveLoad(e, data) {
  const a = e.session({ data, seed: 3 });
  e.train(a, 5);
  const file = e.save(a, 1);
  const b = e.session({ data });
  e.ok(b, e.loadModel(b, file), 'gpw_load_model');
  const sa = e.sample(a, 11, 16), sb = e.sample(b, 11, 16);
  check(maxDiff(sa, sb) === 0, `${e.name}: a saved and reloaded model gives identical samples`, `max diff ${maxDiff(sa, sb)}`);
  check(maxDiff(e.stats(a), e.stats(b)) === 0, `${e.name}: reloaded model keeps its stats`);
  // a full file holds the optimizer and RNG state: training resumes exactly
  e.train(a, 2);
  e.train(b, 2);
  check(maxDiff(e.stats(a), e.stats(b)) === 0, `${e.name}: reloaded full model trains on identically`,
    `[${e.stats(a)}] vs [${e.stats(b)}]`);

  const before = e.sample(b, 4, 8);
  const flipped = file.slice();
  flipped[file.length >> 1] ^= 0x40;
  const badMagic = file.slice();
  badMagic[0] = 0x58;
  const longer = new Uint8Array(file.length + 1);
  longer.set(file);
  const damaged = {
    'empty': new Uint8Array(0),
    'first 10 bytes': file.slice(0, 10),
    'first half': file.slice(0, file.length >> 1),
    'one byte short': file.slice(0, file.length - 1),
    'one byte flipped': flipped,
    'bad magic': badMagic,
    'one extra byte': longer,
  };
  // gpw_check_model says what gpw_load_model would, and loads nothing
  check(e.bytesIn(file, (p, n) => e.M._gpw_check_model(b, p, n)) === 0, `${e.name}: gpw_check_model takes a good file`, e.error(b));
  for (const [what, bytes] of Object.entries(damaged)) {
    const rc = e.bytesIn(bytes, (p, n) => e.M._gpw_check_model(b, p, n));
    check(rc !== 0 && e.error(b).length > 0, `${e.name}: gpw_check_model refuses the model file (${what})`, `status ${rc}`);
  }
  check(maxDiff(before, e.sample(b, 4, 8)) === 0, `${e.name}: checking files leaves the model on show as it was`);
  for (const [what, bytes] of Object.entries(damaged)) {
    const rc = e.loadModel(b, bytes);
    const msg = e.error(b);
    check(rc !== 0 && msg.length > 0, `${e.name}: model file (${what}) refused`, `status ${rc}: ${msg}`);
  }
  check(e.M._gpw_has_model(b) === 1 && maxDiff(before, e.sample(b, 4, 8)) === 0,
    `${e.name}: after the refusals the old model samples as before`);
  e.train(b, 1);
  check(Number.isFinite(e.stats(b)[2]), `${e.name}: after the refusals the old model still trains`);

  // a generator-only file samples alike but cannot train
  const gOnly = e.save(a, 0);
  const c = e.session({ data });
  e.ok(c, e.loadModel(c, gOnly), 'gpw_load_model (generator only)');
  check(maxDiff(e.sample(a, 5, 4), e.sample(c, 5, 4)) === 0, `${e.name}: generator-only file samples alike`);
  check(e.step(c, 0) === null && /generator only/.test(e.error(c)), `${e.name}: generator-only model refuses to train`, e.error(c));
  [a, b, c].forEach((s) => e.M._gpw_delete(s));
}

// (d) Bad settings are refused with a message and change nothing.
function testConfig(e, data) {
  const s = e.session({ data });
  const bad = [
    ['lr_g', -1, /lr_g/],
    ['lr_d', 0, /lr_d/],
    ['lr_g', NaN, /lr_g/],
    ['batch', 1, /batch/],
    ['batch', 2.5, /batch/],
    ['batch', 1e12, /batch/],
    ['batch', NaN, /batch/],
    ['latent', 0, /latent/],
    ['d_steps', 17, /d_steps/],
    ['loss', 'wasserstein', /loss/],
    ['loss', 9, /loss/],
    ['batch', '0x10', /batch/],
    ['lr_g', 'inf', /lr_g/],
    ['beta1', 1, /beta1/],
    ['real_label', 0.2, /real_label/],
    ['seed', -1, /seed/],
    ['no_such_key', 1, /no_such_key/],
  ];
  // messages name the field as the page labels it, and repeat the text typed
  const table = e.json(e.M._gpw_tables_json(s)).tables;
  for (const [key, value, re] of bad) {
    const rc = e.configSet(s, key, value);
    const msg = e.error(s);
    const row = table.settings.find((r) => r.name === key);
    const named = row ? msg.startsWith(row.label) && msg.includes(String(value)) : re.test(msg);
    check(rc !== 0 && named, `${e.name}: ${key} = ${value} refused`, `status ${rc}: ${msg}`);
  }
  // the tables the page names things by: the datasets, a loss's recommended settings
  const all = e.json(e.M._gpw_tables_json(s));
  check(all.datasets.map((d) => `${d.name}:${d.label}:${d.fd_label}:${d.channels}x${d.height}x${d.width}:${d.classes}`).join(',') ===
    'mnist:MNIST digits:Digit FD:1x28x28:10,fashion:Fashion-MNIST:Clothes FD:1x28x28:10,emoji:Emoji:Emoji FD:3x32x32:9' &&
    all.datasets[2].class_labels.length === 9 && all.datasets[2].class_labels[0] === 'Smileys & Emotion' &&
    all.limits.own_gray_side === 28 && all.limits.own_colour_side === 32 &&
    JSON.stringify(all.tables.losses.find((l) => l.name === 'wgan_gp').recommended) === '{"d_steps":"5","beta1":"0"}' &&
    JSON.stringify(all.tables.losses.find((l) => l.name === 'hinge').recommended) === '{}',
  `${e.name}: the tables name the datasets and WGAN-GP's recommended settings`, JSON.stringify(all.datasets));
  const rc = e.preset(s, 'gan9000');
  check(rc !== 0 && /preset/.test(e.error(s)), `${e.name}: unknown preset refused`, e.error(s));
  check(e.preset(s, 'mlp', 'fastest') !== 0 && /recipe/.test(e.error(s)), `${e.name}: unknown recipe refused`, e.error(s));
  check(e.configSet(s, 'batch', 16) === 0 && e.configSet(s, 'lr_g', 0.001) === 0, `${e.name}: good settings accepted`);
  check(e.step(s, 0) === null && e.error(s).length > 0, `${e.name}: training before a model exists is refused`, e.error(s));
  e.ok(s, e.M._gpw_create(s), 'gpw_create after refusals');
  e.train(s, 1);
  check(Number.isFinite(e.stats(s)[2]), `${e.name}: the refusals left a usable config`);
  // grids: the widest layouts fit, bad counts, columns and seeds are refused
  check(e.M._gpw_render_seed(s, 1, 256, 255) === 0 && e.M._gpw_rgba_width(s) === 255 * 30 + 2,
    `${e.name}: a 256-image grid in 255 columns renders`, e.error(s));
  for (const [count, cols, seed] of [[0, 8, 1], [257, 8, 1], [64, 0, 1], [64, 257, 1], [8, 8, -1], [8, 8, 0.5], [8, 8, NaN]]) {
    const rc = e.M._gpw_render_seed(s, seed, count, cols);
    check(rc !== 0 && e.error(s).length > 0, `${e.name}: grid of ${count} in ${cols} columns, seed ${seed} refused`, e.error(s));
  }
  check(e.M._gpw_image_size(s) === IMAGE && e.M._gpw_latent_size(s) === 100, `${e.name}: image and latent sizes reported`);
  e.M._gpw_delete(s);
}

// (e) The native CLI and the wasm builds sample the same images from one file.
function testNative(engines) {
  const cli = path.join(BUILD, 'ganplay');
  if (!check(fs.existsSync(cli), 'native CLI build/ganplay exists (make all)')) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ganplay-wasm-'));
  try {
    const model = path.join(tmp, 'm.gpm'), raw = path.join(tmp, 's.f32');
    execFileSync(cli, ['train', '--preset', 'mlp', '--data', DATA, '--steps', '30', '--seed', '5', '--out', model], { stdio: 'pipe' });
    execFileSync(cli, ['sample', '--model', model, '--count', '16', '--seed', '9', '--raw', raw], { stdio: 'pipe' });
    const buf = fs.readFileSync(raw);
    const want = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)); // little-endian host
    const bytes = new Uint8Array(fs.readFileSync(model));
    for (const e of engines) {
      const s = e.session();
      e.ok(s, e.loadModel(s, bytes), 'gpw_load_model (native file)');
      const d = maxDiff(e.sample(s, 9, 16), want);
      check(d <= 1e-4, `${e.name}: samples of a natively trained model match the CLI's`, `max diff ${d.toExponential(2)}`);
      e.M._gpw_delete(s);
    }
    // every shipped generator samples the same images in wasm as natively
    const shipped = fs.readdirSync(path.join(ROOT, 'models')).filter((f) => f.endsWith('.gpm')).sort();
    check(shipped.length >= 3, 'three or more shipped generators in models/', shipped.join(', '));
    for (const name of shipped) {
      const file = path.join(ROOT, 'models', name);
      execFileSync(cli, ['sample', '--model', file, '--count', '64', '--seed', '3', '--raw', raw], { stdio: 'pipe' });
      const buf2 = fs.readFileSync(raw);
      const native = new Float32Array(buf2.buffer.slice(buf2.byteOffset, buf2.byteOffset + buf2.length));
      for (const e of engines) {
        const s = e.session();
        e.ok(s, e.loadModel(s, new Uint8Array(fs.readFileSync(file))), `gpw_load_model (${name})`);
        const mixed = e.sample(s, 3, 64);
        const d = maxDiff(mixed, native);
        check(d <= 1e-4, `${e.name}: ${name} samples as natively`, `max diff ${d.toExponential(2)}`);
        const classes = e.json(e.M._gpw_model_json(s)).classes.count;
        if (classes) { // one class asked for, both ways: `sample --class 7` and gpw_set_class(7)
          execFileSync(cli, ['sample', '--model', file, '--count', '16', '--seed', '3', '--class', '7', '--raw', raw], { stdio: 'pipe' });
          const buf3 = fs.readFileSync(raw);
          const sevens = new Float32Array(buf3.buffer.slice(buf3.byteOffset, buf3.byteOffset + buf3.length));
          e.ok(s, e.M._gpw_set_class(s, 7), 'gpw_set_class');
          const mine = e.sample(s, 3, 16);
          const d7 = maxDiff(mine, sevens), moved = maxDiff(mine, mixed.slice(0, 16 * e.M._gpw_image_size(s)));
          check(d7 <= 1e-4 && moved > 0.5, `${e.name}: ${name} draws class 7 as natively, and not the mixed grid`,
            `max diff ${d7.toExponential(2)}, ${moved.toFixed(2)} from the mixed samples`);
          check(e.M._gpw_set_class(s, classes) !== 0 && /class/.test(e.error(s)), `${e.name}: class ${classes} is refused`, e.error(s));
        }
        e.M._gpw_delete(s);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function rgba(e, s) {
  const p = e.M._gpw_rgba(s), n = 4 * e.M._gpw_rgba_width(s) * e.M._gpw_rgba_height(s);
  return e.M.HEAPU8.slice(p, p + n);
}

const sameBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

// (f) The calls the page's Train, Watch and Explore sections use.
function testPageApi(e, data) {
  const M = e.M;
  const s = e.session({ data, seed: 4 });
  const L = M._gpw_latent_size(s);

  // model description and settings, by name
  const table = e.json(M._gpw_tables_json(s)).tables;
  const info = e.json(M._gpw_model_json(s));
  check(info.settings.latent === L && info.image.channels === 1 && info.image.height === 28 && info.image.width === 28 &&
    info.has_discriminator === true && info.classes.count === 0 && info.preset === 'mlp' && info.loss === 'nonsaturating',
    `${e.name}: gpw_model_json describes the model`, JSON.stringify(info).slice(0, 300));
  const cfg = e.json(M._gpw_config_json(s, 1));
  check(cfg.seed === 4 && cfg.batch === 64 && cfg.latent === 100 && cfg.lr_g === 0.0002 && cfg.d_steps === 1 &&
    cfg.loss === 'nonsaturating' && cfg.real_label === 1 && cfg.preset === 'mlp',
    `${e.name}: gpw_config_json gives the model's settings`, JSON.stringify(cfg));

  // one call per setting: the next model's always, the live model's at once
  // where the setting can change live, with the engine's marker for the charts
  const set = (key, v) => e.configSet(s, key, v);
  e.train(s, 1);
  const one = e.setting(s, 'lr_g', 0.001);
  check(one && one.applied === 'now' && one.pending.lr_g === 0.001 && one.model.settings.lr_g === 0.001 &&
    one.marker === 'lr_g 0.001' && e.json(M._gpw_config_json(s, 1)).lr_g === 0.001,
    `${e.name}: gpw_setting changes lr_g of the next and the live model in one call`, JSON.stringify(one).slice(0, 200));
  const next = e.setting(s, 'batch', 32);
  check(next && next.applied === 'next' && next.pending.batch === 32 && next.model.settings.batch === 64 && next.marker === null,
    `${e.name}: a setting a live model cannot take is for the next model`, JSON.stringify(next).slice(0, 200));
  set('batch', 64);
  // a choice is marked by its label for people, from the loss table
  const hinge = e.setting(s, 'loss', 'hinge');
  check(hinge && hinge.applied === 'now' && hinge.marker === table.losses.find((l) => l.name === 'hinge').label && hinge.marker === 'Hinge',
    `${e.name}: a changed loss is marked by its label`, JSON.stringify(hinge && hinge.marker));
  set('loss', 'nonsaturating');
  for (const [key, v] of [['lr_g', -1], ['beta2', 1], ['loss', 'nope'], ['latent', 0], ['seed', -3], ['nope', 1]]) {
    const rc = set(key, v);
    const row = table.settings.find((r) => r.name === key);
    check(rc !== 0 && e.error(s).includes(row ? row.label : key), `${e.name}: gpw_setting ${key} = ${v} refused`, e.error(s));
  }
  const after = e.json(M._gpw_config_json(s, 1)), pending = e.json(M._gpw_config_json(s, 0));
  check(after.lr_g === 0.001 && after.batch === 64 && after.latent === 100 && after.beta2 > 0.99 && pending.lr_g === 0.001 &&
    pending.seed === 4, `${e.name}: refused settings left the model and the next one as they were`, JSON.stringify(after));
  check(set('lr_g', 2e-4) === 0 && set('loss', 'minimax') === 0 && set('real_label', 0.9) === 0 && set('d_steps', 2) === 0,
    `${e.name}: loss, label smoothing and D steps change live`);
  e.train(s, 1);
  check(e.stats(s)[1] === 3, `${e.name}: d_steps = 2 takes effect at once`, `D steps ${e.stats(s)[1]}`);
  const named = e.run(s);
  check(named.d_step === 3 && named.step === 2 && named.probability === true && Number.isFinite(named.g_loss) && named.g_loss < 0,
    `${e.name}: the run's answer names the statistics (the minimax G loss is negative)`, JSON.stringify(named).slice(0, 300));
  for (const loss of ['lsgan', 'hinge']) {
    check(set('loss', loss) === 0, `${e.name}: the ${loss} loss is selectable live`);
    e.train(s, 2);
    const st = e.run(s);
    check(Number.isFinite(st.d_loss) && Number.isFinite(st.g_loss) && st.probability === false,
      `${e.name}: ${loss} trains, and D's readouts are raw scores`, JSON.stringify(st));
  }
  set('loss', 'nonsaturating'); set('real_label', 1); set('d_steps', 1);

  // D step and G step change only the named network's weights
  const sums = () => e.json(M._gpw_checksum_json(s));
  let before = sums();
  const dStep = e.step(s, 1);
  let now = sums();
  check(dStep && dStep.points.length === 5 && dStep.points[2] === null && dStep.draw_grid && dStep.steps === 1,
    `${e.name}: a D step's chart point has D's values and no G loss`, JSON.stringify(dStep && dStep.points));
  check(now.d_hash !== before.d_hash && now.g_hash === before.g_hash && now.g_sum === before.g_sum,
    `${e.name}: a D step changes D's weights and not G's`, `G ${before.g_hash} -> ${now.g_hash}, D ${before.d_hash} -> ${now.d_hash}`);
  before = now;
  check(e.step(s, 2) !== null, `${e.name}: a G step`, e.error(s));
  now = sums();
  check(now.g_hash !== before.g_hash && now.d_hash === before.d_hash && now.d_buffers === before.d_buffers,
    `${e.name}: a G step changes G's weights and not D's`, `G ${before.g_hash} -> ${now.g_hash}, D ${before.d_hash} -> ${now.d_hash}`);

  // latent rows: seed rows match the seed grid exactly
  for (let i = 0; i < 4; i++) e.ok(s, M._gpw_z_seed(s, 10 + i, 21, i), 'gpw_z_seed');
  e.ok(s, M._gpw_render_z(s, 10, 4, 4), 'gpw_render_z');
  const fromRows = rgba(e, s);
  e.ok(s, M._gpw_render_seed(s, 21, 4, 4), 'gpw_render_seed');
  check(sameBytes(fromRows, rgba(e, s)), `${e.name}: rows from gpw_z_seed render as the seed's samples`);
  const row = (r) => e.floats(M._gpw_z(s) + 4 * r * L, L);
  const norm = (v) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  e.ok(s, M._gpw_z_slerp(s, 20, 10, 11, 0), 'slerp t=0');
  e.ok(s, M._gpw_z_slerp(s, 21, 10, 11, 1), 'slerp t=1');
  e.ok(s, M._gpw_z_slerp(s, 22, 10, 11, 0.5), 'slerp t=0.5');
  check(maxDiff(row(20), row(10)) < 1e-5 && maxDiff(row(21), row(11)) < 1e-5, `${e.name}: slerp ends at its two rows`);
  const mid = norm(row(22)), ends = (norm(row(10)) + norm(row(11))) / 2;
  const linear = norm(row(10).map((v, i) => (v + row(11)[i]) / 2));
  check(Math.abs(mid - ends) / ends < 0.05 && linear < 0.8 * ends,
    `${e.name}: slerp keeps the length that a straight line loses`, `|mid| ${mid.toFixed(2)}, ends ${ends.toFixed(2)}, linear ${linear.toFixed(2)}`);
  const early = M._gpw_z_direction(s, 30, 10, 0, 2);
  check(early !== 0 && /find them first/.test(e.error(s)), `${e.name}: no direction before they are found`, e.error(s));
  check(M._gpw_directions_find(s, 10, 16, 0, 0) !== 0 && /fitting samples/.test(e.error(s)),
    `${e.name}: directions fitted on too few samples refused`, e.error(s));
  const junk = M._gpw_alloc(64);
  M.HEAPU8.fill(7, junk, junk + 64);
  check(M._gpw_directions_find(s, 256, 16, junk, 64) !== 0, `${e.name}: a broken classifier file for the directions refused`, e.error(s));
  M._gpw_free(junk);
  e.ok(s, M._gpw_directions_find(s, 256, 16, 0, 0), 'directions found');
  const found = JSON.parse(M.UTF8ToString(M._gpw_directions_json(s)));
  check(found.count >= 2 && found.count === found.directions.length && found.fit_samples === 256 && found.measure_samples === 16 &&
    found.directions.every((d) => ['principal', 'attribute'].includes(d.kind) && d.at.length === 5 && d.monotonicity >= 0 &&
      d.monotonicity <= 1 && typeof d.offered === 'boolean'),
    `${e.name}: the directions found, named and measured`, found.directions.map((d) => d.name).join(' '));
  e.ok(s, M._gpw_z_direction(s, 30, 10, 0, 2), 'direction 0');
  e.ok(s, M._gpw_z_direction(s, 31, 10, 1, 2), 'direction 1');
  const d0 = row(30).map((v, i) => v - row(10)[i]), d1 = row(31).map((v, i) => v - row(10)[i]);
  check(Math.abs(norm(d0) - 2) < 1e-3 && Math.abs(norm(d1) - 2) < 1e-3 && maxDiff(d0, d1) > 1e-3,
    `${e.name}: a direction moves z by its amount in standard deviations`, `|d0| ${norm(d0).toFixed(4)}, |d1| ${norm(d1).toFixed(4)}`);
  check(M._gpw_z_direction(s, 30, 10, found.count, 1) !== 0, `${e.name}: a direction past the last refused`, e.error(s));
  e.ok(s, M._gpw_z_jitter(s, 40, 10, 5, 0), 'jitter 0');
  e.ok(s, M._gpw_z_jitter(s, 41, 10, 5, 0.5), 'jitter');
  e.ok(s, M._gpw_z_jitter(s, 42, 10, 5, 0.5), 'jitter again');
  check(maxDiff(row(40), row(10)) === 0 && maxDiff(row(41), row(42)) === 0 && maxDiff(row(41), row(10)) > 0.1,
    `${e.name}: neighbours are reproducible and radius 0 is the sample itself`);
  for (const [what, call] of [['row 256', () => M._gpw_z_seed(s, 256, 1, 0)], ['index -1', () => M._gpw_z_seed(s, 0, 1, -1)],
    ['t 1.5', () => M._gpw_z_slerp(s, 0, 1, 2, 1.5)], ['direction 9', () => M._gpw_z_direction(s, 0, 1, 9, 1)],
    ['amount NaN', () => M._gpw_z_direction(s, 0, 1, 0, NaN)], ['radius -1', () => M._gpw_z_jitter(s, 0, 1, 1, -1)],
    ['rows 250..259', () => M._gpw_render_z(s, 250, 10, 5)]]) {
    const rc = call();
    check(rc !== 0 && e.error(s).length > 0, `${e.name}: latent call with ${what} refused`, e.error(s));
  }

  // real held-out images and D's scores; scoring does not disturb training
  const ck = sums();
  e.ok(s, M._gpw_render_real(s, 0, 8, 4), 'gpw_render_real');
  check(M._gpw_rgba_width(s) === 4 * 30 + 2 && M._gpw_rgba_height(s) === 2 * 30 + 2, `${e.name}: real images render as a grid`);
  e.ok(s, M._gpw_d_score(s), 'gpw_d_score real');
  const pReal = e.floats(M._gpw_probs(s), 8);
  e.ok(s, M._gpw_render_seed(s, 3, 8, 4), 'render');
  e.ok(s, M._gpw_d_score(s), 'gpw_d_score fake');
  const pFake = e.floats(M._gpw_probs(s), 8);
  check([...pReal, ...pFake].every((p) => p > 0 && p < 1), `${e.name}: D's scores are probabilities`,
    `real ${Array.from(pReal, (p) => p.toFixed(2))}, fake ${Array.from(pFake, (p) => p.toFixed(2))}`);
  check(JSON.stringify(sums()) === JSON.stringify(ck), `${e.name}: rendering and scoring leave every weight and buffer as it was`);

  // user images: RGBA to a dataset, light paper inverted, fewer than 10 refused
  const rgbaImages = (n) => {
    const px = new Uint8Array(n * 28 * 28 * 4).fill(255); // white paper
    for (let k = 0; k < n; k++) // a dark, opaque stroke
      for (let x = 10; x < 18; x++) px.fill(0, (k * 784 + 14 * 28 + x) * 4, (k * 784 + 14 * 28 + x) * 4 + 3);
    return px;
  };
  const u = e.session({ seed: 2 });
  let rc = e.bytesIn(rgbaImages(9), (p, n) => M._gpw_dataset_from_rgba(u, p, n, 9, 28, 28, 1));
  check(rc !== 0 && /at least 10/.test(e.error(u)), `${e.name}: 9 user images refused`, e.error(u));
  rc = e.bytesIn(rgbaImages(12), (p, n) => M._gpw_dataset_from_rgba(u, p, n, 12, 28, 28, 1));
  check(rc === 0 && M._gpw_dataset_count(u) === 12 && M._gpw_dataset_held_out(u) === 2,
    `${e.name}: 12 user images make a dataset with 2 held out`, rc ? e.error(u) : '');
  e.ok(u, M._gpw_render_real(u, 0, 1, 1), 'render user image');
  const img = rgba(e, u), W = M._gpw_rgba_width(u);
  const at = (x, y) => img[4 * (y * W + x)];
  check(at(2 + 3, 2 + 3) === 0 && at(2 + 12, 2 + 14) === 255, `${e.name}: light paper with dark ink becomes light ink on black`,
    `paper ${at(5, 5)}, ink ${at(14, 16)}`);
  // the thumbnails' gray is what the dataset holds (one rule, in the core)
  {
    const n = 12 * 28 * 28, out = M._gpw_alloc(n);
    rc = e.bytesIn(rgbaImages(12), (p, len) => M._gpw_images_as_trained(u, p, len, 12, 28, 28, 1, out, n));
    const gray = M.HEAPU8.slice(out, out + n);
    M._gpw_free(out);
    e.ok(u, M._gpw_render_real(u, 0, 1, 1), 'render user image');
    const first = rgba(e, u), shown = [];
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) shown.push(first[4 * ((y + 2) * W + x + 2)]);
    const differ = shown.findIndex((v, i) => v !== gray[i]);
    check(rc === 0 && differ < 0 && gray[3 * 28 + 3] === 0,
      `${e.name}: gpw_images_as_trained gives the gray the dataset trains on`, rc ? e.error(u) : `pixel ${differ}`);
  }
  e.train(u, 2);
  check(e.stats(u)[0] === 2, `${e.name}: a model trains on user images`);
  M._gpw_delete(u);

  // colour user images: the dataset, the thumbnails and the model keep the colours (3 x 32 x 32)
  {
    const side = 32, n = 12, px = side * side;
    const colour = new Uint8Array(n * px * 4);
    for (let k = 0; k < n; k++) for (let i = 0; i < px; i++) colour.set([200, 40 + k, 90, 255], (k * px + i) * 4);
    const cu = e.session();
    const dataset = (name, classes, channels) => e.str(name, (k) => M._gpw_config_dataset(cu, k, classes, channels));
    check(dataset('mnist', 10, 3) !== 0 && /MNIST digits: its images have 1 channel/.test(e.error(cu)),
      `${e.name}: MNIST as colour refused`, e.error(cu));
    check(dataset('own', 1, 2) !== 0 && /not 2 channels/.test(e.error(cu)), `${e.name}: own images of 2 channels refused`, e.error(cu));
    e.ok(cu, dataset('emoji', 9, 0), 'gpw_config_dataset emoji');
    const image = () => e.json(M._gpw_config_json(cu, 0)).image;
    check(JSON.stringify(image()) === '{"channels":3,"height":32,"width":32}', `${e.name}: Emoji makes 3x32x32 models`,
      JSON.stringify(image()));
    e.ok(cu, e.preset(cu, 'dcgan'), 'gpw_config_default dcgan');
    check(image().channels === 3 && image().height === 32, `${e.name}: another preset keeps the dataset's image`, JSON.stringify(image()));
    e.ok(cu, dataset('own', 1, 3), 'gpw_config_dataset own colour');
    e.ok(cu, e.preset(cu, 'mlp'), 'gpw_config_default mlp');
    const out = M._gpw_alloc(3 * n * px);
    rc = e.bytesIn(colour, (p, len) => M._gpw_images_as_trained(cu, p, len, n, side, side, 3, out, 3 * n * px - 1));
    check(rc !== 0 && /out for 12 images of 3x32x32/.test(e.error(cu)), `${e.name}: colour thumbnails need 3 bytes a pixel`, e.error(cu));
    rc = e.bytesIn(colour, (p, len) => M._gpw_images_as_trained(cu, p, len, n, side, side, 3, out, 3 * n * px));
    const planes = M.HEAPU8.slice(out, out + 3 * n * px);
    M._gpw_free(out);
    check(rc === 0 && planes[0] === 200 && planes[px] === 40 && planes[2 * px] === 90 && planes[3 * px + px] === 41,
      `${e.name}: gpw_images_as_trained gives colour planes`, rc ? e.error(cu) : `${planes[0]} ${planes[px]} ${planes[2 * px]}`);
    check(e.bytesIn(colour, (p, len) => M._gpw_dataset_from_rgba(cu, p, len, n, side, side, 2)) !== 0 && /not 2/.test(e.error(cu)),
      `${e.name}: user images of 2 channels refused`, e.error(cu));
    e.ok(cu, e.bytesIn(colour, (p, len) => M._gpw_dataset_from_rgba(cu, p, len, n, side, side, 3)), 'gpw_dataset_from_rgba colour');
    e.ok(cu, M._gpw_create(cu), 'gpw_create on colour images');
    e.ok(cu, M._gpw_render_real(cu, 0, 1, 1), 'render a colour user image');
    const shown = rgba(e, cu);
    const W = M._gpw_rgba_width(cu), at = (4 * (2 * W + 2));
    check(JSON.stringify(e.json(M._gpw_model_json(cu)).image) === '{"channels":3,"height":32,"width":32}' &&
      shown[at] === 200 && [44, 49].includes(shown[at + 1]) && shown[at + 2] === 90, // a held-out image: 4 or 9
    `${e.name}: a model of colour user images is 3x32x32 and shows them in colour`, `${shown[at]} ${shown[at + 1]} ${shown[at + 2]}`);
    e.train(cu, 1);
    check(e.stats(cu)[0] === 1, `${e.name}: a model trains on colour user images`);
    M._gpw_delete(cu);
  }

  // a generator-only model has no D to score with
  const g = e.session();
  e.ok(g, e.loadModel(g, e.save(s, 0)), 'load generator');
  e.ok(g, M._gpw_render_seed(g, 1, 4, 4), 'render');
  check(M._gpw_d_score(g) !== 0 && /discriminator/.test(e.error(g)), `${e.name}: generator-only model refuses D scores`, e.error(g));
  check(e.json(M._gpw_model_json(g)).has_discriminator === false, `${e.name}: gpw_model_json says generator only`);
  M._gpw_delete(g);

  // divergence is reported as such
  e.ok(s, M._gpw_test_poison(s), 'gpw_test_poison');
  const halted = e.step(s, 0);
  check(halted && halted.halted && !halted.running && /became/.test(halted.message),
    `${e.name}: a non-finite loss halts the run and says why`, JSON.stringify(halted).slice(0, 200));
  check(e.step(s, 0) === null && /NaN/.test(e.error(s)), `${e.name}: a halted run refuses to step`, e.error(s));
  M._gpw_delete(s);
}

// (m) The training run as the page drives it: Start, turns, Pause with the
// last good state kept, the history and the timeline, the halt and the way
// back; a state trained by `ganplay train` comes with its history.
function testRun(e, data) {
  const M = e.M;
  const s = e.session({ data, seed: 6 });
  const runSet = (key, v) => e.str(key, (k) => M._gpw_run_set(s, k, v));
  const tables = e.json(M._gpw_tables_json(s));
  check(tables.run.name === 'page' && tables.run.point_columns.join() === 'x,d_loss,g_loss,d_real,d_fake' &&
    tables.run.speeds[tables.run.speeds.length - 1] === 0 && tables.project.steps > 0 && tables.directions === 12 && tables.direction_fit > 0 && tables.direction_measure > 0 &&
    tables.statuses.nomem === 2 && tables.statuses.nan === 5 && tables.limits.grid_pad === 2,
    `${e.name}: the tables say the run's policy and editing's defaults`, JSON.stringify(tables.run));
  check(runSet('speed', -1) !== 0 && /speed/.test(e.error(s)) && runSet('pace', 1) !== 0 && runSet('view_label', 3) !== 0,
    `${e.name}: bad run settings are refused`, e.error(s));
  e.ok(s, runSet('snap_every', 3), 'snap_every');
  e.ok(s, M._gpw_run_start(s), 'gpw_run_start');
  let turns = 0, steps = 0, points = 0, snaps = 0, last;
  while (steps < 7 && turns < 1000) {
    const p = M._gpw_run_turn(s);
    if (!check(p !== 0, `${e.name}: a turn answers`, e.error(s))) break;
    last = e.json(p);
    turns++;
    steps += last.steps;
    points += last.points.length / 5;
    snaps += last.snapshots;
  }
  check(last && last.running && last.step === steps && points === steps && last.next_ms === 0 && snaps === Math.floor(steps / 3),
    `${e.name}: turns train, one chart point a step, a snapshot every 3 G steps`,
    `${turns} turns, ${steps} steps, ${points} points, ${snaps} snapshots`);
  const paused = e.json(M._gpw_run_pause(s));
  check(!paused.running && (paused.kept || last.kept) && paused.good_step === steps && M._gpw_run_good_len(s) > 0,
    `${e.name}: Pause keeps the last good state (or the last turn just kept it)`, JSON.stringify(paused).slice(0, 200));
  check(M._gpw_run_keep(s, 0) === 0 && M._gpw_run_keep(s, 1) === 1, `${e.name}: nothing new to keep until forced`);
  const h = e.json(M._gpw_run_history_json(s));
  check(h.points.length === 5 * steps && h.timeline[0] === 0 && h.timeline.length === 1 + Math.floor(steps / 3),
    `${e.name}: the history holds every chart point and the timeline starts at step 0`, `timeline ${h.timeline}`);
  e.ok(s, M._gpw_run_snapshot(s, 1), 'gpw_run_snapshot');
  check(M._gpw_rgba_width(s) === 8 * 30 + 2 && M._gpw_run_snapshot(s, h.timeline.length) !== 0,
    `${e.name}: snapshots come out as images; one past the end is refused`, e.error(s));
  const good = e.json(M._gpw_checksum_json(s));
  // the kept state carries the history: another session opens it with its charts
  const gp = M._gpw_run_good(s), bytes = M.HEAPU8.slice(gp, gp + M._gpw_run_good_len(s));
  const o = e.session({ data });
  e.ok(o, e.loadModel(o, bytes), 'load the kept state');
  const oh = e.json(M._gpw_run_history_json(o));
  check(maxDiff(oh.points.map((v) => v ?? NaN), h.points.map((v) => v ?? NaN)) === 0 && oh.timeline.join() === h.timeline.join(),
    `${e.name}: the kept state opens with its charts and timeline`);
  M._gpw_delete(o);
  // the halt and the way back
  e.ok(s, M._gpw_test_poison(s), 'poison');
  e.ok(s, M._gpw_run_start(s), 'start again');
  const bad = e.json(M._gpw_run_turn(s));
  check(bad.halted && !bad.running && bad.good_step === steps && M._gpw_run_start(s) !== 0,
    `${e.name}: NaN halts the run with the last good step named`, JSON.stringify(bad).slice(0, 160));
  e.ok(s, M._gpw_run_restore(s), 'gpw_run_restore');
  const back = e.json(M._gpw_checksum_json(s)), br = e.run(s);
  check(!br.halted && br.step === steps && ['g_sum', 'g_hash', 'd_sum', 'd_hash'].every((k) => back[k] === good[k]),
    `${e.name}: the way back restores the last good weights and step`);
  // a save from before the state carried its history: its charts come in
  const legacy = new Float32Array([2, 1.3, 0.7, 0.6, 0.4, 4, 1.2, 0.8, 0.5, 0.45]), fd = new Float32Array([2, 300]);
  e.ok(s, e.bytesIn(new Uint8Array(legacy.buffer), (p) => e.bytesIn(new Uint8Array(fd.buffer), (q) =>
    M._gpw_run_import_history(s, p, 2, q, 1))), 'gpw_run_import_history');
  const lh = e.json(M._gpw_run_history_json(s));
  check(lh.points.length === 10 && lh.points[5] === 4 && lh.measures[0] === 2 && lh.measures[1] === 300,
    `${e.name}: a legacy save's charts are imported`, JSON.stringify(lh.measures));
  check(M._gpw_run_import_history(s, 0, 2, 0, 0) !== 0, `${e.name}: a legacy history without its points is refused`, e.error(s));
  M._gpw_delete(s);

  // a history whose snapshots are not of the model's sample grid is refused
  // in words (the run read past the grid's pixels at its next snapshot)
  {
    const h = e.session({ data, seed: 8 });
    e.train(h, 2);
    const hist = e.json(M._gpw_run_history_json(h));
    const file = e.save(h, 1), side = 8 * 30 + 2;
    const oldLen = 4 + 20 * (hist.points.length / 5) + 4 + 8 * (hist.measures.length / 3) + 12 + hist.timeline.length * (4 + side * side);
    check(e.loadModel(h, withHistory(file, oldLen, snapshotHistory(1, side, side))) === 0,
      `${e.name}: a state with a timeline of its grid opens`, e.error(h));
    const o = e.session({ data, seed: 9 });
    const refused = e.loadModel(o, withHistory(file, oldLen, snapshotHistory(2, side + 10, side + 10)));
    check(refused === 4 && /sample grid is 242x242/.test(e.error(o)) && e.json(M._gpw_run_history_json(o)).step === 0,
      `${e.name}: a timeline of another size than the model's grid is refused, the model on show stays`, e.error(o));
    e.ok(o, e.str('snap_every', (k) => M._gpw_run_set(o, k, 1)), 'snap_every 1');
    e.train(o, 2);
    check(e.json(M._gpw_run_history_json(o)).timeline.join() === '0,1,2', `${e.name}: and it trains on with its own timeline`);
    M._gpw_delete(o);
    M._gpw_delete(h);
  }

  // a conditional model's class: the timeline shows what the grid shows,
  // before and after the way back (which returns to classes in turn)
  const c = e.session({ data });
  e.ok(c, e.preset(c, 'mlp'), 'gpw_config_default');
  e.ok(c, e.configSet(c, 'cond', 'concat'), 'cond concat');
  e.ok(c, M._gpw_create(c), 'gpw_create');
  e.ok(c, e.str('snap_every', (k) => M._gpw_run_set(c, k, 1)), 'snap_every 1');
  const rgba = () => M.HEAPU8.slice(M._gpw_rgba(c), M._gpw_rgba(c) + 4 * M._gpw_rgba_width(c) * M._gpw_rgba_height(c));
  const sameAsGrid = () => {
    const n = e.json(M._gpw_run_history_json(c)).timeline.length;
    e.ok(c, M._gpw_run_snapshot(c, n - 1), 'gpw_run_snapshot');
    const shot = rgba();
    e.ok(c, M._gpw_render_seed(c, 1, 64, 8), 'gpw_render_seed');
    return maxDiff(shot, rgba()) === 0;
  };
  e.ok(c, M._gpw_set_class(c, 3), 'gpw_set_class 3');
  e.train(c, 2);
  const before = sameAsGrid();
  e.ok(c, M._gpw_run_start(c), 'start');
  e.json(M._gpw_run_pause(c));
  e.ok(c, M._gpw_test_poison(c), 'poison');
  e.train(c, 1);
  e.ok(c, M._gpw_run_restore(c), 'gpw_run_restore');
  e.train(c, 1);
  check(before && sameAsGrid(), `${e.name}: a snapshot is the sample grid of the class shown, after the way back too`);
  M._gpw_delete(c);

  // a state trained by the CLI opens with its charts (300 steps: points, snapshots)
  const cli = path.join(BUILD, 'ganplay');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ganplay-run-'));
  try {
    const model = path.join(tmp, 'c.gpm');
    execFileSync(cli, ['train', '--preset', 'mlp', '--data', DATA, '--steps', '120', '--seed', '2', '--batch', '16', '--out', model],
      { stdio: 'pipe' });
    const c = e.session({ data });
    e.ok(c, e.loadModel(c, new Uint8Array(fs.readFileSync(model))), 'load the CLI state');
    const ch = e.json(M._gpw_run_history_json(c));
    check(ch.points.length === 5 * 120 && ch.timeline.join() === '0,50,100' && ch.step === 120,
      `${e.name}: a state trained by ganplay train opens with its 120 chart points and snapshots at 0, 50, 100`,
      `${ch.points.length / 5} points, timeline ${ch.timeline}`);
    M._gpw_delete(c);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// (g) Digit FD through the classifier, where the build has it.
function testScore(e, data) {
  const M = e.M;
  const file = path.join(ROOT, 'models/mnist-classifier.gpc');
  if (!check(fs.existsSync(file), 'the shipped classifier models/mnist-classifier.gpc exists')) return;
  const s = e.session({ data, seed: 1 });
  check(M._gpw_score(s, 100, 1, -1) !== 0 && /classifier/.test(e.error(s)), `${e.name}: scoring before the classifier is refused`, e.error(s));
  e.ok(s, e.bytesIn(new Uint8Array(fs.readFileSync(file)), (p, n) => M._gpw_load_classifier(s, p, n)), 'gpw_load_classifier');
  e.ok(s, M._gpw_score(s, 200, 1, -1), 'gpw_score');
  const r = e.json(M._gpw_score_json(s));
  const histSum = r.hist.reduce((a, b) => a + b, 0);
  check(Number.isFinite(r.fd) && r.fd > 0 && Math.abs(histSum - 1) < 1e-5 && r.cond_acc === null && r.count === 200,
    `${e.name}: digit FD of an untrained model`, `FD ${r.fd.toFixed(2)}, entropy ${r.entropy.toFixed(3)}`);
  check(e.bytesIn(new Uint8Array([1, 2, 3]), (p, n) => M._gpw_load_classifier(s, p, n)) !== 0, `${e.name}: a bad classifier file is refused`, e.error(s));
  e.ok(s, M._gpw_score(s, 200, 1, -1), 'gpw_score after refusal');
  M._gpw_delete(s);
}

// (h) the 2-D mode's API (src/app/wasm_2d.c): the core's run trains as
// natively, the batch a step used is kept, and every bad argument is
// refused with the model intact.
function test2d(engines) {
  const cli = path.join(BUILD, 'ganplay');
  const native = JSON.parse(execFileSync(cli, ['train2d', '--dist', 'moons', '--steps', '40', '--seed', '9'], { encoding: 'utf8' })
    .trim().split('\n').pop());
  // the same run written by the CLI as a saved 2-D run: the page's engine opens it
  const saved2d = path.join(os.tmpdir(), `ganplay-wasm-2d-${process.pid}.gpm`);
  execFileSync(cli, ['train2d', '--dist', 'moons', '--steps', '40', '--seed', '9', '--out', saved2d], { encoding: 'utf8' });
  const results = [];
  for (const e of engines) {
    const M = e.M, s = M._gpw_2d_new();
    const err = () => M.UTF8ToString(M._gpw_2d_error(s));
    const set = (key, value) => (e.str(key, (k) => e.str(String(value), (v) => M._gpw_2d_setting(s, k, v))) ? 0 : 1);
    const dist = (name, pts = []) => {
      const f = new Float32Array(pts);
      return e.bytesIn(new Uint8Array(f.buffer), (p) => e.str(name, (k) => M._gpw_2d_set_dist(s, k, p, f.length / 2)));
    };
    const step = (kind) => {
      const p = M._gpw_2d_run_step(s, kind);
      return p ? e.json(p) : null;
    };
    check(dist('moons') === 0 && set('seed', 9) === 0 && M._gpw_2d_create(s) === 0, `${e.name}: a 2-D model is made`, err());
    for (let i = 0; i < 40; i++) step(0);
    const run = () => e.json(M._gpw_2d_run_json(s));
    check(run().rounds === 40, `${e.name}: a 2-D model trains 40 rounds`, err());
    const m = e.json(M._gpw_2d_measure_json(s, 2000));
    results.push(m);
    check(Math.abs(m.kl - native.kl) < 1e-3 && Math.abs(m.js - native.js) < 1e-3 && m.modes_total === 0,
      `${e.name}: the same 2-D run as the native train2d`, `KL ${m.kl} vs ${native.kl}, JS ${m.js} vs ${native.js}`);
    // a D step keeps the batch it used; a G step its fakes before and after
    const before = run();
    const d = step(1);
    const n = M._gpw_2d_batch_n(s), dReal = e.floats(M._gpw_2d_batch_d_real(s), n);
    check(d && d.d_step === before.d_step + 1 && d.step === before.step && d.rounds === before.rounds && n === 128 &&
      dReal.every((v) => v > 0 && v < 1) && d.measured !== null,
      `${e.name}: a D step takes one D step, keeps D's view of its batch and measures`, `n ${n}`);
    const g = step(2);
    const fake = e.floats(M._gpw_2d_batch_fake(s), 2 * n), moved = e.floats(M._gpw_2d_batch_after(s), 2 * n);
    const grad = e.floats(M._gpw_2d_batch_grad(s), 2 * n);
    check(g && g.step === before.step + 1 && g.rounds === before.rounds + 1 && maxDiff(fake, moved) > 0 && grad.every(Number.isFinite),
      `${e.name}: a G step moves the fakes and keeps their arrows; the D step and it make a round`, `rounds ${g && g.rounds}`);
    // turns: one chart point each, rounds counted, the speed obeyed
    check(M._gpw_2d_run_start(s) === 0, `${e.name}: the 2-D run starts`, err());
    const t = e.json(M._gpw_2d_run_turn(s));
    check(t.steps > 0 && t.rounds === 41 + t.steps && t.points.length === 5 && t.points[0] === t.rounds && t.next_ms === 0,
      `${e.name}: a 2-D turn trains rounds and pushes one chart point`, JSON.stringify(t).slice(0, 200));
    e.json(M._gpw_2d_run_pause(s));
    // bad arguments: refused in words, nothing changes
    const bad = [
      ['a grid of 1', () => M._gpw_2d_frame(s, 1, 8, 10, 0, 1)],
      ['a grid of 200', () => M._gpw_2d_frame(s, 200, 8, 10, 0, 1)],
      ['a mesh of 100 x 100', () => M._gpw_2d_frame(s, 16, 100, 10, 0, 1)],
      ['0 points', () => M._gpw_2d_frame(s, 16, 8, 0, 0, 1)],
      ['5000 points', () => M._gpw_2d_frame(s, 16, 8, 5000, 0, 1)],
      ['more arrows than the batch', () => M._gpw_2d_frame(s, 16, 8, 500, 200, 1)],
      ['a negative seed', () => M._gpw_2d_frame(s, 16, 8, 10, 0, -1)],
      ['a step of kind 7', () => (step(7) ? 0 : 1)],
      ['a negative speed', () => e.str('speed', (k) => M._gpw_2d_run_set(s, k, -2))],
      ['an unknown distribution', () => dist('circle')],
      ['no drawn points', () => dist('drawn')],
      ['a drawn point outside the plane', () => dist('drawn', [0, 2])],
      ['an image-only setting', () => set('cond', 'acgan')],
      ['3-D noise', () => set('latent', 3)],
      ['an unknown lesson', () => e.str('nope', (k) => M._gpw_2d_lesson(s, k))],
      ['0 measurement samples', () => (M._gpw_2d_measure_json(s, 0) ? 0 : 1)],
    ];
    const kept = JSON.stringify(run());
    for (const [what, fn] of bad) {
      const rc = fn();
      check(rc !== 0 && err().length > 0, `${e.name}: 2-D API refuses ${what}`, err());
    }
    check(JSON.stringify(run()) === kept && M._gpw_2d_frame(s, 16, 8, 10, 4, 1) === 0 && step(0) !== null,
      `${e.name}: after the refusals the 2-D model is intact and trains on`);
    const live = e.json(e.str('g_layers', (k) => e.str('1', (v) => M._gpw_2d_setting(s, k, v))));
    check(live.applied === 'next' && live.config.g_layers === 2 && live.pending.g_layers === 1,
      `${e.name}: a setting the live 2-D model cannot take waits for Reset`);
    testSaved2d(e, s, native, saved2d);
    M._gpw_2d_delete(s);
  }
  check(results.length === 2 && maxDiff([results[0].kl, results[0].js], [results[1].kl, results[1].js]) === 0,
    'SIMD and portable builds train the 2-D GAN alike');
  fs.rmSync(saved2d, { force: true });
}

// Saved 2-D runs (gpw_2d_save, gpw_2d_check, gpw_2d_open): s's run saved and
// opened in a new session is the same run (readouts, the frame, the charts,
// the next rounds); the CLI's file of the same run opens with the CLI's
// numbers; an image model's file and a damaged one are refused, the session's
// run intact.
function testSaved2d(e, s, native, cliFile) {
  const M = e.M, u = M._gpw_2d_new();
  const err = (x) => M.UTF8ToString(M._gpw_2d_error(x));
  const run = (x) => e.json(M._gpw_2d_run_json(x));
  const frame = (x) => (M._gpw_2d_frame(x, 16, 8, 64, 8, 99) === 0
    ? [...e.floats(M._gpw_2d_grid(x), 256), ...e.floats(M._gpw_2d_fake(x), 128), ...e.floats(M._gpw_2d_arrows(x), 16)] : null);
  const numbers = (r) => JSON.stringify([r.rounds, r.step, r.d_step, r.d_loss, r.g_loss, r.d_real, r.d_fake]);
  const savedRc = e.str('collapse', (k) => M._gpw_2d_save(s, k, 99));
  check(savedRc === 0 && M._gpw_2d_saved_len(s) > 0, `${e.name}: a 2-D run saves`, savedRc ? err(s) : `${M._gpw_2d_saved_len(s)} bytes`);
  const file = M.HEAPU8.slice(M._gpw_2d_saved(s), M._gpw_2d_saved(s) + M._gpw_2d_saved_len(s));
  const open = (x, bytes) => e.bytesIn(bytes, (p, n) => M._gpw_2d_check(x, p, n) || M._gpw_2d_open(x, p, n));
  check(M._gpw_2d_create(u) === 0 && open(u, file) === 0, `${e.name}: the saved 2-D run opens in another session`, err(u));
  const o = e.json(M._gpw_2d_opened_json(u)), rs = run(s), ru = run(u);
  check(numbers(ru) === numbers(rs) && o.distribution === 'moons' && o.lesson === 'collapse' && o.rounds === rs.rounds &&
    o.frame_seed === 99 && M._gpw_2d_drawn_n(u) === 0, `${e.name}: it has the saved readouts, distribution and lesson`,
  `${numbers(ru)} / ${numbers(rs)} ${JSON.stringify(o).slice(0, 200)}`);
  const hs = e.json(M._gpw_2d_history_json(s)), hu = e.json(M._gpw_2d_history_json(u));
  check(maxDiff(frame(u), frame(s)) === 0 && JSON.stringify(hu.points) === JSON.stringify(hs.points) &&
    JSON.stringify(hu.measures) === JSON.stringify(hs.measures) && hu.points.length > 0,
  `${e.name}: and the same frame and charts`, `${hu.points.length} / ${hs.points.length} chart values`);
  for (let i = 0; i < 3; i++) M._gpw_2d_run_step(s, 0), M._gpw_2d_run_step(u, 0);
  check(numbers(run(u)) === numbers(run(s)) && maxDiff(frame(u), frame(s)) === 0, `${e.name}: and goes on as the saved run does`);
  // refusals leave the run on show
  const kept = numbers(run(u)), keptFrame = frame(u);
  const image = new Uint8Array(fs.readFileSync(path.join(ROOT, 'models/mnist-dcgan.gpm')));
  const rc = open(u, image);
  check(rc !== 0 && /main view's Model box/.test(err(u)), `${e.name}: an image model's file is refused, saying where it opens`, err(u));
  const cut = file.slice(0, 700);
  check(open(u, cut) !== 0 && /truncated|checksum/.test(err(u)), `${e.name}: a truncated 2-D file is refused`, err(u));
  check(numbers(run(u)) === kept && maxDiff(frame(u), keptFrame) === 0, `${e.name}: after the refusals the run on show is intact`);
  // the CLI's file of the same run (moons, 40 rounds, seed 9) opens with the CLI's numbers
  const cliRc = open(u, new Uint8Array(fs.readFileSync(cliFile)));
  check(cliRc === 0, `${e.name}: the CLI's saved 2-D run opens`, cliRc ? err(u) : '');
  const m = e.json(M._gpw_2d_measure_json(u, 2000)), r = run(u);
  check(r.rounds === 40 && Math.abs(m.kl - native.kl) < 1e-3 && Math.abs(m.js - native.js) < 1e-3 &&
    Math.abs(r.d_loss - native.d_loss) < 1e-3, `${e.name}: with the CLI's numbers`, `KL ${m.kl} vs ${native.kl}, rounds ${r.rounds}`);
  M._gpw_2d_delete(u);
}

// (i) Every exported function, called with a NULL session and with
// out-of-range, overflowing, null and short-buffer arguments, refuses
// without trapping or writing outside what it was given; afterwards the
// session samples and trains exactly like a fresh one. A new export without
// a row here fails the test.
function testRobust(e, data) {
  const M = e.M, NULL = 0, BIG = 0x7fffffff;
  const s = e.session({ data, seed: 5 }), fresh = e.session({ data, seed: 5 });
  const t = M._gpw_2d_new(), tFresh = M._gpw_2d_new();
  e.ok(t, M._gpw_2d_create(t) | M._gpw_2d_create(tFresh), 'gpw_2d_create');
  const short = M._gpw_alloc(16); // a buffer of 16 bytes
  // pointers past the end of the memory: just past it (read when called: the memory grows), and one whose
  // end wraps around 2^32
  const past = () => M.HEAPU8.length + 4096, FAR = 0xffffff00;
  const str = (v, fn) => e.str(v, fn);
  const bytes = (n, fn) => e.bytesIn(new Uint8Array(n), fn);
  // fn's status while a projection of s is under way (begun here, cancelled after)
  const underWay = (fn) => {
    e.ok(s, bytes(3136, (p) => M._gpw_project_begin(s, p, 3136, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)), 'gpw_project_begin');
    try {
      return fn();
    } finally {
      check(M._gpw_project_cancel(s) === 1, `${e.name}: the projection begun for a bad call is cancelled`);
    }
  };
  // rc: a nonzero status; none: no answer (NULL; the session says why); any: the call returns at all
  // (a NULL session has nowhere to say why)
  const calls = {
    gpw_simd: [], gpw_directions: [], gpw_new: [],
    gpw_alloc: [['any', () => M._gpw_alloc(-1)], ['any', () => M._gpw_alloc(0)]],
    gpw_free: [['any', () => M._gpw_free(NULL)], ['any', () => M._gpw_free(past())], ['any', () => M._gpw_free(FAR)]],
    gpw_delete: [['any', () => M._gpw_delete(NULL)]],
    gpw_error: [['any', () => M._gpw_error(NULL)]],
    gpw_load_dataset: [['rc', () => M._gpw_load_dataset(NULL, short, 16)], ['rc', () => M._gpw_load_dataset(s, NULL, 100)],
      ['rc', () => M._gpw_load_dataset(s, short, -1)], ['rc', () => M._gpw_load_dataset(s, short, 16)],
      ['rc', () => M._gpw_load_dataset(s, past(), 100)], ['rc', () => M._gpw_load_dataset(s, FAR, 0x200)],
      ['rc', () => M._gpw_load_dataset(s, M.HEAPU8.length - 8, 100)]], // starts inside, ends past the memory
    gpw_dataset_count: [['any', () => M._gpw_dataset_count(NULL)]],
    gpw_dataset_held_out: [['any', () => M._gpw_dataset_held_out(NULL)]],
    gpw_dataset_from_rgba: [['rc', () => M._gpw_dataset_from_rgba(NULL, short, 16, 1, 2, 2, 1)],
      ['rc', () => M._gpw_dataset_from_rgba(s, short, 16, 12, 28, 28, 1)], // the buffer is too short for what it claims
      ['rc', () => M._gpw_dataset_from_rgba(s, NULL, 37632, 12, 28, 28, 1)],
      ['rc', () => M._gpw_dataset_from_rgba(s, short, 16, BIG, BIG, BIG, 1)],
      ['rc', () => M._gpw_dataset_from_rgba(s, short, 16, 1, 2, 2, BIG)], ['rc', () => M._gpw_dataset_from_rgba(s, short, 16, 1, 2, 2, -3)],
      ['rc', () => M._gpw_dataset_from_rgba(s, short, -5, 12, 28, 28, 3)], ['rc', () => M._gpw_dataset_from_rgba(s, past(), 37632, 12, 28, 28, 3)]],
    gpw_images_as_trained: [['rc', () => M._gpw_images_as_trained(NULL, short, 16, 1, 2, 2, 1, short, 16)],
      ['rc', () => M._gpw_images_as_trained(s, short, 16, 12, 28, 28, 1, short, 16)],
      ['rc', () => M._gpw_images_as_trained(s, short, 16, 1, 2, 2, 1, NULL, 4)],
      ['rc', () => M._gpw_images_as_trained(s, short, 16, 1, 2, 2, 1, short, 2)],
      ['rc', () => M._gpw_images_as_trained(s, short, 16, 1, 2, 2, 3, short, 11)], // colour needs 12 bytes out
      ['rc', () => M._gpw_images_as_trained(s, short, 16, 1, 2, 2, BIG, short, 16)],
      ['rc', () => M._gpw_images_as_trained(s, short, 16, 1, 2, 2, 0, short, 16)],
      ['rc', () => M._gpw_images_as_trained(s, short, 16, BIG, BIG, BIG, 1, short, 16)],
      ['rc', () => M._gpw_images_as_trained(s, past(), 16, 1, 2, 2, 3, short, 16)],
      ['rc', () => M._gpw_images_as_trained(s, short, 16, 1, 2, 2, 3, FAR, 16)]],
    gpw_config_default: [['rc', () => M._gpw_config_default(NULL, NULL, NULL)], ['rc', () => M._gpw_config_default(s, NULL, NULL)],
      ['rc', () => str('mlp', (k) => str('nope', (r) => M._gpw_config_default(s, k, r)))], ['rc', () => M._gpw_config_default(s, past(), NULL)],
      ['rc', () => str('mlp', (k) => M._gpw_config_default(s, k, FAR))]],
    gpw_tables_json: [['none', () => M._gpw_tables_json(NULL)]],
    gpw_setting: [['none', () => M._gpw_setting(NULL, NULL, NULL)], ['none', () => M._gpw_setting(s, NULL, NULL)],
      ['none', () => str('batch', (k) => M._gpw_setting(s, k, NULL))],
      ['none', () => str('batch', (k) => str('99999999999999999999', (v) => M._gpw_setting(s, k, v)))],
      ['none', () => str('lr_g', (k) => str('-1', (v) => M._gpw_setting(s, k, v)))], ['none', () => M._gpw_setting(s, past(), past())],
      ['none', () => str('batch', (k) => M._gpw_setting(s, k, FAR))]],
    gpw_config_dataset: [['rc', () => M._gpw_config_dataset(NULL, NULL, 10, 0)], ['rc', () => M._gpw_config_dataset(s, NULL, 10, 0)],
      ['rc', () => str('mnist', (k) => M._gpw_config_dataset(s, k, BIG, 0))], ['rc', () => str('mnist', (k) => M._gpw_config_dataset(s, k, -1, 0))],
      ['rc', () => str('emoji', (k) => M._gpw_config_dataset(s, k, 9, 1))], ['rc', () => str('own', (k) => M._gpw_config_dataset(s, k, 1, BIG))],
      ['rc', () => M._gpw_config_dataset(s, FAR, 10, 0)]],
    gpw_config_json: [['any', () => M._gpw_config_json(NULL, 1)]],
    gpw_create: [['rc', () => M._gpw_create(NULL)]],
    gpw_has_model: [['any', () => M._gpw_has_model(NULL)]],
    gpw_has_discriminator: [['any', () => M._gpw_has_discriminator(NULL)]],
    gpw_run_start: [['rc', () => M._gpw_run_start(NULL)]],
    gpw_run_turn: [['none', () => M._gpw_run_turn(NULL)]],
    gpw_run_step: [['none', () => M._gpw_run_step(NULL, 0)], ['none', () => M._gpw_run_step(s, 7)], ['none', () => M._gpw_run_step(s, -1)]],
    gpw_run_pause: [['none', () => M._gpw_run_pause(NULL)]],
    gpw_run_json: [['none', () => M._gpw_run_json(NULL)]],
    gpw_run_keep: [['any', () => M._gpw_run_keep(NULL, 1)]],
    gpw_run_good: [['any', () => M._gpw_run_good(NULL)]],
    gpw_run_good_len: [['any', () => M._gpw_run_good_len(NULL)]],
    gpw_run_restore: [['rc', () => M._gpw_run_restore(NULL)], ['rc', () => M._gpw_run_restore(fresh)]],
    gpw_run_history_json: [['none', () => M._gpw_run_history_json(NULL)]],
    gpw_run_snapshot: [['rc', () => M._gpw_run_snapshot(NULL, 0)], ['rc', () => M._gpw_run_snapshot(s, -1)],
      ['rc', () => M._gpw_run_snapshot(s, BIG)]],
    gpw_run_set: [['rc', () => M._gpw_run_set(NULL, NULL, 1)], ['rc', () => M._gpw_run_set(s, NULL, 1)],
      ['rc', () => str('speed', (k) => M._gpw_run_set(s, k, NaN))], ['rc', () => str('snap_every', (k) => M._gpw_run_set(s, k, 1.5))],
      ['rc', () => str('view_seed', (k) => M._gpw_run_set(s, k, -1))], ['rc', () => str('view_label', (k) => M._gpw_run_set(s, k, 0))],
      ['rc', () => M._gpw_run_set(s, past(), 1)]],
    gpw_run_timing_json: [['none', () => M._gpw_run_timing_json(NULL)]],
    gpw_run_import_history: [['rc', () => M._gpw_run_import_history(NULL, short, 1, NULL, 0)],
      ['rc', () => M._gpw_run_import_history(s, NULL, 3, NULL, 0)], ['rc', () => M._gpw_run_import_history(s, short, -1, NULL, 0)],
      ['rc', () => M._gpw_run_import_history(s, short, BIG, short, 0)], ['rc', () => M._gpw_run_import_history(s, short, 0, NULL, 2)],
      ['rc', () => M._gpw_run_import_history(s, past(), 3, NULL, 0)], ['rc', () => M._gpw_run_import_history(s, NULL, 0, FAR, 64)]],
    gpw_set_class: [['rc', () => M._gpw_set_class(NULL, 0)], ['rc', () => M._gpw_set_class(s, BIG)], ['rc', () => M._gpw_set_class(s, -2)]],
    gpw_render_seed: [['rc', () => M._gpw_render_seed(NULL, 1, 8, 4)], ['rc', () => M._gpw_render_seed(s, 1, BIG, 4)],
      ['rc', () => M._gpw_render_seed(s, 1, 8, BIG)], ['rc', () => M._gpw_render_seed(s, -1, 8, 4)], ['rc', () => M._gpw_render_seed(s, NaN, 8, 4)]],
    gpw_rgba: [['any', () => M._gpw_rgba(NULL)]],
    gpw_rgba_width: [['any', () => M._gpw_rgba_width(NULL)]],
    gpw_rgba_height: [['any', () => M._gpw_rgba_height(NULL)]],
    gpw_image_size: [['any', () => M._gpw_image_size(NULL)]],
    gpw_latent_size: [['any', () => M._gpw_latent_size(NULL)]],
    gpw_sample: [['rc', () => M._gpw_sample(NULL, 1, 2, short, 4)], ['rc', () => M._gpw_sample(s, 1, 256, NULL, 0)],
      ['rc', () => M._gpw_sample(s, 1, 2, short, 4)], ['rc', () => M._gpw_sample(s, 1, BIG, short, BIG)],
      ['rc', () => M._gpw_sample(s, 1, 2, short, -1)], ['rc', () => M._gpw_sample(s, 1, 2, past(), 2 * IMAGE)],
      ['rc', () => M._gpw_sample(s, 1, 2, FAR, 2 * IMAGE)]],
    gpw_save: [['rc', () => M._gpw_save(NULL, 1)], ['rc', () => M._gpw_save(s, 7)], ['rc', () => M._gpw_save(s, -1)]],
    gpw_saved: [['any', () => M._gpw_saved(NULL)]],
    gpw_weights_hash: [['none', () => M._gpw_weights_hash(NULL)]],
    gpw_png_stamp: [['rc', () => M._gpw_png_stamp(NULL, short, 16, NULL, 1, 0, 1, -1, NULL, NULL, NULL, 0, -1, NULL, 0)],
      ['rc', () => str('m', (m) => M._gpw_png_stamp(s, past(), 100, m, 1, 0, 1, -1, m, NULL, NULL, 0, -1, NULL, 0))],
      ['rc', () => str('m', (m) => M._gpw_png_stamp(s, short, BIG, m, 1, 0, 1, -1, m, NULL, NULL, 0, -1, NULL, 0))],
      ['rc', () => str('m', (m) => M._gpw_png_stamp(s, short, 16, FAR, 1, 0, 1, -1, m, NULL, NULL, 0, -1, NULL, 0))],
      ['rc', () => str('m', (m) => M._gpw_png_stamp(s, short, 16, m, 1, 0, 1, -1, m, m, past(), 2, -1, NULL, 0))],
      ['rc', () => str('m', (m) => M._gpw_png_stamp(s, short, 16, m, 1, 0, 1, -1, m, NULL, NULL, 0, 2, FAR, 4))],
      ['rc', () => str('m', (m) => M._gpw_png_stamp(s, short, 16, m, 1, 0, 1, -1, m, NULL, NULL, 0, 2, short, -1))]],
    gpw_png: [['any', () => M._gpw_png(NULL)]],
    gpw_png_len: [['any', () => M._gpw_png_len(NULL)]],
    gpw_png_provenance: [['none', () => M._gpw_png_provenance(NULL, short, 16)], ['none', () => M._gpw_png_provenance(s, past(), 100)],
      ['none', () => M._gpw_png_provenance(s, FAR, 1000)], ['none', () => M._gpw_png_provenance(s, short, BIG)],
      ['none', () => M._gpw_png_provenance(s, short, 16)]],
    gpw_saved_len: [['any', () => M._gpw_saved_len(NULL)]],
    gpw_load_model: [['rc', () => M._gpw_load_model(NULL, short, 16)], ['rc', () => M._gpw_load_model(s, NULL, 1000)],
      ['rc', () => M._gpw_load_model(s, short, -1)], ['rc', () => M._gpw_load_model(s, short, 16)],
      ['rc', () => M._gpw_load_model(s, past(), 1000)], ['rc', () => M._gpw_load_model(s, FAR, 0x200)]],
    gpw_check_model: [['rc', () => M._gpw_check_model(NULL, short, 16)], ['rc', () => M._gpw_check_model(s, NULL, 1000)],
      ['rc', () => M._gpw_check_model(s, short, -1)], ['rc', () => M._gpw_check_model(s, short, 16)],
      ['rc', () => M._gpw_check_model(s, past(), 1000)], ['rc', () => M._gpw_check_model(s, FAR, 0x200)]],
    gpw_rng_normals: [['rc', () => M._gpw_rng_normals(1, 1e9, short, 4)], ['rc', () => M._gpw_rng_normals(1, 4, NULL, 4)],
      ['rc', () => M._gpw_rng_normals(1, -1, short, 4)], ['rc', () => M._gpw_rng_normals(-1, 4, short, 4)],
      ['rc', () => M._gpw_rng_normals(1, 1000, short, 4)], ['rc', () => M._gpw_rng_normals(1, 4, short, -1)],
      ['rc', () => M._gpw_rng_normals(1, 4, past(), 4)], ['rc', () => M._gpw_rng_normals(1, 100, FAR, 100)]],
    gpw_model_json: [['any', () => M._gpw_model_json(NULL)]],
    gpw_z_seed: [['rc', () => M._gpw_z_seed(NULL, 0, 1, 0)], ['rc', () => M._gpw_z_seed(s, BIG, 1, 0)], ['rc', () => M._gpw_z_seed(s, -1, 1, 0)],
      ['rc', () => M._gpw_z_seed(s, 0, 1, BIG)], ['rc', () => M._gpw_z_seed(s, 0, 1e300, 0)]],
    gpw_z_slerp: [['rc', () => M._gpw_z_slerp(NULL, 0, 1, 2, 0.5)], ['rc', () => M._gpw_z_slerp(s, BIG, 1, 2, 0.5)],
      ['rc', () => M._gpw_z_slerp(s, 0, BIG, 2, 0.5)], ['rc', () => M._gpw_z_slerp(s, 0, 1, -1, 0.5)], ['rc', () => M._gpw_z_slerp(s, 0, 1, 2, NaN)]],
    gpw_z_direction: [['rc', () => M._gpw_z_direction(NULL, 0, 1, 0, 1)], ['rc', () => M._gpw_z_direction(s, BIG, 1, 0, 1)],
      ['rc', () => M._gpw_z_direction(s, 0, BIG, 0, 1)], ['rc', () => M._gpw_z_direction(s, 0, 1, BIG, 1)], ['rc', () => M._gpw_z_direction(s, 0, 1, 0, 1e9)]],
    gpw_directions_find: [['rc', () => M._gpw_directions_find(NULL, 256, 16, 0, 0)], ['rc', () => M._gpw_directions_find(s, 256, 16, past(), 64)],
      ['rc', () => M._gpw_directions_find(s, 256, 16, FAR, 1024)], ['rc', () => M._gpw_directions_find(s, 256, 100000, 0, 0)],
      ['rc', () => M._gpw_directions_find(s, -1, 16, 0, 0)]],
    gpw_directions_json: [['any', () => M._gpw_directions_json(NULL)]],
    gpw_z_jitter: [['rc', () => M._gpw_z_jitter(NULL, 0, 1, 1, 1)], ['rc', () => M._gpw_z_jitter(s, BIG, 1, 1, 1)],
      ['rc', () => M._gpw_z_jitter(s, 0, -1, 1, 1)], ['rc', () => M._gpw_z_jitter(s, 0, 1, 1, Infinity)]],
    gpw_z: [['any', () => M._gpw_z(NULL)]],
    gpw_render_z: [['rc', () => M._gpw_render_z(NULL, 0, 1, 1)], ['rc', () => M._gpw_render_z(s, 255, BIG, 256)],
      ['rc', () => M._gpw_render_z(s, BIG, 2, 2)], ['rc', () => M._gpw_render_z(s, 0, 4, 0)]],
    gpw_render_real: [['rc', () => M._gpw_render_real(NULL, 0, 2, 2)], ['rc', () => M._gpw_render_real(s, BIG, 2, 2)],
      ['rc', () => M._gpw_render_real(s, -1, 2, 2)], ['rc', () => M._gpw_render_real(s, 0, BIG, 2)], ['rc', () => M._gpw_render_real(s, 0, 2, BIG)]],
    gpw_d_score: [['rc', () => M._gpw_d_score(NULL)]],
    gpw_probs: [['any', () => M._gpw_probs(NULL)]],
    gpw_checksum_json: [['any', () => M._gpw_checksum_json(NULL)]],
    gpw_test_poison: [['rc', () => M._gpw_test_poison(NULL)]],
    gpw_load_classifier: [['rc', () => M._gpw_load_classifier(NULL, short, 16)], ['rc', () => M._gpw_load_classifier(s, NULL, 100)],
      ['rc', () => M._gpw_load_classifier(s, short, 16)], ['rc', () => M._gpw_load_classifier(s, short, -3)],
      ['rc', () => M._gpw_load_classifier(s, short, 0x7fffffff)], ['rc', () => M._gpw_load_classifier(s, past(), 100)]],
    gpw_score: [['rc', () => M._gpw_score(NULL, 10, 1, -1)], ['rc', () => M._gpw_score(s, BIG, 1, -1)], ['rc', () => M._gpw_score(s, 10, 1, BIG)]],
    gpw_score_json: [['any', () => M._gpw_score_json(NULL)]],
    gpw_project: [['rc', () => M._gpw_project(NULL, short, 16, 2, 2, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project(s, NULL, 3136, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project(s, short, 16, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)], // the size claims more than the buffer
      ['rc', () => M._gpw_project(s, short, 16, 2, 2, 0, 0, 0, 10, 2, 1, -1, 0)], // a picture of another size
      ['rc', () => M._gpw_project(s, short, 16, 2, 2, short, 8, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project(s, short, 16, 2, 2, 0, 0, NaN, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project(s, short, 16, 2, 2, 0, 0, 0, 10, 2, 1, -1, BIG)],
      ['rc', () => M._gpw_project(s, short, 16, BIG, BIG, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project(s, past(), 3136, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => bytes(3136, (p) => M._gpw_project(s, p, 3136, 28, 28, FAR, 3136, 0, 10, 2, 1, -1, 0))]],
    gpw_project_begin: [['rc', () => M._gpw_project_begin(NULL, short, 16, 2, 2, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project_begin(s, NULL, 3136, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project_begin(s, short, 16, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)], // the size claims more than the buffer
      ['rc', () => M._gpw_project_begin(s, short, 16, 2, 2, 0, 0, 0, 10, 2, 1, -1, 0)], // a picture of another size
      ['rc', () => M._gpw_project_begin(s, short, 16, 2, 2, short, 8, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project_begin(s, short, 16, 2, 2, 0, 0, NaN, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project_begin(s, short, 16, 2, 2, 0, 0, 0, 10, 2, 1, -1, BIG)],
      ['rc', () => M._gpw_project_begin(s, short, 16, BIG, BIG, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project_begin(s, past(), 3136, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)],
      ['rc', () => bytes(3136, (p) => M._gpw_project_begin(s, p, 3136, 28, 28, FAR, 3136, 0, 10, 2, 1, -1, 0))],
      ['rc', () => bytes(3136, (p) => M._gpw_project_begin(s, p, 3136, 28, 28, 0, 0, 0, 0, 2, 1, -1, 0))], // 0 steps
      ['rc', () => underWay(() => bytes(3136, (p) => M._gpw_project_begin(s, p, 3136, 28, 28, 0, 0, 0, 10, 2, 1, -1, 0)))]], // a second
    gpw_project_step: [['rc', () => M._gpw_project_step(NULL, 1)], ['rc', () => M._gpw_project_step(s, 1)], // none under way
      ['rc', () => underWay(() => M._gpw_project_step(s, 0))], ['rc', () => underWay(() => M._gpw_project_step(s, -1))],
      ['rc', () => underWay(() => M._gpw_project_step(s, BIG))]],
    gpw_project_finish: [['rc', () => M._gpw_project_finish(NULL)], ['rc', () => M._gpw_project_finish(s)], // none under way
      ['rc', () => underWay(() => M._gpw_project_finish(s))]], // steps left
    gpw_project_cancel: [['any', () => M._gpw_project_cancel(NULL)], ['any', () => M._gpw_project_cancel(s)]],
    gpw_project_json: [['any', () => M._gpw_project_json(NULL)]],
    gpw_edit_real_op: [['rc', () => M._gpw_edit_real_op(NULL, 0, 1, 4)], ['rc', () => M._gpw_edit_real_op(s, -1, 1, 4)],
      ['rc', () => M._gpw_edit_real_op(s, 0, 1, 5)], ['rc', () => M._gpw_edit_real_op(s, 0, 1, BIG)], ['rc', () => M._gpw_edit_real_op(s, 0, 1, 0)],
      ['rc', () => M._gpw_edit_real_op(s, 0, 2, 1)], ['rc', () => M._gpw_edit_real_op(s, 0, 0, 1)], ['rc', () => M._gpw_edit_real_op(s, 0, 7, 1)]],
    gpw_project_op_begin: [['rc', () => M._gpw_project_op_begin(NULL, short, 16, 2, 2, 1, 4, -1, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project_op_begin(s, NULL, 196, 7, 7, 1, 4, -1, 10, 2, 1, -1, 0)],
      ['rc', () => M._gpw_project_op_begin(s, short, 16, 7, 7, 1, 4, -1, 10, 2, 1, -1, 0)], // the size claims more than the buffer
      ['rc', () => M._gpw_project_op_begin(s, short, 16, 2, 2, 1, 4, -1, 10, 2, 1, -1, 0)], // 2x2 is not 7x7 or a multiple
      ['rc', () => M._gpw_project_op_begin(s, past(), 196, 7, 7, 1, 4, -1, 10, 2, 1, -1, 0)],
      ['rc', () => bytes(196, (p) => M._gpw_project_op_begin(s, p, 196, 7, 7, 1, 5, -1, 10, 2, 1, -1, 0))], // 5 does not divide 28
      ['rc', () => bytes(196, (p) => M._gpw_project_op_begin(s, p, 196, 7, 7, 1, BIG, -1, 10, 2, 1, -1, 0))],
      ['rc', () => bytes(3136, (p) => M._gpw_project_op_begin(s, p, 3136, 28, 28, 2, 1, -1, 10, 2, 1, -1, 0))], // colourise a gray model
      ['rc', () => bytes(3136, (p) => M._gpw_project_op_begin(s, p, 3136, 28, 28, 0, 1, -1, 10, 2, 1, -1, 0))], // no operator
      ['rc', () => bytes(196, (p) => M._gpw_project_op_begin(s, p, 196, 7, 7, 1, 4, -2, 10, 2, 1, -1, 0))], // held-out image -2
      ['rc', () => bytes(196, (p) => M._gpw_project_op_begin(s, p, 196, 7, 7, 1, 4, -1, 0, 2, 1, -1, 0))], // 0 steps
      ['rc', () => bytes(196, (p) => M._gpw_project_op_begin(s, p, 196, 7, 7, 1, 4, -1, 10, 2, NaN, -1, 0))],
      ['rc', () => bytes(196, (p) => M._gpw_project_op_begin(s, p, 196, 7, 7, 1, 4, -1, 10, 2, 1, -1, BIG))],
      ['rc', () => underWay(() => bytes(196, (p) => M._gpw_project_op_begin(s, p, 196, 7, 7, 1, 4, -1, 10, 2, 1, -1, 0)))]], // a second
    gpw_project_op_json: [['any', () => M._gpw_project_op_json(NULL)]],
    gpw_saliency: [['rc', () => M._gpw_saliency(NULL, 2)], ['rc', () => M._gpw_saliency(s, 0)], ['rc', () => M._gpw_saliency(s, BIG)]],
    gpw_nearest: [['rc', () => M._gpw_nearest(NULL, 0, 2, 0)], ['rc', () => M._gpw_nearest(s, -1, 2, 0)],
      ['rc', () => M._gpw_nearest(s, BIG, 2, 0)], ['rc', () => M._gpw_nearest(s, 0, 0, 0)], ['rc', () => M._gpw_nearest(s, 0, 17, 0)],
      ['rc', () => M._gpw_nearest(s, 0, 2, 5)]],
    // units of G
    gpw_units_json: [['any', () => M._gpw_units_json(NULL)]],
    gpw_units_rank_json: [['any', () => M._gpw_units_rank_json(NULL, 3, 1, 8)], ['any', () => M._gpw_units_rank_json(s, 0, 1, 8)],
      ['any', () => M._gpw_units_rank_json(s, 3, 1, BIG)], ['any', () => M._gpw_units_rank_json(s, 3, -1, 8)]],
    gpw_units_render: [['rc', () => M._gpw_units_render(NULL, 0, 3, 0, 0, 1, 2)], ['rc', () => M._gpw_units_render(s, BIG, 3, 0, 0, 1, 2)],
      ['rc', () => M._gpw_units_render(s, 0, 0, 0, 0, 1, 2)], ['rc', () => M._gpw_units_render(s, 0, 3, FAR, FAR, 1, 2)],
      ['rc', () => M._gpw_units_render(s, 0, 3, 0, 0, BIG, 2)]],
    gpw_units_set: [['rc', () => M._gpw_units_set(NULL, 3, 0, 0, 1)], ['rc', () => M._gpw_units_set(s, 3, 0, 1, 1)],
      ['rc', () => M._gpw_units_set(s, 3, FAR, 1, 1)], ['rc', () => M._gpw_units_set(s, BIG, 0, 0, 1)], ['rc', () => M._gpw_units_set(s, 3, 0, -1, 1)]],
    gpw_units_clear: [['rc', () => M._gpw_units_clear(NULL)]],
    gpw_set_threads: [['any', () => M._gpw_set_threads(NULL, 2)], ['any', () => M._gpw_set_threads(s, 0)],
      ['any', () => M._gpw_set_threads(s, BIG)], ['any', () => M._gpw_set_threads(s, -1)]],
    // the 2-D mode
    gpw_2d_new: [],
    gpw_2d_delete: [['any', () => M._gpw_2d_delete(NULL)]],
    gpw_2d_error: [['any', () => M._gpw_2d_error(NULL)]],
    gpw_2d_tables_json: [['none', () => M._gpw_2d_tables_json(NULL)]],
    gpw_2d_config_json: [['none', () => M._gpw_2d_config_json(NULL, 1)]],
    gpw_2d_setting: [['none', () => M._gpw_2d_setting(NULL, NULL, NULL)], ['none', () => M._gpw_2d_setting(t, NULL, NULL)],
      ['none', () => str('g_width', (k) => str('65', (v) => M._gpw_2d_setting(t, k, v)))],
      ['none', () => str('lr_d', (k) => str('2', (v) => M._gpw_2d_setting(t, k, v)))], ['none', () => M._gpw_2d_setting(t, past(), FAR)]],
    gpw_2d_config_default: [['rc', () => M._gpw_2d_config_default(NULL)]],
    gpw_2d_lesson: [['rc', () => M._gpw_2d_lesson(NULL, NULL)], ['rc', () => M._gpw_2d_lesson(t, NULL)], ['rc', () => M._gpw_2d_lesson(t, past())]],
    gpw_2d_set_dist: [['rc', () => M._gpw_2d_set_dist(NULL, NULL, NULL, 0)], ['rc', () => M._gpw_2d_set_dist(t, NULL, NULL, 0)],
      ['rc', () => str('drawn', (k) => M._gpw_2d_set_dist(t, k, NULL, 3))], ['rc', () => str('drawn', (k) => M._gpw_2d_set_dist(t, k, short, BIG))],
      ['rc', () => str('drawn', (k) => M._gpw_2d_set_dist(t, k, short, -1))], ['rc', () => M._gpw_2d_set_dist(t, FAR, NULL, 0)],
      ['rc', () => str('drawn', (k) => M._gpw_2d_set_dist(t, k, past(), 3))]],
    gpw_2d_create: [['rc', () => M._gpw_2d_create(NULL)]],
    gpw_2d_run_start: [['rc', () => M._gpw_2d_run_start(NULL)]],
    gpw_2d_run_turn: [['none', () => M._gpw_2d_run_turn(NULL)]],
    gpw_2d_run_step: [['none', () => M._gpw_2d_run_step(NULL, 0)], ['none', () => M._gpw_2d_run_step(t, 3)]],
    gpw_2d_run_pause: [['none', () => M._gpw_2d_run_pause(NULL)]],
    gpw_2d_run_json: [['none', () => M._gpw_2d_run_json(NULL)]],
    gpw_2d_run_set: [['rc', () => M._gpw_2d_run_set(NULL, NULL, 1)], ['rc', () => str('speed', (k) => M._gpw_2d_run_set(t, k, -1))],
      ['rc', () => M._gpw_2d_run_set(t, past(), 1)]],
    gpw_2d_measure_json: [['none', () => M._gpw_2d_measure_json(NULL, 10)], ['none', () => M._gpw_2d_measure_json(t, BIG)],
      ['none', () => M._gpw_2d_measure_json(t, 0)]],
    gpw_2d_batch_n: [['any', () => M._gpw_2d_batch_n(NULL)]],
    gpw_2d_batch_real: [['any', () => M._gpw_2d_batch_real(NULL)]],
    gpw_2d_batch_z: [['any', () => M._gpw_2d_batch_z(NULL)]],
    gpw_2d_batch_fake: [['any', () => M._gpw_2d_batch_fake(NULL)]],
    gpw_2d_batch_after: [['any', () => M._gpw_2d_batch_after(NULL)]],
    gpw_2d_batch_d_real: [['any', () => M._gpw_2d_batch_d_real(NULL)]],
    gpw_2d_batch_d_fake: [['any', () => M._gpw_2d_batch_d_fake(NULL)]],
    gpw_2d_batch_grad: [['any', () => M._gpw_2d_batch_grad(NULL)]],
    gpw_2d_batch_loss: [['any', () => M._gpw_2d_batch_loss(NULL)]],
    gpw_2d_frame: [['rc', () => M._gpw_2d_frame(NULL, 8, 8, 8, 0, 1)], ['rc', () => M._gpw_2d_frame(t, BIG, 8, 8, 0, 1)],
      ['rc', () => M._gpw_2d_frame(t, 8, BIG, 8, 0, 1)], ['rc', () => M._gpw_2d_frame(t, 8, 8, BIG, 0, 1)], ['rc', () => M._gpw_2d_frame(t, 8, 8, 8, -1, 1)],
      ['rc', () => M._gpw_2d_frame(t, 8, 8, 8, 0, NaN)]],
    gpw_2d_grid: [['any', () => M._gpw_2d_grid(NULL)]],
    gpw_2d_mesh: [['any', () => M._gpw_2d_mesh(NULL)]],
    gpw_2d_real: [['any', () => M._gpw_2d_real(NULL)]],
    gpw_2d_fake: [['any', () => M._gpw_2d_fake(NULL)]],
    gpw_2d_fake_d: [['any', () => M._gpw_2d_fake_d(NULL)]],
    gpw_2d_arrows: [['any', () => M._gpw_2d_arrows(NULL)]],
    gpw_2d_save: [['rc', () => M._gpw_2d_save(NULL, NULL, 1)], ['rc', () => M._gpw_2d_save(t, NULL, 1)],
      ['rc', () => M._gpw_2d_save(t, past(), 1)], ['rc', () => M._gpw_2d_save(t, FAR, 1)],
      ['rc', () => str('', (k) => M._gpw_2d_save(t, k, -1))], ['rc', () => str('', (k) => M._gpw_2d_save(t, k, 2 ** 53))],
      ['rc', () => str('', (k) => M._gpw_2d_save(t, k, 1.5))], ['rc', () => str('', (k) => M._gpw_2d_save(t, k, NaN))],
      ['rc', () => str('nope', (k) => M._gpw_2d_save(t, k, 1))]],
    gpw_2d_saved: [['any', () => M._gpw_2d_saved(NULL)]],
    gpw_2d_saved_len: [['any', () => M._gpw_2d_saved_len(NULL)]],
    gpw_2d_check: [['rc', () => M._gpw_2d_check(NULL, short, 16)], ['rc', () => M._gpw_2d_check(t, NULL, 1000)],
      ['rc', () => M._gpw_2d_check(t, short, -1)], ['rc', () => M._gpw_2d_check(t, short, 0)], ['rc', () => M._gpw_2d_check(t, short, 16)],
      ['rc', () => M._gpw_2d_check(t, past(), 1000)], ['rc', () => M._gpw_2d_check(t, FAR, 0x200)]],
    gpw_2d_open: [['rc', () => M._gpw_2d_open(NULL, short, 16)], ['rc', () => M._gpw_2d_open(t, NULL, 1000)],
      ['rc', () => M._gpw_2d_open(t, short, -1)], ['rc', () => M._gpw_2d_open(t, short, 0)], ['rc', () => M._gpw_2d_open(t, short, 16)],
      ['rc', () => M._gpw_2d_open(t, past(), 1000)], ['rc', () => M._gpw_2d_open(t, FAR, 0x200)],
      ['rc', () => M._gpw_2d_open(t, short, BIG)]],
    gpw_2d_opened_json: [['none', () => M._gpw_2d_opened_json(NULL)], ['none', () => M._gpw_2d_opened_json(t)]],
    gpw_2d_drawn_n: [['any', () => M._gpw_2d_drawn_n(NULL)]],
    gpw_2d_drawn: [['any', () => M._gpw_2d_drawn(NULL)]],
    gpw_2d_history_json: [['none', () => M._gpw_2d_history_json(NULL)]],
  };
  const exported = Object.keys(M).filter((k) => /^_gpw_/.test(k)).map((k) => k.slice(1));
  // a session past the end of the memory, for every export that takes one (its other arguments 0)
  const sessionless = ['gpw_simd', 'gpw_directions', 'gpw_new', 'gpw_alloc', 'gpw_free', 'gpw_rng_normals', 'gpw_2d_new'];
  for (const name of exported.filter((k) => k in calls && !sessionless.includes(k)))
    for (const at of [past, () => FAR]) calls[name].push(['any', () => M[`_${name}`](at(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]);
  const missing = exported.filter((k) => !(k in calls));
  check(missing.length === 0, `${e.name}: every exported function has robustness cases`, missing.join(', '));
  let n = 0;
  const trapped = [], accepted = [];
  for (const [name, cases] of Object.entries(calls)) {
    for (const [kind, fn] of cases) {
      n++;
      try {
        const rc = fn();
        if ((kind === 'rc' && rc === 0) || (kind === 'none' && rc !== 0)) accepted.push(`${name} #${cases.findIndex((c) => c[1] === fn)}`);
      } catch (err) {
        trapped.push(`${name}: ${err.message}`);
      }
    }
  }
  check(trapped.length === 0, `${e.name}: ${n} bad calls of ${exported.length} exported functions, none traps`, trapped.join('; '));
  check(accepted.length === 0, `${e.name}: every bad argument is refused with a status`, accepted.join(', '));
  // sizes that wrap 32 bits: 262,144 images of 128 x 128 are 2^32 bytes, and the 262,168-byte file whose header
  // says so is what 24 + count * 128 * 128 + count came to in a 32-bit size_t
  const count = M._gpw_dataset_count(s), wrap = new Uint8Array(262168), head = new DataView(wrap.buffer);
  wrap.set([0x47, 0x50, 0x44, 0x53]); // GPDS
  [1, 262144, 128, 128, 1].forEach((v, i) => head.setUint32(4 + 4 * i, v, true));
  const wrapRc = e.bytesIn(wrap, (p, n) => M._gpw_load_dataset(s, p, n));
  check(wrapRc === 4 && /more bytes than this build can address/.test(e.error(s)) && M._gpw_dataset_count(s) === count,
    `${e.name}: a dataset whose declared size wraps 32 bits is refused, the loaded one stays`, `status ${wrapRc}: ${e.error(s)}`);
  // an export that writes takes its buffer's length: 1,000 normals into 4 floats write nothing
  const guarded = M._gpw_alloc(64);
  M.HEAPU8.fill(0xab, guarded, guarded + 64);
  const rngRc = M._gpw_rng_normals(1, 1000, guarded, 4);
  check(rngRc !== 0 && M.HEAPU8.slice(guarded, guarded + 64).every((v) => v === 0xab),
    `${e.name}: gpw_rng_normals of 1,000 into 4 floats is refused and writes nothing`, `status ${rngRc}`);
  M._gpw_free(guarded);
  // and 2 samples into room for one and a half, with 64 guard bytes either side
  const room = IMAGE + IMAGE / 2, around = M._gpw_alloc(4 * room + 128);
  M.HEAPU8.fill(0xcd, around, around + 4 * room + 128);
  const sampleRc = M._gpw_sample(s, 1, 2, around + 64, room);
  check(sampleRc === 1 && M.HEAPU8.slice(around, around + 4 * room + 128).every((v) => v === 0xcd),
    `${e.name}: gpw_sample of 2 images into ${room} floats is refused and writes nothing`, `status ${sampleRc}: ${e.error(s)}`);
  M._gpw_free(around);
  // pointers past the memory, and a length far past it, are refused in words
  const where = [['a dataset just past the memory', () => M._gpw_load_dataset(s, past(), 100)],
    ['a model file wrapping 2^32', () => M._gpw_load_model(s, FAR, 0x200)],
    ['samples written past the memory', () => M._gpw_sample(s, 1, 2, past(), 2 * IMAGE)],
    ['a classifier of 2^31 - 1 bytes', () => M._gpw_load_classifier(s, short, 0x7fffffff)],
    ['a setting named past the memory', () => (M._gpw_setting(s, past(), past()) ? 0 : 1)]];
  for (const [what, fn] of where) {
    let rc;
    try {
      rc = fn();
    } catch (err) {
      rc = `trap: ${err.message}`;
    }
    check(rc === 1 && /outside the engine's memory|does not end inside/.test(e.error(s)), `${e.name}: ${what} is refused`,
      `status ${rc}: ${e.error(s)}`);
  }
  // the sessions are as good as fresh ones
  const same = maxDiff(e.sample(s, 3, 8), e.sample(fresh, 3, 8)) === 0;
  e.train(s, 2);
  e.train(fresh, 2);
  check(same && maxDiff(e.stats(s), e.stats(fresh)) === 0 && maxDiff(e.sample(s, 4, 8), e.sample(fresh, 4, 8)) === 0,
    `${e.name}: after the bad calls the session samples and trains like a fresh one`);
  const rounds = (x) => {
    for (let i = 0; i < 5; i++) M._gpw_2d_run_step(x, 0);
    return M.UTF8ToString(M._gpw_2d_run_json(x));
  };
  check(rounds(t) === rounds(tFresh), `${e.name}: and so does the 2-D session`);
  M._gpw_free(short);
  M._gpw_delete(s);
  M._gpw_delete(fresh);
  M._gpw_2d_delete(t);
  M._gpw_2d_delete(tFresh);
}

// (j) The threaded build (pthreads, two threads) trains and samples the same
// bits as the single-thread SIMD build, on both presets, and sampling after
// training (packed weights made again) equals a fresh load of the state.
function testThreads(simd, threads, data) {
  const M = threads.M;
  for (const preset of ['mlp', 'dcgan']) {
    const runs = [simd, threads].map((e) => {
      const s = e.session({ data });
      e.ok(s, e.preset(s, preset), 'gpw_config_default');
      e.ok(s, e.configSet(s, 'seed', 12), 'seed');
      e.ok(s, e.configSet(s, 'batch', 32), 'batch');
      e.ok(s, e.M._gpw_create(s), 'gpw_create');
      const n = e === threads ? e.M._gpw_set_threads(s, 2) : 1;
      const before = e.sample(s, 4, 6);
      e.train(s, preset === 'mlp' ? 10 : 3);
      const run = { n, sums: e.json(e.M._gpw_checksum_json(s)), stats: e.stats(s), before, after: e.sample(s, 4, 6),
        file: e.save(s, 1) };
      e.M._gpw_delete(s);
      return run;
    });
    const [one, two] = runs;
    check(two.n === 2, `${preset}: gpw_set_threads(2) starts two threads`, `got ${two.n}`);
    check(JSON.stringify(one.sums) === JSON.stringify(two.sums) && maxDiff(one.stats, two.stats) === 0,
      `${preset}: two threads train the same weights, optimizer state and losses as one`,
      `${JSON.stringify(one.sums)} vs ${JSON.stringify(two.sums)}`);
    check(maxDiff(one.after, two.after) === 0 && maxDiff(one.before, two.before) === 0,
      `${preset}: two threads sample the same images as one`, `max diff ${maxDiff(one.after, two.after)}`);
    check(maxDiff(one.before, one.after) > 0.01, `${preset}: training changed the samples`);
    const fresh = threads.session({ data });
    threads.ok(fresh, threads.loadModel(fresh, two.file), 'gpw_load_model');
    check(M._gpw_set_threads(fresh, 2) === 2 && maxDiff(threads.sample(fresh, 4, 6), two.after) === 0,
      `${preset}: sampling after training equals a fresh load of the state (packed weights made again)`);
    M._gpw_delete(fresh);
  }
  const s = threads.session({ data, seed: 1 });
  check(M._gpw_set_threads(s, 0) === 0 && /threads must be 1\.\.8/.test(threads.error(s)) && M._gpw_set_threads(s, 9) === 0,
    'gpw_set_threads refuses 0 and 9 threads in words', threads.error(s));
  check(M._gpw_set_threads(s, 1) === 1 && M._gpw_set_threads(s, 2) === 2, 'gpw_set_threads can shrink and grow the pool');
  threads.train(s, 2);
  M._gpw_delete(s);
  check(simd.M._gpw_set_threads(simd.session({ seed: 1 }), 2) === 1,
    'the single-thread build runs one thread whatever it is asked');
}

// (k) The relaxed-SIMD builds (fused multiply-add in the GEMM, from the
// clang-19 kernel module): they really fuse (their sums round differently
// from the strict build's), stay within a tolerance of it after training
// and sampling, and threaded = single-thread bit for bit.
function testRelaxed(simd, relaxed, threadsRelaxed, data) {
  const runs = [[simd, 1], [relaxed, 1], [threadsRelaxed, 2]].map(([e, n]) => {
    const s = e.session({ data });
    e.ok(s, e.preset(s, 'dcgan'), 'gpw_config_default');
    e.ok(s, e.configSet(s, 'seed', 21), 'seed');
    e.ok(s, e.configSet(s, 'batch', 32), 'batch');
    e.ok(s, e.M._gpw_create(s), 'gpw_create');
    const threads = e.M._gpw_set_threads(s, n);
    e.train(s, 4);
    const run = { threads, stats: e.stats(s), images: e.sample(s, 9, 8), sums: e.json(e.M._gpw_checksum_json(s)) };
    e.M._gpw_delete(s);
    return run;
  });
  const [strict, fused, fusedThreads] = runs;
  check(fused.stats[0] === 4 && JSON.stringify(fused.sums) !== JSON.stringify(strict.sums),
    'the relaxed build fuses: its weights after 4 DCGAN steps are not the strict build\'s bits');
  const rel = Math.max(...Array.from(strict.stats).map((v, i) => Math.abs(v - fused.stats[i]) / Math.max(1, Math.abs(v))));
  const img = maxDiff(strict.images, fused.images);
  check(rel <= 1e-4 && img <= 1e-3, 'and stays within tolerance of it (losses within 1e-4 relative, images within 1e-3)',
    `losses ${rel.toExponential(2)}, images ${img.toExponential(2)}`);
  check(fusedThreads.threads === 2 && JSON.stringify(fusedThreads.sums) === JSON.stringify(fused.sums) &&
    maxDiff(fusedThreads.images, fused.images) === 0, 'the threaded relaxed build gives the single-thread relaxed build\'s bits');
}

// (l) Editing with the generator through the page's API: a picture of G's
// own sample comes back (and its latent row renders the result), noise and
// a mask are taken, D's saliency lays heat over the rendered set, and the
// memorization check finds training images in pixels and in features.
// Upscaling by projection through the engine: a held-out digit made 7x7
// (gpw_edit_real_op) comes back as 7x7 blocks; projected through the
// downscale, the comparison says what the page shows: the input as blocks,
// bicubic, the result (the latent row renders it) and the original, with
// finite errors and the classifier's classes; refusals in words.
function testUpscale(e, data) {
  const M = e.M;
  const s = e.session({ data });
  e.ok(s, e.bytesIn(new Uint8Array(fs.readFileSync(path.join(ROOT, 'models/mnist-cdcgan.gpm'))), (p, n) => M._gpw_load_model(s, p, n)),
    'load mnist-cdcgan');
  e.ok(s, e.bytesIn(new Uint8Array(fs.readFileSync(path.join(ROOT, 'models/mnist-classifier.gpc'))), (p, n) => M._gpw_load_classifier(s, p, n)),
    'load the classifier');
  const rgbaNow = () => M.HEAPU8.slice(M._gpw_rgba(s), M._gpw_rgba(s) + 4 * M._gpw_rgba_width(s) * M._gpw_rgba_height(s));
  const cell = (bytes, k, width) => { // cell k of a one-row grid of 28 x 28 images, as RGBA
    const out = new Uint8Array(IMAGE * 4);
    for (let y = 0; y < 28; y++) out.set(bytes.subarray(4 * ((2 + y) * width + 2 + k * 30), 4 * ((2 + y) * width + 2 + k * 30 + 28)), 4 * 28 * y);
    return out;
  };
  e.ok(s, M._gpw_edit_real_op(s, 0, 1, 4), 'gpw_edit_real_op');
  const small = cell(rgbaNow(), 0, M._gpw_rgba_width(s));
  let blocks = true;
  for (let i = 0; i < IMAGE; i++) {
    const y = Math.floor(i / 28), x = i % 28;
    if (small[4 * i] !== small[4 * ((y - (y % 4)) * 28 + x - (x % 4))]) blocks = false;
  }
  check(blocks && small.some((v) => v > 100), `${e.name}: a held-out digit made 7x7 is drawn as 7x7 blocks`);
  e.ok(s, e.bytesIn(small, (p, n) => M._gpw_project_op_begin(s, p, n, 28, 28, 1, 4, 0, 30, 10, 1, -1, 7)), 'gpw_project_op_begin');
  e.ok(s, M._gpw_project_step(s, 30), 'gpw_project_step');
  e.ok(s, M._gpw_project_finish(s), 'gpw_project_finish');
  const r = e.json(M._gpw_project_json(s)), strip = rgbaNow(), stripWidth = M._gpw_rgba_width(s);
  const c = e.json(M._gpw_project_op_json(s)), row = rgbaNow(), rowWidth = M._gpw_rgba_width(s);
  check(r.counted === 49 && r.class >= 0 && c.op === 'upscale' && c.factor === 4 && c.real === 0 && c.images === 4 && rowWidth === 4 * 30 + 2 &&
    Number.isFinite(c.mse_result) && Number.isFinite(c.mse_baseline) && c.original_class >= 0 && c.class_result === r.class &&
    c.class_baseline >= 0, `${e.name}: an upscaling from 7x7 is compared with bicubic and the original`, `${JSON.stringify(r)} ${JSON.stringify(c)}`);
  const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  check(same(cell(row, 0, rowWidth), small) && same(cell(strip, 0, stripWidth), small) && same(cell(row, 2, rowWidth), cell(strip, 11, stripWidth)),
    `${e.name}: the row and the strip show the 7x7 input as given, and the row's result is the strip's`);
  e.ok(s, M._gpw_render_z(s, 7, 1, 1), 'gpw_render_z of the projected row');
  const drawn = cell(rgbaNow(), 0, M._gpw_rgba_width(s));
  check(same(drawn, cell(row, 2, rowWidth)), `${e.name}: the latent row the upscaling wrote renders its result`);
  check(e.bytesIn(new Uint8Array(5 * 5 * 4), (p, n) => M._gpw_project_op_begin(s, p, n, 5, 5, 1, 4, -1, 10, 2, 1, -1, 7)) !== 0 &&
    /7x7 or a whole multiple/.test(e.error(s)), `${e.name}: a 5x5 picture for a 7x7 upscaling is refused in words`, e.error(s));
  check(e.bytesIn(small, (p, n) => M._gpw_project_op_begin(s, p, n, 28, 28, 2, 1, -1, 10, 2, 1, -1, 7)) !== 0 &&
    /colourising needs a colour model/.test(e.error(s)), `${e.name}: colourising a gray model is refused in words`, e.error(s));
  M._gpw_delete(s);
}

function testEdit(e, data) {
  const M = e.M;
  const s = e.session({ data });
  e.ok(s, e.bytesIn(new Uint8Array(fs.readFileSync(path.join(ROOT, 'models/mnist-cdcgan.gpm'))), (p, n) => M._gpw_load_model(s, p, n)),
    'load mnist-cdcgan');
  M._gpw_set_class(s, 6);
  const img = e.sample(s, 5, 1);
  const rgba = new Uint8Array(IMAGE * 4);
  for (let i = 0; i < IMAGE; i++) {
    const v = Math.round((img[i] + 1) * 127.5);
    rgba.set([v, v, v, 255], 4 * i);
  }
  const cells = () => (M._gpw_rgba_width(s) - 2) / 30;
  const rgbaNow = () => M.HEAPU8.slice(M._gpw_rgba(s), M._gpw_rgba(s) + 4 * M._gpw_rgba_width(s) * M._gpw_rgba_height(s));
  // the last cell of a one-row strip of 28 x 28 images with 2 pixels between
  const cell = (bytes, k, width) => {
    const out = [];
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(bytes[4 * ((2 + y) * width + 2 + k * 30 + x)]);
    return out;
  };
  e.ok(s, e.bytesIn(rgba, (p, n) => M._gpw_project(s, p, n, 28, 28, 0, 0, 0, 150, 8, 1, -1, 3)), 'gpw_project');
  const r = e.json(M._gpw_project_json(s));
  check(r.loss < 0.01 && r.class === 6 && r.traced === 11 && cells() === 12,
    `${e.name}: a sample of the conditional generator projects back (class found, a strip of target, path and result)`, JSON.stringify(r));
  const width = M._gpw_rgba_width(s), strip = rgbaNow();
  e.ok(s, M._gpw_render_z(s, 3, 1, 1), 'gpw_render_z of the projected row');
  check(JSON.stringify(cell(rgbaNow(), 0, M._gpw_rgba_width(s))) === JSON.stringify(cell(strip, 11, width)),
    `${e.name}: the latent row the projection wrote renders its result`);
  // whatever the steps, the strip is the target, at most ten points on the way (every tenth of the steps,
  // rounded up) and last the result: the image the row it wrote renders
  const lost = [];
  for (let steps = 1; steps <= 40; steps++) {
    e.ok(s, e.bytesIn(rgba, (p, n) => M._gpw_project(s, p, n, 28, 28, 0, 0, 0, steps, 2, 1, 6, 4)), `gpw_project, ${steps} steps`);
    const every = Math.ceil(steps / 10), want = Math.floor(steps / every) + 1, got = e.json(M._gpw_project_json(s)).traced;
    const n = cells(), w = M._gpw_rgba_width(s), last = JSON.stringify(cell(rgbaNow(), n - 1, w));
    e.ok(s, M._gpw_render_z(s, 4, 1, 1), 'gpw_render_z of the projected row');
    if (got !== want || n !== want + 1 || last !== JSON.stringify(cell(rgbaNow(), 0, M._gpw_rgba_width(s))))
      lost.push(`${steps} steps: ${got} traced, ${n} cells${last === JSON.stringify(cell(rgbaNow(), 0, M._gpw_rgba_width(s))) ? '' : ', the last not the result'}`);
  }
  check(lost.length === 0, `${e.name}: projections of 1..40 steps keep the result last in the strip (11..28 lost it)`, lost.join('; '));
  // in steps: the same result as one call, bit for bit, whatever the steps per call; progress said as it goes
  const L = M._gpw_model_json(s) && e.json(M._gpw_model_json(s)).settings.latent;
  const zRow = (row) => M.HEAPU8.slice(M._gpw_z(s) + 4 * L * row, M._gpw_z(s) + 4 * L * (row + 1));
  const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  const half = new Uint8Array(IMAGE * 4).fill(255);
  for (let i = 0; i < IMAGE / 2; i++) half.set([0, 0, 0, 255], 4 * i); // the top half G fills in
  const bothIn = (fn) => e.bytesIn(rgba, (p, n) => e.bytesIn(half, (q, m) => fn(p, n, q, m)));
  e.ok(s, bothIn((p, n, q, m) => M._gpw_project(s, p, n, 28, 28, q, m, 0.3, 37, 5, 2, -1, 5)), 'gpw_project, 37 steps');
  const oneJson = M.UTF8ToString(M._gpw_project_json(s)), oneStrip = rgbaNow(), oneZ = zRow(5);
  M.HEAPU8.fill(0, M._gpw_z(s) + 4 * L * 5, M._gpw_z(s) + 4 * L * 6);
  e.ok(s, bothIn((p, n, q, m) => M._gpw_project_begin(s, p, n, 28, 28, q, m, 0.3, 37, 5, 2, -1, 5)), 'gpw_project_begin');
  const said = [];
  for (const k of [1, 5, 2, 13, 100]) {
    e.ok(s, M._gpw_project_step(s, k), `gpw_project_step ${k}`);
    said.push(e.json(M._gpw_project_json(s)));
  }
  e.ok(s, M._gpw_project_finish(s), 'gpw_project_finish');
  check(M.UTF8ToString(M._gpw_project_json(s)) === oneJson && JSON.parse(oneJson).counted === IMAGE / 2 &&
    same(rgbaNow(), oneStrip) && same(zRow(5), oneZ),
    `${e.name}: a projection in steps of 1, 5, 2, 13 and the rest writes what one call does (numbers, strip, latent row) bit for bit`,
    `${M.UTF8ToString(M._gpw_project_json(s))} vs ${oneJson}`);
  check(JSON.stringify(said) === JSON.stringify([1, 6, 8, 21, 37].map((k) => ({ step: k, steps: 37 }))),
    `${e.name}: each step call says the steps taken of all`, JSON.stringify(said));
  // cancelled half way: the latent rows and the rendered set are as they were; then none is under way
  const zBefore = zRow(5), stripBefore = rgbaNow();
  e.ok(s, bothIn((p, n, q, m) => M._gpw_project_begin(s, p, n, 28, 28, q, m, 0, 37, 5, 9, -1, 5)), 'gpw_project_begin');
  e.ok(s, M._gpw_project_step(s, 10), 'gpw_project_step 10');
  check(bothIn((p, n, q, m) => M._gpw_project_begin(s, p, n, 28, 28, q, m, 0, 37, 5, 9, -1, 5)) !== 0 && /under way/.test(e.error(s)),
    `${e.name}: a second projection is refused while one is under way`, e.error(s));
  check(M._gpw_project_cancel(s) === 1 && same(zRow(5), zBefore) && same(rgbaNow(), stripBefore) && M._gpw_project_cancel(s) === 0 &&
    M._gpw_project_step(s, 1) !== 0 && /no projection under way/.test(e.error(s)),
    `${e.name}: a cancelled projection writes nothing (latent row, strip) and is over`, e.error(s));
  // a model loaded while one runs ends it
  e.ok(s, bothIn((p, n, q, m) => M._gpw_project_begin(s, p, n, 28, 28, q, m, 0, 37, 5, 9, -1, 5)), 'gpw_project_begin');
  e.ok(s, e.bytesIn(new Uint8Array(fs.readFileSync(path.join(ROOT, 'models/mnist-cdcgan.gpm'))), (p, n) => M._gpw_load_model(s, p, n)),
    'load mnist-cdcgan again');
  check(M._gpw_project_step(s, 1) !== 0 && /ended: another model is on show/.test(e.error(s)) && M._gpw_project_cancel(s) === 0,
    `${e.name}: a model loaded during a projection ends it, and a step says so`, e.error(s));
  M._gpw_set_class(s, 6);
  // denoising: the target as the engine saw it carries the noise
  e.ok(s, e.bytesIn(rgba, (p, n) => M._gpw_project(s, p, n, 28, 28, 0, 0, 0.5, 30, 4, 1, 6, 3)), 'gpw_project with noise');
  const noisy = cell(rgbaNow(), 0, M._gpw_rgba_width(s)), clean = cell(strip, 0, width);
  check(noisy.some((v, i) => Math.abs(v - clean[i]) > 20), `${e.name}: noise is added to the target`);
  // a mask of the picture's size, or else a refusal in words
  const mask = new Uint8Array(IMAGE * 4).fill(255);
  e.ok(s, e.bytesIn(rgba, (p, n) => e.bytesIn(mask, (q, m) => M._gpw_project(s, p, n, 28, 28, q, m, 0, 20, 2, 1, 6, 3))), 'masked');
  check(e.bytesIn(rgba, (p, n) => e.bytesIn(mask.subarray(0, 100), (q, m) => M._gpw_project(s, p, n, 28, 28, q, m, 0, 20, 2, 1, 6, 3))) !== 0 &&
    /mask as large/.test(e.error(s)), `${e.name}: a mask of another size is refused`, e.error(s));
  check(e.bytesIn(new Uint8Array(30 * 30 * 4), (p, n) => M._gpw_project(s, p, n, 30, 30, 0, 0, 0, 20, 2, 1, 6, 3)) !== 0 &&
    /whole multiple/.test(e.error(s)), `${e.name}: a picture of another size is refused`, e.error(s));
  // the memorization check (the loaded dataset's training images)
  e.ok(s, M._gpw_render_seed(s, 3, 2, 2), 'render');
  e.ok(s, M._gpw_nearest(s, 1, 4, 0), 'gpw_nearest pixels');
  const near = e.json(M._gpw_project_json(s));
  check(near.space === 'pixels' && near.indices.length === 4 && near.distances.every((d, i) => i === 0 || d >= near.distances[i - 1]) &&
    cells() === 4, `${e.name}: the 4 nearest training images in pixels, nearest first`, JSON.stringify(near));
  check(M._gpw_nearest(s, 0, 4, 1) !== 0 && /classifier/.test(e.error(s)), `${e.name}: features need the classifier`, e.error(s));
  e.ok(s, e.bytesIn(new Uint8Array(fs.readFileSync(path.join(ROOT, 'models/mnist-classifier.gpc'))), (p, n) => M._gpw_load_classifier(s, p, n)),
    'classifier');
  e.ok(s, M._gpw_render_seed(s, 3, 2, 2), 'render');
  e.ok(s, M._gpw_nearest(s, 1, 4, 1), 'gpw_nearest features');
  const feat = e.json(M._gpw_project_json(s));
  check(feat.space === 'features' && feat.indices.length === 4 && feat.labels.every((l) => l === 6 || l >= 0),
    `${e.name}: and in the classifier's features`, JSON.stringify(feat));
  // D's saliency needs a D: a new model
  check(M._gpw_saliency(s, 2) !== 0 && /discriminator/.test(e.error(s)), `${e.name}: saliency needs a discriminator`, e.error(s));
  const t = e.session({ data, seed: 4 });
  e.train(t, 3);
  e.ok(t, M._gpw_render_real(t, 0, 4, 4), 'render real');
  const plain = M.HEAPU8.slice(M._gpw_rgba(t), M._gpw_rgba(t) + 4 * M._gpw_rgba_width(t) * M._gpw_rgba_height(t));
  e.ok(t, M._gpw_saliency(t, 4), 'gpw_saliency');
  const heat = M.HEAPU8.slice(M._gpw_rgba(t), M._gpw_rgba(t) + 4 * M._gpw_rgba_width(t) * M._gpw_rgba_height(t));
  let orange = 0;
  for (let i = 0; i < heat.length; i += 4) if (heat[i] > plain[i] + 30 && heat[i + 2] < plain[i + 2]) orange++;
  check(heat.length === plain.length && orange > 100, `${e.name}: saliency lays heat over the real images`, `${orange} pixels`);
  M._gpw_delete(t);
  M._gpw_delete(s);
}

// (n) Provenance: the engine's weights hash of a model is the CLI's (native
// and wasm hash the same bytes alike); a PNG the engine stamps reads back,
// in the engine and with `ganplay info --png`; bad input is refused.
function testProvenance(engines) {
  const cli = path.join(BUILD, 'ganplay');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ganplay-prov-'));
  const cliHash = (png) => JSON.parse(execFileSync(cli, ['info', '--png', png], { encoding: 'utf8' })).weights;
  try {
    // the shipped generators (float16), and a CLI-trained state with a moving average (its average is hashed)
    const ema = path.join(tmp, 'ema.gpm');
    execFileSync(cli, ['train', '--preset', 'mlp', '--data', DATA, '--steps', '5', '--seed', '2', '--batch', '8', '--ema', '0.9',
      '--out', ema], { stdio: 'pipe' });
    const files = fs.readdirSync(path.join(ROOT, 'models')).filter((f) => f.endsWith('.gpm')).map((f) => path.join(ROOT, 'models', f));
    const png = path.join(tmp, 's.png');
    const hashes = new Set();
    for (const file of [...files, ema]) {
      execFileSync(cli, ['sample', '--model', file, '--count', '2', '--seed', '1', '--png', png], { stdio: 'pipe' });
      const want = cliHash(png);
      hashes.add(want);
      for (const e of engines) {
        const s = e.session();
        e.ok(s, e.loadModel(s, new Uint8Array(fs.readFileSync(file))), `gpw_load_model (${path.basename(file)})`);
        const got = e.M.UTF8ToString(e.M._gpw_weights_hash(s));
        check(got === want && /^fnv1a64:[0-9a-f]{16}$/.test(got), `${e.name}: ${path.basename(file)} has the CLI's weights hash`, `${got} vs ${want}`);
        e.M._gpw_delete(s);
      }
    }
    check(hashes.size === files.length + 1, 'each model its own hash', [...hashes].join(', '));

    // stamping a PNG (one the CLI wrote: its chunk is replaced) and reading it back
    const model = files.find((f) => f.endsWith('mnist-cdcgan.gpm'));
    execFileSync(cli, ['sample', '--model', model, '--count', '4', '--seed', '9', '--png', png], { stdio: 'pipe' });
    const input = new Uint8Array(fs.readFileSync(png));
    for (const e of engines) {
      const s = e.session();
      e.ok(s, e.loadModel(s, new Uint8Array(fs.readFileSync(model))), 'gpw_load_model');
      const hash = e.M.UTF8ToString(e.M._gpw_weights_hash(s));
      const stamp = (bytes, { seed = 42, index = 5, count = 1, label = 3, what = 'sample', names = 'random-1\nrandom-3',
        amounts = [0.5, -1.2], nDirs = amounts.length, layer = -1, units = [] } = {}) =>
        e.bytesIn(bytes, (p, n) => e.str('caf\u00e9 model', (m) => e.str(what, (w) => e.str(names, (d) => {
          const a = e.M._malloc(8 * Math.max(1, amounts.length)), u = e.M._malloc(4 * Math.max(1, units.length));
          e.M.HEAPF64.set(amounts, a >> 3);
          e.M.HEAP32.set(units, u >> 2);
          try {
            return e.M._gpw_png_stamp(s, p, n, m, seed, index, count, label, w, d, a, nDirs, layer, u, units.length);
          } finally {
            e.M._free(a);
            e.M._free(u);
          }
        }))));
      e.ok(s, stamp(input), 'gpw_png_stamp');
      const out = e.M.HEAPU8.slice(e.M._gpw_png(s), e.M._gpw_png(s) + e.M._gpw_png_len(s));
      const want = `{"software":"ganplay","model":"caf\\u00e9 model","weights":"${hash}","seed":42,"index":5,"count":1,"class":3,` +
        '"directions":{"random-1":0.5,"random-3":-1.2},"units_off":null,"what":"sample"}';
      const back = e.bytesIn(out, (p, n) => e.M._gpw_png_provenance(s, p, n));
      check(back && e.M.UTF8ToString(back) === want, `${e.name}: a stamped PNG reads back`, back ? e.M.UTF8ToString(back) : e.error(s));
      const file = path.join(tmp, 'stamped.png');
      fs.writeFileSync(file, out);
      const native = execFileSync(cli, ['info', '--png', file], { encoding: 'utf8' }).trim();
      check(native === want, `${e.name}: ganplay info --png reads the engine's stamp`, native);
      check(JSON.parse(native).model === 'caf\u00e9 model', `${e.name}: the model's name is JSON (\\u escapes, ASCII in the chunk)`);
      // units switched off, and no seed
      e.ok(s, stamp(input, { seed: -1, index: -1, label: -1, amounts: [], names: '', layer: 2, units: [4, 9] }), 'gpw_png_stamp (units)');
      const out2 = e.M.HEAPU8.slice(e.M._gpw_png(s), e.M._gpw_png(s) + e.M._gpw_png_len(s));
      const t2 = e.M.UTF8ToString(e.bytesIn(out2, (p, n) => e.M._gpw_png_provenance(s, p, n)));
      check(/"seed":null,"index":null,"count":1,"class":null,"directions":\{\},"units_off":\{"layer":2,"units":\[4,9\]\}/.test(t2),
        `${e.name}: no seed, units off`, t2);
      // refusals: one message each, the last stamp kept
      const len = e.M._gpw_png_len(s);
      const refused = [
        [() => stamp(input, { seed: 1.5 }), /seed/],
        [() => stamp(input, { nDirs: 17, amounts: new Array(17).fill(0) }), /directions/],
        [() => stamp(input, { names: 'only-one' }), /no name/],
        [() => stamp(input, { amounts: [NaN, 1] }), /non-finite/],
        [() => stamp(input.subarray(0, 60)), /cut short|claims/],
        [() => stamp(new Uint8Array([1, 2, 3])), /not a PNG/],
      ];
      refused.forEach(([fn, re], k) => check(fn() !== 0 && re.test(e.error(s)), `${e.name}: bad stamp ${k} refused`, e.error(s)));
      check(e.M._gpw_png_len(s) === len, `${e.name}: a refused stamp keeps the last`);
      const plain = input.slice();
      plain[80] ^= 1; // inside the chunk's text: its CRC fails
      check(e.bytesIn(plain, (p, n) => e.M._gpw_png_provenance(s, p, n)) === 0 && /CRC/.test(e.error(s)),
        `${e.name}: a damaged chunk is refused`, e.error(s));
      e.M._gpw_delete(s);
      const none = e.session();
      check(e.M._gpw_weights_hash(none) === 0 && /no model/.test(e.error(none)), `${e.name}: no model, no hash`, e.error(none));
      e.M._gpw_delete(none);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  for (const f of ['node/ganplay-simd.js', 'node/ganplay.js', 'node/ganplay-threads.js', 'node/ganplay-relaxed.js',
    'node/ganplay-threads-relaxed.js', 'data/mnist.bin'])
    if (!fs.existsSync(path.join(BUILD, f)))
      throw new Error(`build/${f} is missing: run make test-wasm`);
  const data = new Uint8Array(fs.readFileSync(DATA));
  const simd = await Engine.load('ganplay-simd.js');
  const portable = await Engine.load('ganplay.js');
  const threads = await Engine.load('ganplay-threads.js', { gpPoolSize: 2 });
  const relaxed = await Engine.load('ganplay-relaxed.js');
  const threadsRelaxed = await Engine.load('ganplay-threads-relaxed.js', { gpPoolSize: 2 });
  check(simd.M._gpw_simd() === 1 && portable.M._gpw_simd() === 0, 'gpw_simd tells the builds apart',
    `simd ${simd.M._gpw_simd()}, portable ${portable.M._gpw_simd()}`);

  const sections = [
    ['(a) RNG parity', () => [simd, portable].forEach(testRng)],
    ['(b) SIMD = portable', () => testBuildsAgree(simd, portable, data)],
    ['(c) save and load', () => [simd, portable].forEach((e) => testSaveLoad(e, data))],
    ['(d) bad config', () => [simd, portable].forEach((e) => testConfig(e, data))],
    ['(e) native = wasm', () => testNative([simd, portable])],
    ['(f) page API', () => [simd, portable].forEach((e) => testPageApi(e, data))],
    ['(g) digit FD', () => [simd, portable].forEach((e) => testScore(e, data))],
    ['(h) 2-D mode', () => test2d([simd, portable])],
    ['(i) bad arguments', () => [simd, portable].forEach((e) => testRobust(e, data))],
    ['(j) threads', () => testThreads(simd, threads, data)],
    ['(k) relaxed SIMD', () => testRelaxed(simd, relaxed, threadsRelaxed, data)],
    ['(l) editing', () => [simd, portable].forEach((e) => testEdit(e, data))],
    ['(l2) upscaling', () => [simd, portable].forEach((e) => testUpscale(e, data))],
    ['(m) the training run', () => [simd, portable].forEach((e) => testRun(e, data))],
    ['(n) provenance', () => testProvenance([simd, portable])],
  ];
  for (const [name, fn] of sections) {
    console.log(`== ${name}`);
    const t = Date.now(), before = checks;
    try {
      fn();
    } catch (e) {
      check(false, `${name} stopped`, e.message);
    }
    if (checks === before) check(false, `${name} checked something`, 'it ran no check');
    console.log(`   ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  console.log(`${failures ? `${failures} check(s) failed` : 'all checks passed'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(`FAIL ${e.stack || e}`);
  process.exit(1);
});
