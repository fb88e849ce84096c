// check_emoji.mjs: the emoji dataset (build/data/emoji32.bin, made by
// scripts/prepare_emoji.js) and the script's own PNG decoder.
//  - The decoder against tiny PNGs written here, by an encoder of this file:
//    every colour type and bit depth, tRNS, all five filter types, split IDAT,
//    and the refusals (interlaced, bad CRC, truncated, bad filter, bad depth).
//  - Compositing over white and the 2x2 average on hand-made blocks.
//  - The built file: header, size, counts per class and set, the split, and
//    pixels of known images. The expected pixels come from an independent
//    decode of the same PNGs with stb_image (the whole file agreed byte for
//    byte when the dataset was defined): palette images (8-bit with tRNS and
//    4-bit), grey+alpha images and an RGBA one.
// usage: node tests/check_emoji.mjs   (from the repository root, after make)
import fs from 'node:fs';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { decodePng, shrinkOverWhite, checkCounts, CLASSES, EXPECTED } = require('../scripts/prepare_emoji.js');

let passed = 0, failed = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  ok ? passed++ : failed++;
}
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

// ---- a PNG encoder for the tests ----------------------------------------
const SIG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
function chunk(type, data, badCrc = false) {
  const b = Buffer.alloc(12 + data.length);
  b.writeUInt32BE(data.length, 0);
  b.write(type, 4, 'latin1');
  Buffer.from(data).copy(b, 8);
  b.writeUInt32BE((zlib.crc32(b.subarray(4, 8 + data.length)) ^ (badCrc ? 1 : 0)) >>> 0, 8 + data.length);
  return b;
}
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// rows: arrays of samples (at the bit depth); filters: one filter type per row
function encode({ w, h, type, depth, rows, filters, plte, trns, interlace = 0, split = 1, badCrc = false, rawFilter = null }) {
  const bits = CHANNELS[type] * depth, rowBytes = Math.ceil(w * bits / 8), bpp = Math.max(1, bits >> 3);
  const packed = rows.map((samples) => {
    const r = new Uint8Array(rowBytes);
    samples.forEach((v, k) => {
      if (depth === 16) { r[2 * k] = v >> 8; r[2 * k + 1] = v & 255; } else if (depth === 8) r[k] = v;
      else { const bit = k * depth; r[bit >> 3] |= v << (8 - depth - (bit & 7)); }
    });
    return r;
  });
  const raw = [];
  packed.forEach((r, y) => {
    const f = filters[y], prev = y ? packed[y - 1] : new Uint8Array(rowBytes);
    raw.push(rawFilter ?? f);
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? r[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      raw.push((r[i] - pred) & 255);
    }
  });
  const z = zlib.deflateSync(Buffer.from(raw));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = depth; ihdr[9] = type; ihdr[12] = interlace;
  const parts = [SIG, chunk('IHDR', ihdr, badCrc)];
  if (plte) parts.push(chunk('PLTE', plte));
  if (trns) parts.push(chunk('tRNS', trns));
  parts.push(chunk('tEXt', Buffer.from('Comment\0ancillary, skipped')));
  const step = Math.ceil(z.length / split);
  for (let i = 0; i < z.length; i += step) parts.push(chunk('IDAT', z.subarray(i, i + step)));
  parts.push(chunk('IEND', []));
  return Buffer.concat(parts);
}

// ---- the decoder: every colour type and depth, every filter -------------
// A deterministic sample pattern; expected RGBA computed from the samples.
const W = 7, H = 5;   // odd width: low bit depths end rows mid-byte
const pattern = (x, y, k, max) => (x * 37 + y * 101 + k * 53 + x * y * 7) % (max + 1);
const combos = [[0, 1], [0, 2], [0, 4], [0, 8], [0, 16], [2, 8], [2, 16], [3, 1], [3, 2], [3, 4], [3, 8],
  [4, 8], [4, 16], [6, 8], [6, 16]];
for (const [type, depth] of combos) {
  const max = (1 << depth) - 1, ch = CHANNELS[type];
  const to8 = (v) => Math.round(v * 255 / max);
  const entries = type === 3 ? Math.min(max + 1, 9) : 0;   // a short palette: indices stay below it
  const rows = Array.from({ length: H }, (_, y) => Array.from({ length: W * ch }, (_, i) =>
    type === 3 ? pattern(Math.floor(i / ch), y, 0, max) % entries : pattern(Math.floor(i / ch), y, i % ch, max)));
  const plte = type === 3 ? Buffer.from(Array.from({ length: entries * 3 }, (_, i) => (i * 71 + 13) % 256)) : null;
  // tRNS: grey and RGB name one transparent colour (the first pixel's), a palette gives alpha per entry
  let trns = null;
  if (type === 0) trns = Buffer.from([rows[0][0] >> 8, rows[0][0] & 255]);
  if (type === 2) trns = Buffer.from([0, 1, 2].flatMap((c) => [rows[0][c] >> 8, rows[0][c] & 255]));
  if (type === 3) trns = Buffer.from(Array.from({ length: Math.max(1, entries - 2) }, (_, i) => (i * 97) % 256));
  const expect = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = rows[y].slice(x * ch, x * ch + ch);
      if (type === 0) expect.push(to8(s[0]), to8(s[0]), to8(s[0]), s[0] === rows[0][0] ? 0 : 255);
      if (type === 2) expect.push(...s.map(to8), same(s, rows[0].slice(0, 3)) ? 0 : 255);
      if (type === 3) expect.push(...plte.subarray(3 * s[0], 3 * s[0] + 3), s[0] < trns.length ? trns[s[0]] : 255);
      if (type === 4) expect.push(to8(s[0]), to8(s[0]), to8(s[0]), to8(s[1]));
      if (type === 6) expect.push(...s.map(to8));
    }
  }
  const pixelsOk = (filters, split) => {
    try {
      const png = decodePng(encode({ w: W, h: H, type, depth, rows, filters, plte, trns, split }), 'test');
      return png.width === W && png.height === H && same(Array.from(png.rgba), expect);
    } catch (e) {
      console.log(`     ${e.message}`);
      return false;
    }
  };
  const all = [0, 1, 2, 3, 4].every((f) => pixelsOk(Array(H).fill(f), 1));
  check(all && pixelsOk([4, 3, 2, 1, 0], 3), `colour type ${type}, ${depth}-bit${trns ? ' with tRNS' : ''}: ` +
    'every filter type (and mixed filters over three IDAT chunks) decodes to the expected RGBA');
}

// Paeth's ties: with left a = 110, up b = 80, up-left c = 100, p = 90 is as far
// from b as from c (10) and b wins; with a = 80, b = 110, c = 100, p = 90 is as
// far from a as from c (10) and a wins
{
  const rows = [[100, 80, 100, 110], [110, 7, 80, 7]];
  const png = decodePng(encode({ w: 4, h: 2, type: 0, depth: 8, rows, filters: [0, 4] }), 't');
  check(same(Array.from(png.rgba).filter((_, i) => i % 4 === 0), rows.flat()), 'Paeth breaks ties in the order a, b, c');
}

// a grey 16-bit sample rounds to 8 bits: 0x8080 = 32896 -> 128, 0x00FF -> 1
{
  const png = decodePng(encode({ w: 2, h: 1, type: 0, depth: 16, rows: [[0x8080, 0x00ff]], filters: [0] }), 't');
  check(same(Array.from(png.rgba), [128, 128, 128, 255, 1, 1, 1, 255]), '16-bit grey rounds to the nearest 8-bit value');
}

// refusals: one clear message each, naming the file
const refuse = (buf, words, what) => {
  let msg = '';
  try { decodePng(buf, 'bad.png'); } catch (e) { msg = e.message; }
  check(msg.startsWith('bad.png: ') && msg.includes(words), `${what} is refused ("${msg}")`);
};
const ok = { w: 2, h: 2, type: 6, depth: 8, rows: [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16]], filters: [0, 0] };
refuse(encode({ ...ok, interlace: 1 }), 'interlaced', 'an interlaced (Adam7) PNG');
refuse(encode({ ...ok, badCrc: true }), 'bad CRC', 'a chunk with a bad CRC');
refuse(encode(ok).subarray(0, 40), 'truncated', 'a truncated file');
refuse(Buffer.from('GIF89a, not a PNG file'), 'signature', 'a file that is not a PNG');
refuse(encode({ ...ok, rawFilter: 5 }), 'filter type 5', 'an unknown filter type');
refuse(encode({ ...ok, depth: 4 }), 'bit depth 4', 'a bit depth the colour type does not allow');
refuse(encode({ w: 2, h: 1, type: 3, depth: 8, rows: [[0, 3]], filters: [0], plte: Buffer.from([1, 2, 3, 4, 5, 6]) }),
  'palette index 3', 'a palette index past the palette');

// ---- compositing over white and the 2x2 average ---------------------------
{
  const rgba = new Uint8Array(64 * 64 * 4);
  const set = (x, y, r, g, b, a) => rgba.set([r, g, b, a], 4 * (y * 64 + x));
  const block = (bx, by, px) => px.forEach((p, i) => set(2 * bx + (i & 1), 2 * by + (i >> 1), ...p));
  // everything else: transparent black (alpha 0) -> white
  block(1, 0, Array(4).fill([255, 0, 0, 255]));                        // opaque red
  block(2, 0, Array(4).fill([0, 0, 0, 128]));                           // black at alpha 128/255: 255*127/255 = 127
  block(3, 0, [[0, 0, 0, 255], [0, 0, 0, 255], [9, 9, 9, 0], [9, 9, 9, 0]]);   // 127.5: halves round up
  block(4, 0, [[0, 100, 200, 255], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]); // (0+765)/4, (100+765)/4, (200+765)/4
  block(0, 31, Array(4).fill([10, 20, 30, 255]));                       // row 31: orientation kept
  const out = shrinkOverWhite(rgba);
  const px = (x, y) => [0, 1, 2].map((c) => out[c * 1024 + y * 32 + x]);
  check(same(px(0, 0), [255, 255, 255]) && same(px(31, 31), [255, 255, 255]), 'transparent pixels become white');
  check(same(px(1, 0), [255, 0, 0]) && same(px(0, 31), [10, 20, 30]), 'opaque pixels keep their colour, in place (planes R, G, B)');
  check(same(px(2, 0), [127, 127, 127]), 'black at alpha 128 over white gives 127');
  check(same(px(3, 0), [128, 128, 128]), 'the 2x2 average rounds 127.5 up to 128');
  check(same(px(4, 0), [191, 216, 241]), 'one opaque pixel of four averages with three white ones');
}

// the counts are checked: one image short is refused, naming the set and class
{
  const images = [];
  for (const set of ['google', 'twitter'])
    EXPECTED.forEach((n, label) => { for (let i = 0; i < n; i++) images.push({ set, label }); });
  let msg = 'accepted';
  try { checkCounts(images); } catch (e) { msg = e.message; }
  check(msg === 'accepted', 'the defined counts are accepted');
  msg = 'accepted';
  try { checkCounts(images.filter((im, i) => !(im.set === 'twitter' && im.label === 8 && i === images.length - 1))); } catch (e) { msg = e.message; }
  check(msg.includes('twitter Flags: 269 images, 270 expected'), `a set one flag short is refused ("${msg.split('\n').join(' ')}")`);
}

// ---- the built dataset ----------------------------------------------------
const file = 'build/data/emoji32.bin';
const buf = fs.readFileSync(file);
const head = [1, 2, 3, 4, 5].map((i) => buf.readUInt32LE(4 * i));
check(buf.toString('latin1', 0, 4) === 'GPDS' && same(head, [1, 3812, 32, 32, 3]),
  `${file}: GPDS version 1, 3812 images of 32x32, 3 channels (${head.join(', ')})`);
const n = 3812, per = 3 * 32 * 32;
check(buf.length === 24 + n * per + n, `${file} is ${24 + n * per + n} bytes (${buf.length})`);
const labels = buf.subarray(24 + n * per);
const counts = CLASSES.map((_, k) => labels.filter((l) => l === k).length);
check(labels.every((l) => l < 9) && same(counts, EXPECTED.map((c) => 2 * c)),
  `labels 0..8, twice the per-set counts per class (${counts.join(' ')})`);
// order (sort_order, set): every emoji is in both sets, so pairs share a label
// and sort_order runs through the categories in their order
check(Array.from({ length: n / 2 }, (_, i) => labels[2 * i] === labels[2 * i + 1]).every(Boolean) &&
  labels.every((l, i) => i === 0 || l >= labels[i - 1]),
  'images come in (google, twitter) pairs, in sort_order: the categories one after another');
const pixel = (i, x, y) => [0, 1, 2].map((c) => buf[24 + i * per + c * 1024 + y * 32 + x]);
const image = (i) => buf.subarray(24 + i * per, 24 + (i + 1) * per);
check(image(0).some((v) => v < 200), 'image 0 (grinning face, Noto) is not all white');
check([0, 1, 1182, 3771].every((i) => same(pixel(i, 0, 0), [255, 255, 255]) && same(pixel(i, 31, 31), [255, 255, 255])),
  'the corners of round emoji are white (255, 255, 255)');
// index, name, colour type, pixel (x, y), RGB from stb_image's decode
const known = [
  [0, 'grinning (Noto, RGBA)', [16, 16], [253, 224, 48]],
  [0, 'grinning (Noto, RGBA), its rim', [2, 8], [254, 249, 240]],
  [1, 'grinning (Twemoji, 8-bit palette with tRNS)', [16, 16], [255, 204, 77]],
  [1, 'grinning (Twemoji, 8-bit palette with tRNS), its rim', [1, 8], [255, 242, 210]],
  [3771, 'us flag (Twemoji, 8-bit palette)', [16, 16], [181, 58, 74]],
  [3771, 'us flag (Twemoji, 8-bit palette), its edge', [0, 25], [237, 223, 225]],
  [3223, 'large red square (Twemoji, 4-bit palette)', [16, 16], [221, 46, 68]],
  [3223, 'large red square (Twemoji, 4-bit palette), its corner', [0, 29], [225, 68, 88]],
  [1182, 'sheep (Noto, grey+alpha)', [16, 4], [171, 171, 171]],
  [1182, 'sheep (Noto, grey+alpha), its edge', [2, 8], [194, 194, 194]],
  [304, 'black heart (Noto, grey+alpha)', [16, 16], [66, 66, 66]],
  [304, 'black heart (Noto, grey+alpha), its edge', [0, 8], [249, 249, 249]],
];
for (const [i, what, [x, y], rgb] of known)
  check(same(pixel(i, x, y), rgb), `image ${i} ${what} at (${x}, ${y}) is ${rgb.join(',')} (${pixel(i, x, y).join(',')})`);
check(labels[3771] === 8 && labels[3223] === 7 && labels[1182] === 2 && labels[304] === 0, 'those images are in their categories (Flags, Symbols, Animals, Smileys)');

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || !passed ? 1 : 0);
