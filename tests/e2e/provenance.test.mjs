// Provenance: the PNGs the page offers (the grid, the kept sample) carry a
// 'ganplay' text chunk naming the model, its weights hash, the seed, sample
// index, count, class and directions; the hash is the CLI's for the same
// shipped file, and the CLI makes the grid again from what the chunk says.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD, E2E, ROOT, check, newContext, newPage, state, waitFor, waitReady } from './helpers.mjs';

// CRC-32 (IEEE), as PNG chunks carry it.
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

// The PNG's chunks in order ({type, data}), every CRC checked here (an
// independent reader, not the engine's).
function chunks(png) {
  const out = [];
  if (png.subarray(0, 8).toString('latin1') !== '\x89PNG\r\n\x1a\n') throw new Error('not a PNG');
  for (let at = 8; at < png.length;) {
    const n = png.readUInt32BE(at), type = png.subarray(at + 4, at + 8).toString('latin1');
    const data = png.subarray(at + 8, at + 8 + n);
    if (crc32(png.subarray(at + 4, at + 8 + n)) !== png.readUInt32BE(at + 8 + n)) throw new Error(`bad CRC in ${type}`);
    out.push({ type, data });
    at += 12 + n;
    if (type === 'IEND') break;
  }
  return out;
}

// The text of the tEXt chunk named keyword, or null.
function text(list, keyword) {
  for (const c of list) {
    if (c.type !== 'tEXt') continue;
    const nul = c.data.indexOf(0);
    if (c.data.subarray(0, nul).toString('latin1') === keyword) return c.data.subarray(nul + 1).toString('latin1');
  }
  return null;
}

async function downloadOf(page, button) {
  const before = await page.evaluate(() => window.ganplay.state.pngDownloads || 0);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = path.join(E2E, `prov-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  await waitFor(page, (n) => (window.ganplay.state.pngDownloads || 0) > n, before, `${button}: download counted`);
  return fs.readFileSync(file);
}

// RGBA of two PNGs as the browser decodes them, and how many bytes differ.
function pixelDiff(page, a, b) {
  return page.evaluate(async ([a, b]) => {
    const rgba = async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(bmp.width, bmp.height), ctx = c.getContext('2d');
      ctx.drawImage(bmp, 0, 0);
      return { w: bmp.width, h: bmp.height, px: ctx.getImageData(0, 0, bmp.width, bmp.height).data };
    };
    const [x, y] = [await rgba(a), await rgba(b)];
    if (x.w !== y.w || x.h !== y.h) return { size: `${x.w}x${x.h} vs ${y.w}x${y.h}`, diff: -1, max: 255 };
    let diff = 0, max = 0;
    for (let i = 0; i < x.px.length; i++) {
      const d = Math.abs(x.px[i] - y.px[i]);
      diff += d > 0;
      max = Math.max(max, d);
    }
    return { size: `${x.w}x${x.h}`, diff, max, bytes: x.px.length };
  }, [a.toString('base64'), b.toString('base64')]);
}

export async function run({ browser, site }) {
  const cli = path.join(BUILD, 'ganplay');
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitFor(page, () => window.ganplay.state.exploreDraws > 0, null, 'explore drawn');

  // the model on show, its hash in the engine and in the CLI (the shipped file it came from)
  const model = await page.evaluate(() => window.ganplay.debug.modelInfo());
  const engineHash = await page.evaluate(() => window.ganplay.engine.call('weightsHash'));
  const file = path.join(ROOT, model.source || '');
  if (!check(model.source && fs.existsSync(file), 'the page shows a shipped model', model.source)) return;
  const stem = path.basename(file, '.gpm');
  const cliPng = path.join(E2E, 'prov-cli.png');
  execFileSync(cli, ['sample', '--model', file, '--count', '1', '--seed', '1', '--png', cliPng], { stdio: 'pipe' });
  const cliHash = JSON.parse(execFileSync(cli, ['info', '--png', cliPng], { encoding: 'utf8' })).weights;
  check(/^fnv1a64:[0-9a-f]{16}$/.test(engineHash) && engineHash === cliHash, `the engine's weights hash of ${stem} is the CLI's`,
    `${engineHash} vs ${cliHash}`);

  // the grid at scale 1
  await page.selectOption('#png-scale', '1');
  const s = await state(page);
  const grid = await downloadOf(page, '#dl-png');
  const list = chunks(grid);
  const prov = JSON.parse(text(list, 'ganplay') || 'null');
  check(list[0].type === 'IHDR' && list[1].type === 'tEXt' && text(list, 'Software') === 'ganplay' && prov !== null,
    'the grid PNG carries Software and ganplay text chunks after IHDR', list.map((c) => c.type).join(' '));
  check(prov && prov.software === 'ganplay' && prov.model === stem && prov.weights === engineHash && prov.seed === s.noiseSeed &&
    prov.index === 0 && prov.count === 64 && prov.class === null && JSON.stringify(prov.directions) === '{}' &&
    prov.units_off === null && prov.what === 'sample', 'the grid names ganplay, the model, its hash, the seed', JSON.stringify(prov));
  const back = await page.evaluate((b) => window.ganplay.engine.call('pngProvenance', { bytes: Uint8Array.from(b).buffer }),
    Array.from(grid));
  check(JSON.stringify(back) === JSON.stringify(prov), 'the engine reads the chunk back as written');
  const native = path.join(E2E, 'prov-grid.png');
  fs.writeFileSync(native, grid);
  const info = execFileSync(cli, ['info', '--png', native], { encoding: 'utf8' }).trim();
  check(info === text(list, 'ganplay'), 'ganplay info --png prints the page\'s chunk exactly', info);

  // reproduced: the CLI draws the same grid from what the chunk says
  const again = path.join(E2E, 'prov-again.png');
  execFileSync(cli, ['sample', '--model', path.join(ROOT, 'models', `${prov.model}.gpm`), '--seed', String(prov.seed),
    '--count', String(prov.count), '--cols', '8', '--png', again], { stdio: 'pipe' });
  // (the same pixels, up to one level in a few where this browser's engine
  // fuses multiply-adds and the CLI does not: the relaxed-SIMD builds)
  const d = await pixelDiff(page, grid, fs.readFileSync(again));
  const fused = /relaxed/.test(s.build);
  check(d.diff >= 0 && (fused ? d.max <= 1 && d.diff <= d.bytes / 1000 : d.diff === 0),
    'the CLI makes the same grid from the chunk\'s model, seed and count',
    `${d.size}, ${d.diff} bytes differ, by ${d.max} at most; ${s.build} build`);

  // a class picked, a sample kept and moved along a direction: the kept sample's PNG says so
  await page.selectOption('#class-pick', '3');
  await waitFor(page, () => window.ganplay.state.grids > 0 && window.ganplay.state.model.label === 3, null, 'class 3 drawn');
  const box = await page.locator('#grid').boundingBox();
  const at = (v, size) => ((2 + 30 * v + 15) / 242) * size;
  let asked = await page.evaluate(() => window.ganplay.state.exploreAsked);
  // sample 13 (index 12): column 5, row 2 (scrolled into view first)
  await page.locator('#grid').click({ position: { x: at(4, box.width), y: at(1, box.height) } });
  await waitFor(page, (n) => window.ganplay.state.exploreAsked > n && window.ganplay.state.exploreAnswered === window.ganplay.state.exploreAsked,
    asked, 'kept');
  await waitFor(page, () => window.ganplay.state.directionsFound > 0, null, 'the directions found', 120000);
  asked = await page.evaluate(() => window.ganplay.state.exploreAsked);
  await page.$eval('.dir-row[data-name="slant"] input', (el) => {
    el.value = '-1.5';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await waitFor(page, (n) => window.ganplay.state.exploreAsked > n && window.ganplay.state.exploreAnswered === window.ganplay.state.exploreAsked,
    asked, 'steered');
  const one = chunks(await downloadOf(page, '#dl-one'));
  const p1 = JSON.parse(text(one, 'ganplay') || 'null');
  const s2 = await state(page);
  check(p1 && p1.model === stem && p1.weights === engineHash && p1.seed === s2.noiseSeed && p1.index === 12 && p1.count === 1 &&
    p1.class === 3 && JSON.stringify(p1.directions) === '{"slant":-1.5}', 'the kept sample names its seed, index, class and direction',
  JSON.stringify(p1));

  // classes in turn again: one sample's class is that of its place
  await page.selectOption('#class-pick', '-1');
  await waitFor(page, () => window.ganplay.state.model.label === -1, null, 'classes in turn');
  const p2 = JSON.parse(text(chunks(await downloadOf(page, '#dl-one')), 'ganplay') || 'null');
  check(p2 && p2.index === 12 && p2.class === 2, 'a kept sample of classes in turn names its place\'s class', JSON.stringify(p2));
  await page.selectOption('#png-scale', '4');
  check(page.errors.length === 0, 'no errors in the console', page.errors.join('; '));
  await context.close();
}
