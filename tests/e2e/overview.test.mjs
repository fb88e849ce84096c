// The model overview graph (js/overview.js). In the 2-D mode: every part is
// there, focusable and named; its numbers are the readouts' at the same
// moment; its flow follows the engine's counts (a D pulse and a G pulse per
// round, more while playing, none once paused); slow motion lights the
// same diagram; pointing at a part (hover, focus, tap) picks out the
// matching layers of the plane, and the canvas shows it. In the image mode:
// the tensors' shapes of the model on show, which change with the model,
// and the flow as steps run. At 360 px the diagram fits the screen.
import path from 'node:path';
import { SHOTS, answerReplace, canvasInfo, check, newContext, newPage, waitDataset, waitFor, waitReady } from './helpers.mjs';

const PARTS_2D = ['z', 'g', 'fake', 'real', 'd', 'dloss', 'gloss'];
const LAYERS = { z: ['mesh'], g: ['mesh', 'fake'], fake: ['fake', 'mesh'], real: ['real'], d: ['heat', 'line'], dloss: ['line'],
  gloss: ['arrows'] };

const ov2d = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.ganplay.mode2d.overview)));
const ovImage = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.ganplay.overview)));

// The diagram's parts as drawn: name, focusability, label and lines of text.
const drawnParts = (page, fig) => page.$$eval(`#${fig} .ov-part`, (gs) => gs.map((g) => ({
  part: g.dataset.part, tabindex: g.getAttribute('tabindex'), label: g.getAttribute('aria-label') || '',
  lines: [...g.querySelectorAll('text')].map((t) => t.textContent).filter(Boolean),
})));

// The diagram's numbers and the readouts, read in one go (one moment).
const numbersNow = (page) => page.evaluate(() => {
  const text = (id) => document.getElementById(id).textContent;
  const lines = (part) => [...document.querySelectorAll(`#overview-2d [data-part="${part}"] .ov-sub`)].map((t) => t.textContent);
  const run = window.ganplay.mode2d.run;
  return { d: lines('d'), dloss: lines('dloss'), gloss: lines('gloss'), readouts: { dloss: text('dloss-2d'), gloss: text('gloss-2d'),
    dreal: text('dreal-2d'), dfake: text('dfake-2d'), dstep: text('dstep-2d'), gstep: text('gstep-2d') }, run: { d: run.d_step, g: run.step } };
});

function sameNumbers(n) {
  const r = n.readouts;
  return n.d[0] === `D(x) ${r.dreal}` && n.d[1] === `D(G(z)) ${r.dfake}` && n.d[2] === `D step ${r.dstep}` &&
    n.dloss[0] === r.dloss && n.dloss[1] === `D step ${r.dstep}` && n.gloss[0] === r.gloss && n.gloss[1] === `G step ${r.gstep}` &&
    r.dstep === String(n.run.d) && r.gstep === String(n.run.g);
}

// Resolves after n of the browser's frames.
const frames = (page, n) => page.evaluate((n) => new Promise((resolve) => {
  const tick = () => (--n <= 0 ? resolve() : requestAnimationFrame(tick));
  requestAnimationFrame(tick);
}), n);

// Records what the flow shows each frame (kind and phase of the pulse, lit parts) until stop() is called.
const record = (page, key) => page.evaluate((key) => {
  const log = (window[key] = []);
  const o = key === '__ovImage' ? window.ganplay.overview : window.ganplay.mode2d.overview;
  const tick = () => {
    log.push({ at: o.at && { kind: o.at.kind, phase: o.at.phase, share: o.at.share }, lit: o.lit.join(',') });
    if (!window[`${key}Stop`]) requestAnimationFrame(tick);
  };
  window[`${key}Stop`] = false;
  requestAnimationFrame(tick);
}, key);
const stopRecord = (page, key) => page.evaluate((key) => {
  window[`${key}Stop`] = true;
  return window[key];
}, key);

// Pixels of the canvas near the fakes' purple (#8e3fd0).
const purple = (page) => page.evaluate(() => {
  const c = document.getElementById('canvas-2d'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 142) < 40 && Math.abs(d[i + 1] - 63) < 40 && Math.abs(d[i + 2] - 208) < 40) n++;
  return n;
});

// The flow has taken in the engine's counts and stopped.
const settled2d = (page, what) => waitFor(page, () => {
  const m = window.ganplay.mode2d, o = m.overview;
  return m.run && !o.moving && o.shown.d === m.run.d_step && o.shown.g === m.run.step;
}, null, what);

async function open2d(page, site, hash) {
  await page.goto(site + hash);
  await waitFor(page, () => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame &&
    window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes, null, `${hash}: the 2-D mode draws`, 60000);
}

async function twoD(browser, site) {
  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  await open2d(page, site, '#view=2d&dist=ring');

  // all parts, focusable and named; one diagram (the old one is gone)
  const parts = await drawnParts(page, 'overview-2d');
  check(JSON.stringify(parts.map((p) => p.part)) === JSON.stringify(PARTS_2D) && parts.every((p) => p.tabindex === '0' && p.label.length > 3),
    'the 2-D diagram has z, G, G(z), real x, D, D’s loss and G’s loss, each focusable with a name', parts.map((p) => `${p.part}: ${p.label}`).join(' | '));
  check(await page.evaluate(() => !document.getElementById('diagram-2d') && document.querySelectorAll('#play-2d svg').length === 1),
    'the 2-D mode has one diagram');
  const edges = await page.$$eval('#overview-2d .ov-wire', (p) => p.map((x) => x.dataset.edge));
  check(edges.length === 6, 'its edges: z→G, G→G(z), G(z)→D, x→D, D→D’s loss, D→G’s loss', edges.join(', '));
  let o = await ov2d(page);
  check(o.pulses === 0 && !o.moving && o.numbers.dLoss === '–', 'before any step: no flow, no numbers', JSON.stringify(o.numbers));

  // One round: a D pulse, then a G pulse, and the numbers of that round
  await record(page, '__ov2d');
  await page.click('#round-2d');
  await waitFor(page, () => window.ganplay.mode2d.run.rounds === 1, null, 'one round', 90000);
  await settled2d(page, 'the flow takes in the round');
  const seen = (await stopRecord(page, '__ov2d')).filter((f) => f.at);
  o = await ov2d(page);
  const kinds = [...new Set(seen.map((f) => f.at.kind))];
  check(o.pulses === 2 && o.shown.d === 1 && o.shown.g === 1 && JSON.stringify(kinds) === '["d","g"]' &&
    new Set(seen.map((f) => `${f.at.kind}${f.at.phase}${f.at.share}`)).size > 2,
  'One round plays a D pulse, then a G pulse, moving along the edges; then the flow stops',
  `pulses ${o.pulses}, shown ${JSON.stringify(o.shown)}, ${seen.length} frames of flow, kinds ${kinds.join(' > ')}`);
  let n = await numbersNow(page);
  check(sameNumbers(n), 'after one round the diagram shows the readouts’ numbers with their steps', JSON.stringify(n));
  await page.click('#d-2d');
  await settled2d(page, 'the flow takes in a D step');
  o = await ov2d(page);
  check(o.pulses === 3 && o.shown.d === 2 && o.shown.g === 1, 'One D step plays one D pulse', `pulses ${o.pulses}`);

  // Play: the flow follows the rounds; the numbers are the readouts’ whenever they are read
  const before = o.pulses;
  await page.click('#play-btn-2d');
  await waitFor(page, (p) => window.ganplay.mode2d.running && window.ganplay.mode2d.run.rounds > 300 &&
    window.ganplay.mode2d.overview.pulses > p + 3, before, 'the flow follows the rounds while playing', 60000);
  let agree = 0;
  for (let i = 0; i < 5; i++) {
    n = await numbersNow(page);
    agree += sameNumbers(n);
    await frames(page, 3);
  }
  check(agree === 5, 'while playing, the diagram’s numbers equal the readouts each time they are read', `${agree} of 5; last ${JSON.stringify(n)}`);
  await page.click('#play-btn-2d');
  await waitFor(page, () => !window.ganplay.mode2d.running, null, 'paused');
  await settled2d(page, 'the flow stops after the pause');
  const stopped = await ov2d(page);
  const dots = () => page.$$eval('#overview-2d .ov-dot', (c) => c.map((x) => `${x.getAttribute('visibility')}${x.getAttribute('cx')},${x.getAttribute('cy')}`).join(' '));
  const dotsStopped = await dots();
  await frames(page, 30);
  const later = await ov2d(page);
  const run = await page.evaluate(() => window.ganplay.mode2d.run);
  check(later.pulses === stopped.pulses && later.frames === stopped.frames && (await dots()) === dotsStopped && dotsStopped.split(' ').every((d) => d.startsWith('hidden')) &&
    later.shown.d === run.d_step && later.shown.g === run.step,
  'paused, the flow stands still: no pulse and no frame of flow in 30 frames, every dot hidden, and the counts it shows are the engine’s',
  `pulses ${stopped.pulses}, frames ${stopped.frames}, shown ${JSON.stringify(later.shown)}, engine ${run.d_step}/${run.step}`);
  n = await numbersNow(page);
  check(sameNumbers(n), 'paused, the diagram shows the readouts’ numbers', JSON.stringify(n));
  await page.click('#round-2d');
  await settled2d(page, 'a round after the pause');
  o = await ov2d(page);
  check(o.pulses === stopped.pulses + 2, 'a round after the pause plays two pulses again', `${stopped.pulses} -> ${o.pulses}`);

  // slow motion lights the same diagram, phase by phase; the counts are taken in without extra pulses
  await page.evaluate(() => (window.ganplay.modes.mode2d.pace = 120));
  await record(page, '__ov2d');
  const pulsesBefore = o.pulses;
  await page.click('#slow-2d');
  await waitFor(page, () => window.ganplay.mode2d.phases.includes('done'), null, 'slow motion ends', 60000);
  await settled2d(page, 'the flow after slow motion');
  const lit = [...new Set((await stopRecord(page, '__ov2d')).map((f) => f.lit).filter(Boolean))];
  o = await ov2d(page);
  const activeNow = await page.$$eval('#overview-2d .ov-part.active', (g) => g.length);
  check(lit.includes('real,fake,d') && lit.includes('d,dloss') && lit.includes('gloss,g') && o.pulses === pulsesBefore && activeNow === 0,
    'slow motion lights the parts of each phase in the overview graph, and nothing once it ends', lit.join(' | '));

  // pointing at a part picks out its layers in the plane
  await page.evaluate(() => window.scrollTo(0, 0));
  await frames(page, 2);
  const plain = await canvasInfo(page, 'canvas-2d'), plainPurple = await purple(page);
  await page.hover('#overview-2d [data-part="fake"]');
  await waitFor(page, () => window.ganplay.mode2d.highlight === 'fake', null, 'G(z) highlighted');
  const hi = await page.evaluate(() => [...window.ganplay.mode2d.highlightLayers]);
  const lit2 = await canvasInfo(page, 'canvas-2d'), litPurple = await purple(page);
  check(JSON.stringify(hi) === JSON.stringify(LAYERS.fake) && lit2.hash !== plain.hash && litPurple > plainPurple * 1.3,
    'hovering G(z) picks out the fakes and G’s manifold: the canvas changes, with more of the fakes’ purple',
    `layers ${hi.join(',')}, purple pixels ${plainPurple} -> ${litPurple}`);
  await page.mouse.move(2, 2);
  await waitFor(page, () => window.ganplay.mode2d.highlight === null, null, 'highlight gone');
  check((await canvasInfo(page, 'canvas-2d')).hash === plain.hash, 'moving away draws the plane as before');
  const picked = {};
  for (const part of PARTS_2D) {
    await page.hover(`#overview-2d [data-part="${part}"]`);
    await waitFor(page, (p) => window.ganplay.mode2d.highlight === p, part, `${part} highlighted`);
    picked[part] = await page.evaluate(() => [...window.ganplay.mode2d.highlightLayers]);
  }
  await page.mouse.move(2, 2);
  check(PARTS_2D.every((p) => JSON.stringify(picked[p]) === JSON.stringify(LAYERS[p])),
    'each part picks out its layers: z the mesh, G and G(z) the fakes and mesh, x the real points, D its surface and line, D’s loss the line, G’s loss the arrows',
    JSON.stringify(picked));
  // a click keeps G(z) picked out (for the screenshot), a second click lets go
  await page.click('#overview-2d [data-part="fake"]');
  await page.mouse.move(2, 2);
  await waitFor(page, () => window.ganplay.mode2d.highlight === 'fake', null, 'G(z) kept by a click');
  await page.locator('#play-2d').screenshot({ path: path.join(SHOTS, 'overview-2d-fake-1280.png') });
  await page.click('#overview-2d [data-part="fake"]');
  await page.mouse.move(2, 2);
  await waitFor(page, () => window.ganplay.mode2d.highlight === null, null, 'a second click lets go');
  // the keyboard: focus picks out, Escape lets go
  await page.focus('#overview-2d [data-part="real"]');
  await waitFor(page, () => window.ganplay.mode2d.highlight === 'real', null, 'real x highlighted by focus');
  await page.keyboard.press('Escape');
  await waitFor(page, () => window.ganplay.mode2d.highlight === null, null, 'Escape lets go');
  check(true, 'focusing real x picks out the real points; Escape lets go');
  check(page.errors.length === 0, 'no console errors in the 2-D mode', page.errors.join(' | '));
  await context.close();

  // at 1920
  const wide = await newContext(browser, { width: 1920, height: 1080 });
  const big = await newPage(wide);
  await open2d(big, site, '#view=2d&dist=ring');
  await big.click('#round-2d');
  await settled2d(big, 'a round at 1920');
  const box = await big.locator('#overview-2d svg').boundingBox();
  check(box.width >= 300 && box.width <= 400, 'at 1920 px the diagram is drawn 300 to 400 px wide', `${Math.round(box.width)} px`);
  await big.locator('#play-2d').screenshot({ path: path.join(SHOTS, 'overview-2d-1920.png') });
  await wide.close();
}

async function narrow(browser, site) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, hasTouch: true, isMobile: true });
  const page = await newPage(context);
  await open2d(page, site, '#view=2d&dist=ring');
  await page.tap('#round-2d');
  await settled2d(page, 'a round at 360 px');
  const fit = await page.evaluate(() => {
    const r = document.querySelector('#overview-2d svg').getBoundingClientRect();
    const small = Math.min(...[...document.querySelectorAll('#overview-2d .ov-sub')].map((t) => t.getBoundingClientRect().height).filter((h) => h > 0));
    return { left: r.left, right: r.right, width: r.width, scroll: document.documentElement.scrollWidth, small };
  });
  check(fit.left >= 0 && fit.right <= 360 && fit.scroll <= 360 && fit.width > 280,
    'at 360 px the 2-D diagram lies within the screen’s width', JSON.stringify(fit));
  // a tap picks a part out, a second tap lets it go
  await page.locator('#overview-2d [data-part="d"]').scrollIntoViewIfNeeded();
  await page.tap('#overview-2d [data-part="d"]');
  await waitFor(page, () => window.ganplay.mode2d.highlight === 'd', null, 'D picked out by a tap');
  const layers = await page.evaluate(() => [...window.ganplay.mode2d.highlightLayers]);
  await page.locator('#overview-2d').screenshot({ path: path.join(SHOTS, 'overview-2d-360.png') });
  await page.tap('#overview-2d [data-part="d"]');
  await waitFor(page, () => window.ganplay.mode2d.highlight === null, null, 'a second tap lets go');
  check(JSON.stringify(layers) === JSON.stringify(LAYERS.d), 'at 360 px a tap on D picks out D’s surface and its line; a second tap lets go');

  // the image mode at 360 px
  await page.close();
  const imgPage = await newPage(context);
  await imgPage.goto(site);
  await waitReady(imgPage);
  await waitFor(imgPage, () => window.ganplay.overview.shapes.z, null, 'image diagram at 360 px');
  const fitImg = await imgPage.evaluate(() => {
    const r = document.querySelector('#overview-image svg').getBoundingClientRect();
    return { left: r.left, right: r.right, width: r.width, scroll: document.documentElement.scrollWidth };
  });
  check(fitImg.left >= 0 && fitImg.right <= 360 && fitImg.scroll <= 360 && fitImg.width > 280,
    'at 360 px the image mode’s diagram lies within the screen’s width', JSON.stringify(fitImg));
  await imgPage.locator('#overview-image').scrollIntoViewIfNeeded();
  await imgPage.screenshot({ path: path.join(SHOTS, 'overview-image-360.png') });
  check(imgPage.errors.length === 0 && page.errors.length === 0, 'no console errors at 360 px', imgPage.errors.concat(page.errors).join(' | '));
  await context.close();
}

const shapesOf = (m) => {
  const img = [m.batch, m.channels, m.height, m.width].join('×');
  return { z: `${m.batch}×${m.latent}`, fake: img, real: img, ...(m.hasD ? { d: `${m.batch}×1` } : {}),
    ...(m.classes > 0 ? { y: `${m.batch}×${m.classes}` } : {}) };
};
const sameShapes = (s, m) => Object.entries(shapesOf(m)).every(([k, v]) => s[k] === v) && (m.classes > 0) === ('y' in s) && m.hasD === ('d' in s);

async function image(browser, site, manifest) {
  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  await waitFor(page, () => window.ganplay.overview.shapes.z && window.ganplay.state.model, null, 'the image diagram has its shapes');
  let info = await page.evaluate(() => window.ganplay.debug.modelInfo());
  let o = await ovImage(page);
  const parts = await drawnParts(page, 'overview-image');
  check(info.name === manifest.models[0].name && o.shapes.z === '64×100' && o.shapes.fake === '64×1×28×28' && o.shapes.real === '64×1×28×28' &&
    o.shapes.y === '64×10' && !info.hasD && !o.shapes.d && sameShapes(o.shapes, info),
  `the image diagram shows the shapes of “${info.name}”: z 64×100, y 64×10, G(z) and x 64×1×28×28, as the engine’s model info says`,
  JSON.stringify(o.shapes));
  check(JSON.stringify(parts.map((p) => p.part)) === '["z","y","g","fake","real","d","dloss","gloss"]' &&
    parts.every((p) => p.tabindex === '0' && p.label.length > 3) && parts.find((p) => p.part === 'z').lines.includes('64×100') &&
    parts.find((p) => p.part === 'd').lines.includes('not in this file') &&
    await page.$$eval('#overview-image .ov-absent', (g) => g.map((x) => x.dataset.part).join()) === 'd,dloss,gloss',
  'the conditional generator’s diagram has the class label y, each part named; D and the losses are marked as not in the file',
  parts.map((p) => p.lines.join(' ')).join(' | '));

  // steps: the flow and the numbers follow the engine
  await page.click('#step');
  await waitFor(page, () => window.ganplay.state.step === 1 && !window.ganplay.overview.moving && window.ganplay.overview.shown.g === 1,
    null, 'one training step flows');
  o = await ovImage(page);
  const r = await page.evaluate(() => ({ dloss: document.getElementById('r-dloss').textContent, gloss: document.getElementById('r-gloss').textContent,
    dreal: document.getElementById('r-dreal').textContent, dfake: document.getElementById('r-dfake').textContent }));
  check(o.pulses === 2 && o.shown.d === 1 && o.numbers.dLoss === r.dloss && o.numbers.gLoss === r.gloss && o.numbers.dReal === r.dreal &&
    o.numbers.dFake === r.dfake && r.dloss !== '–', 'One step plays a D and a G pulse; the diagram’s numbers are the readouts’',
  `${JSON.stringify(o.numbers)} vs ${JSON.stringify(r)}`);
  info = await page.evaluate(() => window.ganplay.debug.modelInfo());
  const dParts = await drawnParts(page, 'overview-image');
  check(info.hasD && o.shapes.d === `${info.batch}×1` && sameShapes(o.shapes, info) && dParts.find((p) => p.part === 'dloss').lines.includes('scalar') &&
    await page.$$eval('#overview-image .ov-absent', (g) => g.length) === 0,
  'the model One step made has D: its output batch × 1, the losses scalars, the shapes the engine’s', `${JSON.stringify(o.shapes)}; batch ${info.batch}`);
  await page.click('#start');
  await waitFor(page, (p) => window.ganplay.state.running && window.ganplay.state.step > 4 && window.ganplay.overview.pulses > p + 2,
    o.pulses, 'the flow follows the steps while training', 120000);
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running && !window.ganplay.overview.moving &&
    window.ganplay.overview.shown.g === window.ganplay.state.step && window.ganplay.overview.shown.d === window.ganplay.state.dStep,
  null, 'the flow stops after the pause');
  const stopped = await ovImage(page);
  await frames(page, 30);
  const later = await ovImage(page);
  check(later.pulses === stopped.pulses && later.frames === stopped.frames && stopped.pulses > 4,
    'paused, the image mode’s flow stands still', `pulses ${stopped.pulses}, frames ${stopped.frames}`);
  await page.locator('#train').screenshot({ path: path.join(SHOTS, 'overview-image-1280.png') });

  // another model: other shapes (an unconditional one has no y; the emoji are in colour)
  let trained = true; // the first switch replaces the training on show: the page asks first
  for (const want of [(m) => m.dataset === 'emoji', (m) => m.file.endsWith('mnist-dcgan.gpm')]) {
    const i = manifest.models.findIndex(want);
    if (!check(i >= 0, 'the model to switch to is shipped')) continue;
    await page.selectOption('#model-pick', String(i));
    if (trained) await answerReplace(page, 'yes');
    trained = false;
    await waitFor(page, (name) => window.ganplay.state.model.name === name, manifest.models[i].name, `${manifest.models[i].name} on show`, 60000);
    await waitFor(page, () => window.ganplay.overview.shapes.z, null, 'shapes');
    info = await page.evaluate(() => window.ganplay.debug.modelInfo());
    o = await ovImage(page);
    const drawn = await drawnParts(page, 'overview-image');
    check(sameShapes(o.shapes, info) && drawn.some((p) => p.part === 'y') === info.classes > 0 &&
      drawn.find((p) => p.part === 'fake').lines.includes(shapesOf(info).fake),
    `another model, other shapes: “${info.name}” shows ${JSON.stringify(o.shapes)}`);
  }
  // a screenshot at 1920
  await page.setViewportSize({ width: 1920, height: 1080 });
  await frames(page, 2);
  await page.locator('#train').screenshot({ path: path.join(SHOTS, 'overview-image-1920.png') });
  check(page.errors.length === 0, 'no console errors in the image mode', page.errors.join(' | '));
  await context.close();
}

// In Chinese the diagram speaks Chinese (its words come from the tables).
async function chinese(browser, site) {
  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  await open2d(page, site, '#view=2d&dist=ring&lang=zh-CN');
  const parts = await drawnParts(page, 'overview-2d');
  const real = parts.find((p) => p.part === 'real');
  check(real.lines[0] === '真实 x' && /真实数据/.test(real.label) && !parts.some((p) => /⟦/.test(p.label + p.lines.join(''))),
    'with lang=zh-CN the diagram’s words are Chinese', parts.map((p) => p.label).join(' | '));
  await context.close();
}

export async function run({ browser, site, manifest }) {
  await twoD(browser, site);
  await narrow(browser, site);
  await image(browser, site, manifest);
  await chinese(browser, site);
}
