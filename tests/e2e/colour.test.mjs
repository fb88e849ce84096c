// Colour, as a visitor meets it: the first view fetches nothing of the
// emoji (data, model, classifier) and the service worker does not keep them
// at install; the emoji generator samples in colour and names the nine
// categories; a held-out emoji projects and the result, the strip and the
// nearest training images are in colour; Emoji and Start trains a 3x32x32
// model whose grid, timeline and real/fake view are in colour; your own
// colour pictures become colour thumbnails and a colour model trains on them.
import path from 'node:path';
import { SHOTS, answerReplace, canvasInfo, check, newContext, newPage, state, waitFor, waitReady } from './helpers.mjs';

const EMOJI = /emoji/;

// Pixels whose channels differ (R, G, B not all equal): a canvas in colour has some, a gray one none.
const colourPixels = (page, id) => page.evaluate((id) => {
  const c = document.getElementById(id), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) n++;
  return n;
}, id);

// The shipped emoji generator, picked from the Model list.
async function showEmojiModel(page, manifest) {
  const i = manifest.models.findIndex((m) => m.dataset === 'emoji');
  if (!check(i >= 0, 'the emoji generator is in the Model list')) return false;
  await page.selectOption('#model-pick', String(i));
  return waitFor(page, (name) => window.ganplay.state.model.name === name, manifest.models[i].name, 'the emoji model on show', 30000);
}

// count small PNGs, each a coloured disc on a tinted background, made by the page's canvas.
const colourPngs = (page, count) => page.evaluate(async (count) => {
  const out = [];
  for (let k = 0; k < count; k++) {
    const c = document.createElement('canvas');
    c.width = c.height = 48;
    const ctx = c.getContext('2d');
    ctx.fillStyle = `hsl(${(k * 37) % 360}, 60%, 85%)`;
    ctx.fillRect(0, 0, 48, 48);
    ctx.fillStyle = `hsl(${(k * 37 + 180) % 360}, 90%, 45%)`;
    ctx.beginPath();
    ctx.arc(24, 24, 10 + k, 0, 2 * Math.PI);
    ctx.fill();
    const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
    out.push(Array.from(new Uint8Array(await blob.arrayBuffer())));
  }
  return out;
}, count);

export async function run({ browser, site, manifest }) {
  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname.replace(/^.*\/site\//, '')));
  try {
    // the first view: samples, MNIST and its classifier, and nothing of the emoji
    await page.goto(site);
    await waitReady(page);
    await waitFor(page, () => window.ganplay.state.firstGridAt !== null && window.ganplay.state.dataset &&
      window.ganplay.state.dataset.fd, null, 'first samples, MNIST and its classifier');
    const sw = await page.evaluate(async () => (await (await fetch('sw.js')).text()).match(/^const BUILD = (.*);$/m)[1]);
    const build = JSON.parse(sw);
    check(!fetched.some((f) => EMOJI.test(f)) && fetched.includes('data/mnist.bin.gz'),
      'the first view fetches none of the emoji data, model or classifier', fetched.filter((f) => !f.startsWith('js/')).join(', '));
    check(!build.files.some((f) => EMOJI.test(f)) && build.later.includes('data/emoji32.bin.gz'),
      'the service worker keeps the emoji files only once they are used, not at install', build.later.filter((f) => EMOJI.test(f)).join(', '));
    check(await page.isVisible('#credits') && /Noto Emoji \(Google, Apache License 2\.0\).*Twemoji graphics \(Twitter, CC-BY 4\.0\).*emoji-datasource \(MIT\)/s
      .test(await page.textContent('#credits')), 'the page credits the emoji sets with their licences');

    // the emoji generator samples in colour; its classes are the nine categories, named in full
    if (await showEmojiModel(page, manifest)) {
      await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'emoji', null,
        'the emoji data comes with the emoji model', 60000);
      const grids = (await state(page)).grids;
      await waitFor(page, (n) => window.ganplay.state.grids >= n, grids, 'the grid drawn');
      const grid = await canvasInfo(page, 'grid'), s = await state(page);
      check(s.model.channels === 3 && s.model.height === 32 && grid.w === 8 * 34 + 2 && await colourPixels(page, 'grid') > 1000,
        'the emoji generator samples 3x32x32 images, drawn in colour', `${grid.w}x${grid.h}, ${grid.colored} strongly coloured pixels`);
      const options = await page.$$eval('#class-pick option', (o) => o.map((x) => x.textContent));
      check(options.length === 10 && options[1] === 'Smileys & Emotion' && options[9] === 'Flags',
        'the class picker names the nine emoji categories', options.join(', '));
      check(fetched.includes('data/emoji32.bin.gz'), 'the emoji data is fetched once it is asked for');
      // edit: a held-out emoji projected; the strip, the result and the nearest training images in colour
      await page.click('#edit-real');
      await waitFor(page, () => /held-out/.test(window.ganplay.state.edit.status), null, 'a held-out emoji on the pad');
      check(await colourPixels(page, 'edit-pad') > 1000, 'the held-out emoji is on the pad in colour');
      const n = (await state(page)).edit.projections;
      await page.click('#edit-project');
      await waitFor(page, (k) => window.ganplay.state.edit.projections > k && window.ganplay.state.edit.nearest &&
        !document.getElementById('edit-project').disabled, n, 'the emoji projected', 120000);
      const e = (await state(page)).edit, strip = await canvasInfo(page, 'edit-strip');
      check(e.projections === n + 1 && Number.isFinite(e.loss) && strip.w === 12 * 34 + 2 && await colourPixels(page, 'edit-result') > 300 &&
        await colourPixels(page, 'edit-strip') > 3000 && await colourPixels(page, 'edit-near-pixels') > 1000,
      'a held-out emoji projects: the strip, the result and the nearest training images are in colour',
      `loss ${e.loss}, strip ${strip.w}x${strip.h}`);
    }

    // a digit model in training, then Emoji: the next model takes the emoji recipe, and Start asks
    // before it replaces the digit model with a new 3x32x32 one
    await page.selectOption('#dataset', 'mnist');
    await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'mnist', null, 'MNIST data');
    await page.click('#start');
    await waitFor(page, () => window.ganplay.state.step >= 2 && window.ganplay.state.model.hasD, null, 'a digit model trains', 120000);
    await page.click('#pause');
    await waitFor(page, () => !window.ganplay.state.running, null, 'training pauses');
    // Emoji and Start: a new 3x32x32 model trains; the grid, the timeline and D's view are in colour
    await page.selectOption('#dataset', 'emoji');
    await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'emoji' &&
      window.ganplay.state.dataset.image && window.ganplay.state.dataset.image.channels === 3, null, 'emoji data');
    const recipe = await waitFor(page, () => window.ganplay.state.emojiRecipe === true, null, 'the emoji recipe chosen');
    const note = await page.textContent('#train-note');
    check(recipe && /DCGAN with the shipped emoji generator’s recipe/.test(note),
      'choosing Emoji makes the next model the emoji recipe: the DCGAN as ACGAN', note);
    await page.click('#start');
    const asked = await answerReplace(page); // the digit model in training is replaced only if the person says so
    check(/A new model for Emoji \(colour 32x32 images\) replaces the training on show/.test(asked),
      'Start on Emoji with a digit model in training asks before replacing it', asked);
    await waitFor(page, () => window.ganplay.state.running && window.ganplay.state.step >= 3 && window.ganplay.state.snapshots > 0,
      null, 'Emoji: training starts', 120000);
    await page.click('#pause');
    await waitFor(page, () => !window.ganplay.state.running, null, 'training pauses');
    await waitFor(page, () => window.ganplay.state.realFakes > 0, null, 'the real/fake view drawn');
    let s = await state(page);
    const title = await page.textContent('#fd-title');
    check(s.model.hasD && s.model.channels === 3 && s.model.width === 32 && s.step >= 3 && s.errors.length === 0 &&
      await colourPixels(page, 'grid') > 1000 && await colourPixels(page, 'timeline-grid') > 1000 &&
      (await canvasInfo(page, 'timeline-grid')).w === 8 * 34 + 2 && // the whole grid of 32x32 images, not a 28x28 one's corner
      await colourPixels(page, 'real') > 500 && await colourPixels(page, 'fake') > 500 && (!s.dataset.fd || title === 'Emoji FD'),
    'Emoji and Start trains a 3x32x32 model: grid, timeline and real/fake in colour', `step ${s.step}, ${s.model.name}, FD title ${title}`);
    const plain = await canvasInfo(page, 'real');
    await page.check('#rf-saliency');
    await waitFor(page, () => window.ganplay.state.realFakeSaliency, null, 'the saliency drawn');
    const heat = await canvasInfo(page, 'real');
    check(heat.hash !== plain.hash && await colourPixels(page, 'real') > 500, 'D\'s heat lies over the colour images');
    await page.uncheck('#rf-saliency');
    await waitFor(page, () => window.ganplay.state.realFakeSaliency === false, null, 'the saliency off');

    // your own colour pictures: colour thumbnails, a colour dataset, a colour model trains on it
    await page.selectOption('#dataset', 'own');
    await page.selectOption('#own-kind', '3');
    const pngs = await colourPngs(page, 10);
    await page.setInputFiles('#own-files', pngs.map((b, i) => ({ name: `c${i}.png`, mimeType: 'image/png', buffer: Buffer.from(b) })));
    await waitFor(page, () => /10 images/.test(document.getElementById('own-count').textContent) &&
      document.getElementById('own-thumbs').dataset.shown === '10', null, 'ten colour pictures added');
    const thumbs = await canvasInfo(page, 'own-thumbs');
    check(thumbs.w === 5 * 38 && thumbs.colored > 1000, 'the thumbnails of colour pictures are 32x32 and in colour',
      `${thumbs.w}x${thumbs.h}, ${thumbs.colored} strongly coloured pixels`);
    await page.click('#own-use');
    await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'own', null, 'own colour data in use');
    await page.click('#reset');
    await answerReplace(page);
    await waitFor(page, () => window.ganplay.state.model.channels === 3 && window.ganplay.state.step === 0, null, 'a new colour model');
    await page.click('#start');
    await waitFor(page, () => window.ganplay.state.running && window.ganplay.state.step >= 3, null, 'own colour images: training', 120000);
    await page.click('#pause');
    await waitFor(page, () => !window.ganplay.state.running, null, 'training pauses');
    s = await state(page);
    check(s.dataset.count === 10 && s.model.channels === 3 && s.model.height === 32 && s.step >= 3 &&
      await colourPixels(page, 'real') > 500 && await colourPixels(page, 'grid') > 1000,
    'a 3x32x32 model trains on your own colour pictures; its held-out pictures are shown in colour', `step ${s.step}`);
    check(s.errors.length === 0 && page.errors.length === 0, 'no errors', [...s.errors, ...page.errors].join('; '));
    await (await page.$('#samples')).screenshot({ path: path.join(SHOTS, 'colour-own.png') });
  } finally {
    await context.close();
  }
}
