// Units: what G's units draw and switching them off, with the shipped
// conditional MNIST DCGAN. The panel lists the top units with the IoU the
// engine reports; switching the top unit off changes the sample grid's
// pixels, switching it on again gives them back exactly (and "All on"
// likewise after several); the buttons say their state (aria-pressed); the
// page at 360 px has no horizontal overflow. Screenshots of the panel at
// 1280 px and 360 px, with a set of units off.
import path from 'node:path';
import { SHOTS, check, newContext, newPage, state, waitFor, waitReady } from './helpers.mjs';

// The units panel once a drawing answers every redraw asked for, some asked after `before`.
function unitsDrawn(page, before, what) {
  return waitFor(page, (n) => {
    const u = window.ganplay.state.units;
    return u && u.asked > n && u.answered === u.asked && !window.ganplay.state.running;
  }, before, what);
}
const asked = (page) => page.evaluate(() => window.ganplay.state.units.asked);

// The grid's pixels kept in the page under a name; and how many bytes differ from those kept.
const keepGrid = (page, name) => page.evaluate((name) => {
  const c = document.getElementById('grid');
  (window.__grids ||= {})[name] = Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
}, name);
const gridDiff = (page, name) => page.evaluate((name) => {
  const c = document.getElementById('grid');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, was = window.__grids[name];
  if (was.length !== d.length) return -1;
  let n = 0;
  for (let i = 0; i < d.length; i++) n += d[i] !== was[i];
  return n;
}, name);

// Clicks a unit's button and waits until the engine's answer is shown and the grid redrawn.
async function clickUnit(page, unit, what) {
  const grids = (await state(page)).grids, before = await asked(page);
  await page.click(`#units-list .unit[data-unit="${unit}"]`);
  await waitFor(page, (g) => window.ganplay.state.grids > g, grids, `${what}: the grid is redrawn`);
  await unitsDrawn(page, before, `${what}: the panel is redrawn`);
}

async function open(browser, site, width) {
  const context = await newContext(browser, { width, height: 900 });
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitFor(page, () => window.ganplay.state.units && window.ganplay.state.units.draws > 0, null, `units drawn at ${width} px`);
  return { context, page };
}

export async function run({ browser, site }) {
  const { context, page } = await open(browser, site, 1280);
  let s = await state(page);
  check(/conditional DCGAN/.test(s.model.name), 'the shipped conditional MNIST DCGAN is on show', s.model.name);
  const layers = await page.$$eval('#units-layer option', (o) => o.map((x) => [x.value, x.textContent]));
  check(layers.length === 2 && layers[0][0] === '3' && /128 units of 7×7/.test(layers[0][1]) && layers[1][0] === '6' &&
    /64 units of 14×14/.test(layers[1][1]), 'the layers with maps are offered: 3 (128 of 7×7) and 6 (64 of 14×14)', JSON.stringify(layers));

  // the numbers are the engine's
  const engine = await page.evaluate((layer) => window.ganplay.engine.call('unitsRank', { layer, count: 64 }), s.units.layer);
  const shown = await page.$$eval('#units-list .unit', (bs) => bs.map((b) => ({
    unit: Number(b.dataset.unit), label: b.querySelector('.unit-label').textContent, iou: b.querySelector('.unit-iou').textContent,
    pressed: b.getAttribute('aria-pressed'), name: b.getAttribute('aria-label'),
  })));
  check(shown.length === 16 && engine.units.length === 128 && engine.samples === 64, '16 units shown of the 128 ranked over the grid\'s 64 samples',
    `${shown.length} shown, ${engine.units.length} ranked`);
  check(shown.every((b, i) => b.unit === engine.units[i].unit && b.label === `#${b.unit}` && b.iou === `IoU ${engine.units[i].iou.toFixed(2)}`),
    'each shown unit and its IoU are the engine\'s, best first', JSON.stringify(shown.slice(0, 3)) + ' vs ' + JSON.stringify(engine.units.slice(0, 3)));
  check(s.units.ranking.every((u, i) => u.unit === engine.units[i].unit && u.iou === engine.units[i].iou), 'the page keeps the engine\'s ranking as it came');
  check(engine.units.every((u, i) => u.iou >= 0 && u.iou <= 1 && (i === 0 || engine.units[i - 1].iou >= u.iou)) && engine.units[0].iou > 0.1,
    'IoUs lie in [0, 1], sorted, the best above 0.1', `best ${engine.units[0].iou}`);
  check(shown.every((b) => b.pressed === 'false' && /^Switch off unit \d+ \(stroke IoU \d\.\d\d\)$/.test(b.name)) &&
    await page.isDisabled('#units-all-on'), 'every unit is a toggle button, not pressed (on); All on is disabled', shown[0].name);

  // the top unit off: the grid changes; on again: the same pixels
  const top = shown[0].unit;
  await keepGrid(page, 'before');
  await clickUnit(page, top, 'top unit off');
  s = await state(page);
  const changed = await gridDiff(page, 'before');
  check(s.units.off.layer === s.units.layer && s.units.off.units.length === 1 && s.units.off.units[0] === top,
    'the engine reports the top unit off', JSON.stringify(s.units.off));
  check(changed > 0, 'switching the top unit off changes the grid\'s pixels', `${changed} bytes differ`);
  check(await page.getAttribute(`#units-list .unit[data-unit="${top}"]`, 'aria-pressed') === 'true' && !(await page.isDisabled('#units-all-on')),
    'its button is pressed, and All on is offered');
  check(/Training waits/.test(await page.textContent('#units-msg')), 'the panel says what is off and that training waits');
  await clickUnit(page, top, 'top unit on again');
  s = await state(page);
  check(s.units.off.layer === -1 && await gridDiff(page, 'before') === 0, 'switching it on again gives back the grid exactly');

  // several off, then All on
  const some = shown.slice(0, 5).map((b) => b.unit);
  for (const u of some) await clickUnit(page, u, `unit ${u} off`);
  s = await state(page);
  check(s.units.off.units.length === 5 && await gridDiff(page, 'before') > 0, 'five units off change the grid', JSON.stringify(s.units.off));
  await page.screenshot({ path: path.join(SHOTS, 'units-page.png'), fullPage: false });
  await page.locator('#units').screenshot({ path: path.join(SHOTS, 'units.png') });
  const grids = s.grids, before = await asked(page);
  await page.click('#units-all-on');
  await waitFor(page, (g) => window.ganplay.state.grids > g, grids, 'All on redraws the grid');
  await unitsDrawn(page, before, 'All on redraws the panel');
  s = await state(page);
  check(s.units.off.layer === -1 && await gridDiff(page, 'before') === 0 &&
    (await page.$$eval('#units-list .unit[aria-pressed="true"]', (b) => b.length)) === 0, 'All on gives back the grid exactly and unpresses every unit');

  // more units shown: the engine's next ones
  let b4 = await asked(page);
  await page.selectOption('#units-count', '32');
  await unitsDrawn(page, b4, '32 units drawn');
  const shown32 = await page.$$eval('#units-list .unit', (bs) => bs.map((b) => Number(b.dataset.unit)));
  check(shown32.length === 32 && shown32.every((u, i) => u === engine.units[i].unit), 'Show top 32 lists the engine\'s top 32');

  // another layer: its own ranking
  b4 = await asked(page);
  await page.selectOption('#units-layer', '6');
  await unitsDrawn(page, b4, 'layer 6 drawn');
  s = await state(page);
  const e6 = await page.evaluate(() => window.ganplay.engine.call('unitsRank', { layer: 6, count: 64 }));
  check(s.units.layer === 6 && s.units.shown.length === 32 && s.units.shown.every((u, i) => u === e6.units[i].unit),
    'layer 6 shows its own top units, the engine\'s');
  // "these units draw the top loop of 8": twenty units of layer 3 (found by switching units off one at a
  // time and keeping those that darkened the upper half of the grid's 8s most) open the top loop of a kept 8
  b4 = await asked(page);
  await page.selectOption('#class-pick', '8');
  await unitsDrawn(page, b4, 'class 8 drawn');
  b4 = await asked(page);
  await page.locator("#grid").scrollIntoViewIfNeeded();
  const gridBox = await page.locator("#grid").boundingBox();
  await page.mouse.click(gridBox.x + ((2 + 30 * 4 + 15) / 242) * gridBox.width, gridBox.y + ((2 + 15) / 242) * gridBox.height); // sample 4
  await unitsDrawn(page, b4, 'the kept 8 drawn');
  b4 = await asked(page);
  await page.selectOption('#units-layer', '3');
  await page.selectOption('#units-count', '255');
  await unitsDrawn(page, b4, 'all units of layer 3 drawn');
  const LOOP = [1, 95, 110, 74, 59, 105, 104, 108, 89, 78, 118, 115, 23, 19, 82, 96, 125, 77, 42, 30];
  for (const u of LOOP) await clickUnit(page, u, `unit ${u} off`);
  s = await state(page);
  // brightness lost in the upper and the lower half of the kept sample (gray: the red channel)
  const lost = await page.evaluate(() => {
    const px = (id) => { const c = document.getElementById(id); return c.getContext('2d').getImageData(0, 0, c.width, c.height).data; };
    const a = px('units-whole'), b = px('units-now'), w = document.getElementById('units-now').width;
    let up = 0, low = 0;
    for (let i = 0; i < a.length; i += 4) (Math.floor(i / 4 / w) < 13 ? (v) => (up += v) : (v) => (low += v))(Math.max(0, a[i] - b[i]));
    return { up, low };
  });
  check(s.units.off.units.length === LOOP.length && s.kept[0].index === 4, 'twenty units of layer 3 off, an 8 kept', JSON.stringify(s.units.off));
  check(lost.up > 1.3 * lost.low && lost.up > 2000, 'they take strokes from the top of the 8 more than from its bottom', JSON.stringify(lost));
  b4 = await asked(page);
  await page.selectOption('#units-count', '32');
  await unitsDrawn(page, b4, 'top 32 drawn');
  await page.locator('#units').screenshot({ path: path.join(SHOTS, 'units-8.png') });
  await page.locator('#samples').screenshot({ path: path.join(SHOTS, 'units-8-grid.png') });
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  await context.close();

  // 360 px: the panel fits, with units off
  const narrow = await open(browser, site, 360);
  const p = narrow.page;
  const first = await p.$$eval('#units-list .unit', (bs) => bs.slice(0, 3).map((b) => Number(b.dataset.unit)));
  for (const u of first) await clickUnit(p, u, `unit ${u} off at 360 px`);
  const overflow = await p.evaluate(() => {
    const doc = document.documentElement, panel = document.getElementById('units');
    const wide = [...panel.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 0.5).map((e) => e.id || e.className);
    return { scroll: doc.scrollWidth, client: doc.clientWidth, panel: panel.scrollWidth - panel.clientWidth, wide: wide.slice(0, 5) };
  });
  check(overflow.scroll <= overflow.client && overflow.panel <= 0 && overflow.wide.length === 0, 'at 360 px nothing overflows sideways',
    JSON.stringify(overflow));
  const box = await p.locator('#units-list .unit').first().boundingBox();
  check(box && box.width >= 44 && box.height >= 44, 'the unit buttons stay large enough to press at 360 px', JSON.stringify(box));
  await p.locator('#units').screenshot({ path: path.join(SHOTS, 'units-360.png') });
  check(p.errors.length === 0, 'no console errors at 360 px', p.errors.join(' | '));
  await narrow.context.close();
}
