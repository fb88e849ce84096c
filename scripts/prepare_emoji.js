#!/usr/bin/env node
// Converts the npm packages `emoji-datasource-google` and
// `emoji-datasource-twitter` (both 16.0.0) into ganplay's emoji dataset
// (format and definition in docs/formats.md):
//   "GPDS", u32 version 1, u32 count, u32 height 32, u32 width 32,
//   u32 channels 3, then per image its R, G and B planes (32*32 uint8 each),
//   then count uint8 labels (the 9 categories, in CLASSES order).
// From each package's emoji.json: every entry with has_img_<set> true, its
// image img/<set>/64/<image> (base emoji only, not skin_variations), class =
// its category ("Component" left out). Each 64x64 PNG is decoded to RGBA,
// composited over white (a*rgb + (1-a)*255, a = alpha/255), and each 2x2 block
// averaged to one pixel of the 32x32 image, rounded to the nearest integer
// (halves up). Images are ordered by (sort_order, set: google first); image i
// is held out when i % 5 == 4. The counts are checked: a package that gives
// other counts is refused.
// usage: node scripts/prepare_emoji.js OUT.bin [--preview SHEET.png [--preview-count N]]
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const SETS = ['google', 'twitter'];
const CLASSES = ['Smileys & Emotion', 'People & Body', 'Animals & Nature', 'Food & Drink',
  'Travel & Places', 'Activities', 'Objects', 'Symbols', 'Flags'];
// images per set and class, in CLASSES order (1,906 per set)
const EXPECTED = [169, 386, 159, 131, 218, 85, 264, 224, 270];
const SRC = 64, SIZE = 32;

// ---- PNG ----------------------------------------------------------------
const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
// allowed bit depths per colour type
const DEPTHS = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const SAMPLES = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a, b, c) {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Decodes a PNG to { width, height, rgba } with 8-bit RGBA (16-bit samples
// rounded to 8 bits, low bit depths of grey scaled to 0..255). Colour types
// 0, 2, 3 (with PLTE and tRNS), 4 and 6; every bit depth PNG allows; all five
// filter types. Interlaced (Adam7) files are refused: none of the packages'
// images uses interlacing. Throws an Error naming `name` on anything else.
function decodePng(buf, name = 'PNG') {
  const fail = (why) => { throw new Error(`${name}: ${why}`); };
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) fail('not a PNG file (bad signature)');
  let hdr = null, palette = null, trns = null, ended = false;
  const idat = [];
  for (let p = 8; !ended;) {
    if (p + 12 > buf.length) fail('truncated (no IEND chunk)');
    const len = buf.readUInt32BE(p), type = buf.toString('latin1', p + 4, p + 8);
    if (len > buf.length - p - 12) fail(`truncated (chunk ${type} runs past the end of the file)`);
    const data = buf.subarray(p + 8, p + 8 + len);
    if (zlib.crc32(buf.subarray(p + 4, p + 8 + len)) !== buf.readUInt32BE(p + 8 + len)) fail(`chunk ${type} has a bad CRC`);
    p += 12 + len;
    if (!hdr && type !== 'IHDR') fail('the first chunk is not IHDR');
    if (type === 'IHDR') {
      if (hdr) fail('two IHDR chunks');
      if (len !== 13) fail('IHDR is not 13 bytes');
      hdr = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8], type: data[9],
              compression: data[10], filter: data[11], interlace: data[12] };
      if (!DEPTHS[hdr.type]) fail(`unknown colour type ${hdr.type}`);
      if (!DEPTHS[hdr.type].includes(hdr.depth)) fail(`bit depth ${hdr.depth} is not allowed for colour type ${hdr.type}`);
      if (hdr.width < 1 || hdr.height < 1 || hdr.width > 4096 || hdr.height > 4096) fail(`size ${hdr.width}x${hdr.height} is out of range`);
      if (hdr.compression !== 0 || hdr.filter !== 0) fail('unknown compression or filter method');
      if (hdr.interlace === 1) fail('interlaced (Adam7) PNGs are not supported (none of the emoji images is interlaced)');
      if (hdr.interlace !== 0) fail(`unknown interlace method ${hdr.interlace}`);
    } else if (type === 'PLTE') {
      if (len % 3 || len === 0 || len / 3 > 256) fail('PLTE length is not 3 x 1..256');
      palette = data;
    } else if (type === 'tRNS') {
      trns = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
    } else if (!(type.charCodeAt(0) & 32)) {
      fail(`unknown critical chunk ${type}`);
    }
  }
  if (!idat.length) fail('no IDAT chunk');
  const { width: w, height: h, depth, type } = hdr;
  if (type === 3 && !palette) fail('palette image without PLTE');
  let raw;
  try { raw = zlib.inflateSync(Buffer.concat(idat)); } catch (e) { fail(`bad compressed data (${e.message})`); }
  const bitsPerPixel = SAMPLES[type] * depth;
  const rowBytes = Math.ceil(w * bitsPerPixel / 8), bpp = Math.max(1, bitsPerPixel >> 3);
  if (raw.length !== h * (rowBytes + 1)) fail(`image data is ${raw.length} bytes, ${h * (rowBytes + 1)} expected`);

  // undo the filters, row by row, into `px` (rowBytes per row)
  const px = new Uint8Array(h * rowBytes);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (rowBytes + 1)], src = y * (rowBytes + 1) + 1, at = y * rowBytes, up = at - rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? px[at + i - bpp] : 0, b = y ? px[up + i] : 0, c = y && i >= bpp ? px[up + i - bpp] : 0;
      let pred;
      switch (f) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: pred = paeth(a, b, c); break;
        default: fail(`row ${y} has unknown filter type ${f}`);
      }
      px[at + i] = (raw[src + i] + pred) & 255;
    }
  }

  // sample k of row y, at the file's bit depth
  const sample = (y, k) => {
    const at = y * rowBytes;
    if (depth === 8) return px[at + k];
    if (depth === 16) return (px[at + 2 * k] << 8) | px[at + 2 * k + 1];
    const bit = k * depth;
    return (px[at + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
  };
  const max = (1 << depth) - 1;
  const to8 = (v) => (depth === 8 ? v : Math.round(v * 255 / max));
  const key = (k) => (trns && trns.length >= 2 * (k + 1) ? trns.readUInt16BE(2 * k) : -1);
  if (type === 0 && trns && trns.length < 2) fail('tRNS is too short for a grey image');
  if (type === 2 && trns && trns.length < 6) fail('tRNS is too short for an RGB image');
  if (type === 3 && trns && trns.length > palette.length / 3) fail('tRNS has more entries than the palette');

  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 4 * (y * w + x);
      let r, g, b, a;
      if (type === 0) {
        const v = sample(y, x);
        r = g = b = to8(v);
        a = v === key(0) ? 0 : 255;
      } else if (type === 2) {
        const vr = sample(y, 3 * x), vg = sample(y, 3 * x + 1), vb = sample(y, 3 * x + 2);
        [r, g, b] = [to8(vr), to8(vg), to8(vb)];
        a = vr === key(0) && vg === key(1) && vb === key(2) ? 0 : 255;
      } else if (type === 3) {
        const i = sample(y, x);
        if (3 * i + 2 >= palette.length) fail(`palette index ${i} is past the palette's ${palette.length / 3} entries`);
        [r, g, b] = [palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]];
        a = trns && i < trns.length ? trns[i] : 255;
      } else if (type === 4) {
        r = g = b = to8(sample(y, 2 * x));
        a = to8(sample(y, 2 * x + 1));
      } else {
        [r, g, b, a] = [0, 1, 2, 3].map((c) => to8(sample(y, 4 * x + c)));
      }
      rgba[o] = r; rgba[o + 1] = g; rgba[o + 2] = b; rgba[o + 3] = a;
    }
  }
  return { width: w, height: h, rgba };
}

// Encodes 8-bit RGB (w*h*3 bytes, interleaved) as a PNG (filter 0 on every row).
function encodePngRgb(rgb, w, h) {
  const raw = Buffer.alloc(h * (3 * w + 1));
  for (let y = 0; y < h; y++) raw.set(rgb.subarray(3 * w * y, 3 * w * (y + 1)), y * (3 * w + 1) + 1);
  const chunk = (type, data) => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'latin1');
    data.copy(b, 8);
    b.writeUInt32BE(zlib.crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---- the dataset ----------------------------------------------------------
// 64x64 RGBA -> 32x32 RGB planes over white: each output value is
// round(sum over its 2x2 block of (a*c + (255-a)*255) / (4*255)), in integers.
function shrinkOverWhite(rgba) {
  const out = new Uint8Array(3 * SIZE * SIZE);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        let sum = 0;
        for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
          const o = 4 * ((2 * y + dy) * SRC + 2 * x + dx), a = rgba[o + 3];
          sum += a * rgba[o + c] + (255 - a) * 255;
        }
        out[c * SIZE * SIZE + y * SIZE + x] = Math.floor((2 * sum + 1020) / 2040);
      }
    }
  }
  return out;
}

function packageDir(name) {
  return path.dirname(require.resolve(name + '/package.json', { paths: [path.join(__dirname, '..')] }));
}

function loadSet(set) {
  const dir = packageDir('emoji-datasource-' + set);
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  if (version !== '16.0.0') throw new Error(`emoji-datasource-${set} is version ${version}, 16.0.0 expected (run npm ci)`);
  const entries = JSON.parse(fs.readFileSync(path.join(dir, 'emoji.json'), 'utf8'));
  const images = [];
  for (const e of entries) {
    if (e['has_img_' + set] !== true || e.category === 'Component') continue;
    const label = CLASSES.indexOf(e.category);
    if (label < 0) throw new Error(`emoji-datasource-${set}: ${e.short_name} has an unknown category "${e.category}"`);
    const file = path.join(dir, 'img', set, '64', e.image);
    const png = decodePng(fs.readFileSync(file), path.relative(process.cwd(), file));
    if (png.width !== SRC || png.height !== SRC) throw new Error(`${file}: ${png.width}x${png.height}, ${SRC}x${SRC} expected`);
    images.push({ set, sort: e.sort_order, name: e.short_name, label, px: shrinkOverWhite(png.rgba) });
  }
  return images;
}

// Refuses unless every set has exactly the expected count per class.
function checkCounts(images) {
  const problems = [];
  for (const set of SETS) {
    const counts = CLASSES.map((_, k) => images.filter((im) => im.set === set && im.label === k).length);
    CLASSES.forEach((c, k) => {
      if (counts[k] !== EXPECTED[k]) problems.push(`${set} ${c}: ${counts[k]} images, ${EXPECTED[k]} expected`);
    });
  }
  if (problems.length) throw new Error(`the emoji packages do not give the defined dataset:\n  ${problems.join('\n  ')}`);
}

function writeDataset(images, out) {
  const n = images.length, plane = SIZE * SIZE, per = 3 * plane;
  const buf = Buffer.alloc(24 + n * per + n);
  buf.write('GPDS', 0, 'ascii');
  [1, n, SIZE, SIZE, 3].forEach((v, i) => buf.writeUInt32LE(v, 4 + 4 * i));
  images.forEach((im, i) => {
    buf.set(im.px, 24 + i * per);
    buf[24 + n * per + i] = im.label;
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, buf);
}

// A contact sheet of the first `count` images, 20 per row, each shown at 2x
// on a mid-grey ground so that the white backgrounds stay visible.
function writePreview(images, count, file) {
  const shown = images.slice(0, count), cols = 20, scale = 2, gap = 4, cell = SIZE * scale + gap;
  const rows = Math.ceil(shown.length / cols), w = cols * cell + gap, h = rows * cell + gap;
  const rgb = new Uint8Array(w * h * 3).fill(128);
  shown.forEach((im, i) => {
    const x0 = gap + (i % cols) * cell, y0 = gap + Math.floor(i / cols) * cell;
    for (let y = 0; y < SIZE * scale; y++) {
      for (let x = 0; x < SIZE * scale; x++) {
        const s = Math.floor(y / scale) * SIZE + Math.floor(x / scale), o = 3 * ((y0 + y) * w + x0 + x);
        for (let c = 0; c < 3; c++) rgb[o + c] = im.px[c * SIZE * SIZE + s];
      }
    }
  });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, encodePngRgb(rgb, w, h));
}

function main() {
  const args = process.argv.slice(2);
  const usage = () => {
    console.error('usage: node scripts/prepare_emoji.js OUT.bin [--preview SHEET.png [--preview-count N]]');
    process.exit(2);
  };
  const out = args.shift();
  let preview = null, previewCount = 200;
  while (args.length) {
    const a = args.shift(), v = args.shift();
    if (a === '--preview' && v) preview = v;
    else if (a === '--preview-count' && /^[1-9][0-9]*$/.test(v || '')) previewCount = parseInt(v, 10);
    else usage();
  }
  if (!out || out.startsWith('--')) usage();
  try {
    const t0 = Date.now();
    const images = [].concat(...SETS.map(loadSet));
    checkCounts(images);
    images.sort((p, q) => p.sort - q.sort || SETS.indexOf(p.set) - SETS.indexOf(q.set));
    writeDataset(images, out);
    const held = images.filter((_, i) => i % 5 === 4).length;
    console.log(`wrote ${out}: ${images.length} images of 3x${SIZE}x${SIZE} ` +
      `(${SETS.map((s) => `${s} ${images.filter((im) => im.set === s).length}`).join(', ')}; ` +
      `${images.length - held} train, ${held} held out) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (preview) {
      writePreview(images, previewCount, preview);
      console.log(`wrote ${preview}: the first ${Math.min(previewCount, images.length)} images`);
    }
  } catch (e) {
    console.error(`prepare_emoji: ${e.message}`);
    process.exit(1);
  }
}

module.exports = { decodePng, encodePngRgb, shrinkOverWhite, checkCounts, CLASSES, EXPECTED };
if (require.main === module) main();
