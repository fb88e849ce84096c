// Your own images: drawings on the pad and image files become a dataset in
// the browser; fewer than 10 are refused; a model trains on them.
import { canvasInfo, check, newContext, newPage, state, waitFor, waitReady } from './helpers.mjs';

async function draw(page, k) {
  await page.locator('#pad').scrollIntoViewIfNeeded(); // a stroke off the screen reaches no canvas
  const box = await page.locator('#pad').boundingBox();
  const x0 = box.x + box.width * (0.3 + 0.04 * (k % 5)), y0 = box.y + box.height * 0.2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + box.width * 0.15, y0 + box.height * 0.3, { steps: 4 });
  await page.mouse.move(x0 - box.width * 0.05 * (k % 3), y0 + box.height * 0.6, { steps: 4 });
  await page.mouse.up();
  await page.click('#pad-add');
}

export async function run({ browser, site }) {
  const context = await newContext(browser);
  // "your own images" chosen at once is not undone when MNIST and the classifier finish loading
  const early = await newPage(context);
  await early.goto(site);
  await early.waitForSelector('#dataset');
  await early.selectOption('#dataset', 'own');
  await waitFor(early, () => window.ganplay.state.dataset && window.ganplay.state.dataset.fd, null, 'early: MNIST and the classifier loaded');
  check((await early.inputValue('#dataset')) === 'own' && await early.isVisible('#pad'),
    'choosing "your own images" in the first second stays chosen after the loads finish');
  await early.close();
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  // MNIST in, with D's view of its held-out images (drawn once it is loaded)
  await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.realFakes > 0, null, 'dataset loaded and shown');
  const mnistReal = await canvasInfo(page, 'real');

  // Fashion-MNIST, unpacked in the browser; the address remembers it; D's
  // view of the held-out images follows the new data
  const views = (await state(page)).realFakes || 0;
  await page.selectOption('#dataset', 'fashion');
  await waitFor(page, (n) => window.ganplay.state.dataset.id === 'fashion' && window.ganplay.state.realFakes > n, views,
    'fashion loaded and its held-out images shown', 30000);
  let s = await state(page);
  check(s.dataset.count === 10000 && s.dataset.heldOut === 2000 && (await canvasInfo(page, 'real')).hash !== mnistReal.hash,
    'Fashion-MNIST loads (10000 images, 2000 held out) and its held-out images are shown', s.dataset.name);
  await waitFor(page, () => window.ganplay.state.dataset.fd, null, 'the Fashion-MNIST classifier loaded');
  check(/dataset=fashion/.test(page.url()) && await page.isVisible('#fd-figure') && (await page.textContent('#fd-title')) === 'Clothes FD',
    'the address says fashion; the FD is measured with the Fashion-MNIST classifier');

  await page.selectOption('#dataset', 'own');
  check(await page.isVisible('#pad'), 'choosing "your own" shows the drawing pad');
  for (let k = 0; k < 8; k++) await draw(page, k);
  // two image files (a picture of the pad, light strokes on dark)
  await draw(page, 9);
  const shot = await page.locator('#pad').screenshot();
  await page.click('#pad-clear');
  await page.setInputFiles('#own-files', [{ name: 'a.png', mimeType: 'image/png', buffer: shot }]);
  await waitFor(page, () => /10 images/.test(document.getElementById('own-count').textContent), null, 'file added');
  const count = await page.textContent('#own-count');
  check(/10 images/.test(count), 'drawings and image files are added', count);
  // remove down to 9 is not possible from the page; use a fresh list: 9 drawings
  await page.click('#own-clear');
  for (let k = 0; k < 9; k++) await draw(page, k);
  await page.click('#own-use');
  const refusal = await page.textContent('#own-msg');
  check(/at least 10/.test(refusal) && (await state(page)).dataset.id === 'fashion', 'nine images are refused with a message', refusal);
  await draw(page, 9);
  await page.setInputFiles('#own-files', [{ name: 'a.png', mimeType: 'image/png', buffer: shot }, { name: 'b.png', mimeType: 'image/png', buffer: shot }]);
  await waitFor(page, () => /12 images/.test(document.getElementById('own-count').textContent), null, '12 images');
  await page.click('#own-use');
  await waitFor(page, () => window.ganplay.state.dataset && window.ganplay.state.dataset.id === 'own', null, 'own dataset in use');
  s = await state(page);
  check(s.dataset.count === 12 && s.dataset.heldOut === 2, 'twelve images make a dataset with two held out', await page.textContent('#own-msg'));
  await page.click('#start');
  await waitFor(page, () => window.ganplay.state.model.hasD && window.ganplay.state.step >= 5, null, 'trains on own images');
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running, null, 'paused');
  s = await state(page);
  const real = await canvasInfo(page, 'real');
  check(s.step >= 5 && Number.isFinite(s.dLoss) && real.std > 10, 'a model trains on them; the real images shown are the held-out drawings',
    `step ${s.step}, real std ${real.std.toFixed(1)}`);

  // dark ink on a light page trains as the same light-on-dark images: the held-out panel looks the same
  const inverted = Buffer.from(await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height);
    for (let i = 0; i < d.data.length; i += 4) for (let k = 0; k < 3; k++) d.data[i + k] = 255 - d.data[i + k];
    ctx.putImageData(d, 0, 0);
    return c.toDataURL('image/png').split(',')[1];
  }, shot.toString('base64')), 'base64');
  const heldOutOf = async (png, what) => {
    await page.click('#own-clear');
    await page.setInputFiles('#own-files', Array.from({ length: 10 }, (_, i) => ({ name: `${what}${i}.png`, mimeType: 'image/png', buffer: png })));
    await waitFor(page, () => /10 images/.test(document.getElementById('own-count').textContent), null, `${what}: 10 files`);
    const shown = (await state(page)).realFakes;
    await page.click('#own-use');
    // D's view of the new held-out images comes before the engine's answer
    await waitFor(page, (n) => window.ganplay.state.realFakes > n && window.ganplay.state.dataset.count === 10, shown, `${what}: in use`);
    return canvasInfo(page, 'real');
  };
  const light = await heldOutOf(shot, 'light');
  const dark = await heldOutOf(inverted, 'dark');
  check(Math.abs(light.mean - dark.mean) < 1.5 && Math.abs(light.std - dark.std) < 1.5 && light.mean < 100,
    'dark ink on a light page is inverted: its held-out images look like the light-on-dark ones',
    `mean ${light.mean.toFixed(1)} vs ${dark.mean.toFixed(1)}, std ${light.std.toFixed(1)} vs ${dark.std.toFixed(1)}`);
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  await context.close();
}
