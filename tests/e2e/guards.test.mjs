// What the page refuses or keeps, checked on values: the shipped generator
// alone has no D, so "Show what D looks at" is off and says why, and the
// caption claims no D numbers (both come back once a model with D trains);
// "Add drawing" on an empty pad adds nothing and says so; mask strokes
// painted while a held-out digit loads are kept; a dark-on-light upload is
// shown in the thumbnails as it is trained on (light on dark). Screenshots
// at 1280, 1920 and 360 px.
import path from 'node:path';
import { SHOTS, canvasInfo, check, newContext, newPage, state, trainUntil, waitDataset, waitFor, waitReady } from './helpers.mjs';

const judge = (page) => page.evaluate(() => ({
  disabled: document.getElementById('rf-saliency').disabled,
  checked: document.getElementById('rf-saliency').checked,
  why: document.getElementById('rf-saliency-explain').textContent,
  caption: document.getElementById('rf-explain').textContent,
}));

export async function run({ browser, site }) {
  for (const width of [1280, 1920, 360]) {
    const context = await newContext(browser, { width, height: 900 });
    const page = await newPage(context);
    await page.goto(site);
    await waitReady(page);
    await waitFor(page, () => window.ganplay.state.model && window.ganplay.state.realFakes > 0, null, `${width}: a model and its real/fake view`);
    const s = await state(page);
    check(!s.model.hasD, `${width}: the shipped model is a generator alone`, JSON.stringify(s.model).slice(0, 200));
    const j = await judge(page);
    check(j.disabled && !j.checked && /has no discriminator; train or load a full training state to see what D looks at/.test(j.why),
      `${width}: with no D, "Show what D looks at" is off and says why`, j.why);
    check(!/D’s probability|D's probability/.test(j.caption) && /no discriminator/.test(j.caption),
      `${width}: with no D, the caption claims no D numbers`, j.caption);
    await (await page.$('#real-box')).evaluate((e) => e.closest('div:not(.scored):not(.pair)').scrollIntoView());
    await page.screenshot({ path: path.join(SHOTS, `guards-noD-${width}.png`) });
    if (width !== 1280) {
      // the empty-pad refusal and the thumbnails, for the screenshots
      await page.selectOption('#dataset', 'own');
      await page.click('#pad-add');
      await (await page.$('#own')).screenshot({ path: path.join(SHOTS, `guards-own-${width}.png`) });
      await context.close();
      continue;
    }

    // "Add drawing" on an empty pad: refused, nothing counted
    await waitDataset(page);
    await page.selectOption('#dataset', 'own');
    await page.click('#pad-add');
    const count = await page.textContent('#own-count'), msg = await page.textContent('#own-msg');
    check(/No images yet/.test(count) && /empty/.test(msg), 'Add drawing on an empty pad adds nothing and says why', `${count} / ${msg}`);

    // a dark-on-light picture file: its thumbnail is light on dark, as trained on
    const png = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = c.height = 56;
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 56, 56);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 8;
      ctx.beginPath();
      ctx.moveTo(28, 8);
      ctx.lineTo(28, 48);
      ctx.stroke();
      return c.toDataURL('image/png').split(',')[1];
    });
    await page.setInputFiles('#own-files', [{ name: 'ink.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') }]);
    await waitFor(page, () => /1 image/.test(document.getElementById('own-count').textContent) &&
      document.getElementById('own-thumbs').dataset.shown === '1', null, 'the file added and its thumbnail drawn');
    const thumb = await page.evaluate(() => {
      const d = document.getElementById('own-thumbs').getContext('2d').getImageData(2, 2, 28, 28).data;
      const at = (x, y) => d[4 * (y * 28 + x)];
      return { corner: at(1, 1), edge: at(3, 14), middle: at(14, 14) };
    });
    check(thumb.corner < 40 && thumb.edge < 40 && thumb.middle > 200,
      'a dark-on-light upload is shown inverted in the thumbnails (dark page, light stroke)', JSON.stringify(thumb));
    // a second row of thumbnails is set apart from the first as the columns are (6 px of background)
    await page.setInputFiles('#own-files', Array.from({ length: 5 }, (_, k) =>
      ({ name: `ink${k}.png`, mimeType: 'image/png', buffer: Buffer.from(png, 'base64') })));
    await waitFor(page, () => document.getElementById('own-thumbs').dataset.shown === '6', null, 'six thumbnails drawn');
    const rows = await page.evaluate(() => {
      const c = document.getElementById('own-thumbs'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const at = (x, y) => d[4 * (y * c.width + x)];
      const column = (x0) => Array.from({ length: 6 }, (_, k) => at(x0 + 3, 30 + k));
      return { between: column(2), sixth: at(2 + 1, 36 + 1), gapColumn: at(31, 14) };
    });
    check(rows.between.every((v) => v === rows.gapColumn) && rows.sixth < 40,
      'the thumbnails\' two rows are 6 px apart, as their columns are', JSON.stringify(rows));
    await page.click('#own-clear');
    await page.selectOption('#dataset', 'mnist');
    await waitDataset(page);

    // mask strokes painted while a held-out digit loads are kept
    await page.evaluate(() => {
      const e = window.ganplay.engine, call = e.call.bind(e);
      window.__gate = new Promise((r) => (window.__open = r));
      e.call = (type, ...a) => (type === 'editReal' ? window.__gate.then(() => call(type, ...a)) : call(type, ...a));
    });
    await page.click('#edit-real');
    await page.check('input[name="edit-brush"][value="mask"]');
    const box = await page.locator('#edit-pad').boundingBox();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3, { steps: 5 });
    await page.mouse.up();
    await page.evaluate(() => window.__open());
    await waitFor(page, () => /held-out/.test(window.ganplay.state.edit.status), null, 'the held-out digit arrives');
    const pad = await canvasInfo(page, 'edit-pad');
    check((await state(page)).edit.masked && pad.colored > 0, 'mask strokes painted while a held-out digit loads are kept',
      `masked ${(await state(page)).edit.masked}, tinted pixels ${pad.colored}`);
    await page.check('input[name="edit-brush"][value="ink"]');

    // a model with D: the control and the caption come back
    await trainUntil(page, 2);
    await waitFor(page, () => !document.getElementById('rf-saliency').disabled, null, 'with D, the control is on offer');
    const k = await judge(page);
    check(!k.disabled && !/no discriminator/.test(k.why) && !/no discriminator/.test(k.caption),
      'a model in training has D: "Show what D looks at" is on offer and the caption is D\'s', k.caption);
    await context.close();
  }
}
