// The 2-D mode: each distribution renders its own shape; drawn points
// become the data; Play, Pause, one round, one D step and one G step change
// only what they compute; slow motion goes through every part of a round in
// order; every lesson link restores its settings; the heatmap and arrows
// follow training; presentation and embed modes; 360 px. Prints the
// rounds/s the worker reaches and the page's long tasks (make bench
// measures them too: scripts/bench-page.mjs).
import path from 'node:path';
import { SHOTS, check, newContext, newPage, waitFor } from './helpers.mjs';

const mode = (page) => page.evaluate(() => JSON.parse(JSON.stringify({ ...window.ganplay.mode2d })));
const PHASES = ['sample', 'generate', 'judge', 'dloss', 'dupdate', 'gloss', 'arrows', 'gupdate', 'done'];

async function openToy(page, site, hash) {
  await page.goto(site + hash);
  await waitFor(page, () => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame &&
    window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes, null, `${hash}: the 2-D mode draws`, 60000);
}

// A frame that shows every answer of the engine so far.
async function nextFrame(page) {
  await waitFor(page, () => window.ganplay.mode2d.lastFrame && window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes,
    null, 'a frame of the latest state');
}

// What the frame drew: real and fake points.
const framePoints = (page) => page.evaluate(() => {
  const f = window.ganplay.modes.mode2d.frame;
  return { real: Array.from(f.real), fake: Array.from(f.fake) };
});

// Each distribution's shape, checked on the real points drawn.
const SHAPES = {
  line: (p) => p.every(([x, y]) => Math.abs(y - 0.5 * x) < 0.2),
  two: (p) => p.every(([x, y]) => Math.hypot(x - 0.7, y - 0.35) < 0.5 || Math.hypot(x + 0.7, y + 0.35) < 0.5),
  ring: (p) => p.every(([x, y]) => Math.abs(Math.hypot(x, y) - 1) < 0.25),
  grid: (p) => p.every(([x, y]) => Math.abs(x * 2 - Math.round(x * 2)) < 0.5 && Math.abs(y * 2 - Math.round(y * 2)) < 0.5),
  moons: (p) => p.every(([x, y]) => Math.abs(x) < 1.5 && Math.abs(y) < 1),
  spiral: (p) => p.every(([x, y]) => Math.hypot(x, y) < 1.4),
};

export async function run({ browser, site }) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await openToy(page, site, '#view=2d');
  check(await page.isVisible('#canvas-2d') && await page.isHidden('#samples') && await page.isHidden('#train'),
    '#view=2d opens the 2-D mode (and hides the image sections)');

  // every distribution renders its own shape
  const dists = await page.$$eval('#dist-2d option', (o) => o.map((x) => x.value));
  check(dists.length === 7 && dists.includes('drawn'), 'seven distributions, drawing included', dists.join(', '));
  const seen = new Set();
  for (const d of dists.filter((x) => x !== 'drawn')) {
    await page.selectOption('#dist-2d', d);
    await waitFor(page, (name) => window.ganplay.mode2d.pending.dataset === name, d, `${d} chosen`);
    await nextFrame(page);
    const pts = (await framePoints(page)).real;
    const pairs = [];
    for (let i = 0; i < pts.length; i += 2) pairs.push([pts[i], pts[i + 1]]);
    seen.add(JSON.stringify(pts.slice(0, 20)));
    check(pairs.length === 500 && SHAPES[d](pairs), `the ${d} distribution renders its shape`, `${pairs.length} real points`);
  }
  check(seen.size === 6, 'each distribution draws different points');

  // drawing points makes the data
  await page.selectOption('#dist-2d', 'drawn');
  const box = await page.locator('#canvas-2d').boundingBox();
  const at = [[0.25, 0.25], [0.75, 0.3], [0.5, 0.8]];
  for (const [fx, fy] of at) await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  await waitFor(page, () => window.ganplay.mode2d.drawn === 3, null, 'three points drawn');
  await page.click('#draw-use-2d');
  await waitFor(page, () => window.ganplay.mode2d.pending.dataset === 'drawn', null, 'drawn points in use');
  await nextFrame(page);
  const drawnPts = at.map(([fx, fy]) => [fx * 3 - 1.5, 1.5 - fy * 3]);
  const real = (await framePoints(page)).real;
  let near = 0;
  for (let i = 0; i < real.length; i += 2) near += drawnPts.some(([x, y]) => Math.hypot(real[i] - x, real[i + 1] - y) < 0.15);
  check(near === real.length / 2, 'drawing on the plane makes the real data: every real point is near a drawn one',
    `${near} of ${real.length / 2}`);

  // the ring again, a fresh model
  await page.selectOption('#dist-2d', 'ring');
  await page.click('#reset-2d');
  await waitFor(page, () => window.ganplay.mode2d.run.rounds === 0 && window.ganplay.mode2d.pending.dataset === 'ring', null, 'fresh model');
  await nextFrame(page);

  // one D step: D's surface changes, the fakes do not; one G step: the reverse
  let before = await mode(page);
  await page.click('#d-2d');
  await waitFor(page, (n) => window.ganplay.mode2d.run.d_step === n + 1, before.run.d_step, 'one D step');
  await nextFrame(page);
  let after = await mode(page);
  check(after.run.step === before.run.step && after.run.rounds === before.run.rounds && after.lastFrame.grid !== before.lastFrame.grid &&
    after.lastFrame.fake === before.lastFrame.fake, 'One D step updates D only: the heatmap changes, the fakes stay',
  `D steps ${before.run.d_step} -> ${after.run.d_step}, G steps ${after.run.step}`);
  before = after;
  await page.click('#g-2d');
  await waitFor(page, (n) => window.ganplay.mode2d.run.step === n + 1, before.run.step, 'one G step');
  await nextFrame(page);
  after = await mode(page);
  check(after.run.d_step === before.run.d_step && after.lastFrame.grid === before.lastFrame.grid && after.lastFrame.fake !== before.lastFrame.fake,
    'One G step updates G only: the fakes move, the heatmap stays');
  before = after;
  await page.click('#round-2d');
  await waitFor(page, (n) => window.ganplay.mode2d.run.rounds === n + 1, before.run.rounds, 'one round');
  after = await mode(page);
  check(after.run.step === before.run.step + 1 && after.run.d_step === before.run.d_step + 1, 'One round is one D step and one G step');
  const readout = await page.textContent('#dstep-2d'), rounds = await page.textContent('#rounds-2d');
  check(readout === String(after.run.d_step) && rounds === String(after.run.rounds) &&
    (await page.textContent('#round-2d')) === 'One round', 'the readouts show the engine’s counts, and the buttons their names',
  `D steps ${readout}, rounds ${rounds}`);

  // slow motion: every part of one round, in order, with the batch the engine used
  await page.evaluate(() => (window.ganplay.modes.mode2d.pace = 80));
  before = await mode(page);
  await page.click('#slow-2d');
  await waitFor(page, () => window.ganplay.mode2d.phases.includes('done'), null, 'slow motion ends', 60000);
  after = await mode(page);
  check(JSON.stringify(after.phases) === JSON.stringify(PHASES) && after.run.d_step === before.run.d_step + 1 &&
    after.run.step === before.run.step + 1, 'slow motion goes through every part of a round in order', after.phases.join(' > '));

  // Play: rounds in the worker, frames keep coming
  await page.evaluate(() => Object.assign(window.ganplay.mode2d, { longTasks: 0, longestTask: 0 }));
  before = await mode(page);
  await page.click('#play-btn-2d');
  await waitFor(page, (n) => window.ganplay.mode2d.run.rounds > n + 3000, before.run.rounds, 'training runs', 60000);
  const mid = await mode(page), t0 = Date.now();
  await waitFor(page, (n) => window.ganplay.mode2d.frames > n + 30, mid.frames, 'frames keep coming while training');
  after = await mode(page);
  const fps = ((after.frames - mid.frames) * 1000) / (Date.now() - t0);
  check(after.run.rounds > mid.run.rounds && after.lastFrame.grid !== mid.lastFrame.grid && after.lastFrame.arrows !== mid.lastFrame.arrows,
    'the heatmap and the arrows follow training', `rounds ${mid.run.rounds} -> ${after.run.rounds}`);
  console.log(`     2-D training in the worker: ${Math.round(after.rate)} rounds/s (batch 128, G and D 2 x 64 LeakyReLU, EMA of G) while the page ` +
    `draws ${fps.toFixed(0)} frames/s, ${after.longTasks} long task(s) over 50 ms, longest ${Math.round(after.longestTask)} ms ` +
    '(printed, not asserted)');
  await page.click('#play-btn-2d');
  await waitFor(page, () => !window.ganplay.mode2d.running, null, 'paused');
  const stopped = (await mode(page)).run.rounds;
  await page.click('#round-2d');
  await waitFor(page, (n) => window.ganplay.mode2d.run.rounds > n, stopped, 'a round after the pause');
  check((await mode(page)).run.rounds === stopped + 1, 'Pause stops training: one round later the count is one more', `round ${stopped}`);
  const coverage = await page.textContent('#coverage-2d');
  check(/Modes covered: \d of 8/.test(coverage), 'the coverage meter counts the ring’s modes', coverage);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('#play-2d').screenshot({ path: path.join(SHOTS, '2d-1280.png') });

  // every lesson link restores its distribution and settings
  const lessons = await page.evaluate(() => window.ganplay.modes.mode2d.info.lessons);
  check(lessons.length >= 6, 'six lessons or more', lessons.map((l) => l.name).join(', '));
  for (const l of lessons) {
    await page.click(`#lesson-${l.name}`);
    await waitFor(page, (name) => window.ganplay.mode2d.lesson === name && location.hash === `#lesson=${name}`, l.name, `${l.name} opened`);
    // the draw lesson opens the drawing: its distribution is the one drawn next
    if (l.dist === 'drawn') await waitFor(page, () => window.ganplay.mode2d.dist === 'drawn' && !document.getElementById('draw-2d').hidden, null, 'the drawing opened');
    const m = await mode(page), p = m.pending;
    const want = Object.fromEntries(l.settings.split(' ').map((kv) => kv.split('=')));
    const same = (l.dist === 'drawn' ? m.dist === 'drawn' : p.dataset === l.dist) && Object.entries(want).every(([k, v]) => String(p[k]) === v ||
      Math.abs(Number(p[k]) - Number(v)) <= 1e-6 * Math.max(1, Math.abs(Number(v))));
    check(same, `the ${l.name} lesson link restores its settings`, `${l.dist}: ${l.settings}`);
  }
  // a lesson link in a new page gives the same run
  await page.click('#lesson-collapse');
  await waitFor(page, () => window.ganplay.mode2d.lesson === 'collapse', null, 'collapse again');
  await nextFrame(page);
  const other = await newPage(context);
  await openToy(other, site, '#lesson=collapse');
  const a = await mode(other), b = await mode(page);
  check(JSON.stringify(a.pending) === JSON.stringify(b.pending) && a.lastFrame.fake === b.lastFrame.fake,
    'a lesson link opened elsewhere starts the same run');
  await other.close();

  // presentation and embed modes
  const present = await newPage(context);
  await openToy(present, site, '#view=2d&present=1');
  check(await present.evaluate(() => document.body.classList.contains('present')) && await present.isHidden('#setup-2d') &&
    await present.isVisible('#play-btn-2d'), 'presentation mode: large, with fewer controls');
  await present.close();
  const embed = await newPage(context);
  await openToy(embed, site, '#embed=healthy');
  check(await embed.isVisible('#canvas-2d') && await embed.isVisible('#play-btn-2d') && await embed.isVisible('#round-2d') &&
    await embed.isHidden('#charts-2d') && await embed.isHidden('.top') && (await mode(embed)).pending.dataset === 'ring',
  'embed mode shows the canvas with Play and Step only');
  await embed.close();

  // 360 px: everything fits
  const narrow = await newPage(await newContext(browser, { width: 360, height: 780 }));
  await openToy(narrow, site, '#view=2d');
  const fits = await narrow.evaluate(() => document.documentElement.scrollWidth <= 360 &&
    document.getElementById('canvas-2d').getBoundingClientRect().width <= 340);
  check(fits, 'at 360 px the 2-D mode fits the screen');
  await narrow.screenshot({ path: path.join(SHOTS, '2d-360.png') });

  // back to the images
  await page.click('#view-images');
  await waitFor(page, () => document.body.dataset.view === 'images', null, 'images again');
  check(await page.isVisible('#samples') && await page.isHidden('#play-2d'), 'the Images link goes back to the image mode');
  check(page.errors.length === 0 && narrow.errors.length === 0, 'no console errors', page.errors.concat(narrow.errors).join(' | '));
  await context.close();
}
