// Explore's directions with a meaning, on the shipped conditional MNIST
// generator: the engine fits and measures them when the model is on show;
// the sliders are the offered ones, named, each with its strip and the
// figures the engine measured (checked against its answer); thickness
// moves the ink of the kept sample, in the steered image and along its
// strip; the ones not offered are listed with why; Edit moves along the
// same directions; at 360 px nothing overflows.
import path from 'node:path';
import { SHOTS, asked, canvasInfo, check, newContext, newPage, redrawn, state, trainUntil, waitFor, waitReady } from './helpers.mjs';


async function setSlider(page, id, value) {
  const before = await asked(page);
  await page.$eval(`#${id}`, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, String(value));
  await redrawn(page, before, `${id} at ${value}`);
}

// Mean brightness of each of the n cells of a one-row strip canvas (cells PAD apart and around).
function stripMeans(page, canvas, n) {
  return page.evaluate(([c, n]) => {
    const ctx = c.getContext('2d'), pad = 2, cell = (c.width - pad) / n;
    const out = [];
    for (let k = 0; k < n; k++) {
      const d = ctx.getImageData(Math.round(pad + k * cell), pad, Math.round(cell - pad), c.height - 2 * pad).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i];
      out.push(sum / (d.length / 4));
    }
    return out;
  }, [canvas, n]);
}

const fmt = (v) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));

export async function run({ browser, site }) {
  for (const width of [1280, 360]) {
    const context = await newContext(browser, { width, height: 900 });
    const page = await newPage(context);
    await page.goto(site);
    await waitReady(page);
    await waitFor(page, () => window.ganplay.state.directionsFound > 0, null, `directions found (${width} px)`, 120000);
    const before = await asked(page);
    await redrawn(page, before - 1, 'explore drawn with the directions');
    const s = await state(page);
    const found = s.directions;
    const offered = found.directions.map((d, k) => ({ ...d, k })).filter((d) => d.offered);
    const names = offered.map((d) => d.name);
    const rows = await page.$$eval('.dir-row', (els) => els.map((r) => ({
      name: r.dataset.name, label: r.querySelector('label').textContent, facts: r.querySelector('.dir-facts').textContent,
      strip: r.querySelector('canvas').width, min: r.querySelector('input').min, max: r.querySelector('input').max,
    })));
    if (width === 1280) {
      check(found.model === s.model.name && found.step === s.model.step && found.classifier === true &&
        found.count === found.directions.length,
      'the directions belong to the model on show, measured with its classifier', `${found.model} step ${found.step}`);
      check(names.includes('thickness') && names.includes('slant') && found.directions.some((d) => d.kind === 'principal'),
        'the shipped conditional digits offer thickness and slant, and principal directions', names.join(', '));
      check(rows.length === offered.length && rows.every((r, i) => r.name === names[i] && r.label === names[i] &&
        r.min === String(-offered[i].range) && r.max === String(offered[i].range) && r.strip > 0) &&
        ['thickness', 'slant'].every((n) => offered.find((d) => d.name === n).range === 2),
      'a slider with its strip per offered direction, named, over the range it passed (thickness, slant: -2..2)',
      rows.map((r) => `${r.name} ${r.min}..${r.max}`).join(', '));
      // every figure shown is the engine's
      const pct = (v) => `${(100 * v).toFixed(1)}%`;
      const shown = offered.every((d, i) => {
        const f = rows[i].facts, v = d.in_range;
        return d.at.every((x) => f.includes(fmt(x))) && f.includes(`Offered over ±${d.range}`) && f.includes(pct(v.monotonicity)) &&
          f.includes(pct(v.class_retention)) && f.includes(pct(v.class_read_ends[0])) && f.includes(pct(v.class_read_ends[1])) &&
          f.includes(pct(d.class_read_at_0));
      });
      check(shown, 'each direction shows the figures the engine measured', rows[0].facts);
      check(offered.every((d) => d.in_range.monotonicity >= 0.5 && d.in_range.class_retention >= 0.9) &&
        found.directions.every((d) => d.offered === (d.range > 0)),
      'only directions that pass their measure are offered');
      const failedShown = await page.$$eval('#dirs-failed-list li', (els) => els.map((e) => e.textContent));
      const failed = found.directions.filter((d) => !d.offered);
      check(failedShown.length === failed.length && failed.every((d, i) => failedShown[i].startsWith(`${d.name}:`)) &&
        (await page.isHidden('#dirs-failed')) === (failed.length === 0),
      'the directions not offered are listed with why', failedShown.join(' | ') || 'none failed');
      const status = await page.textContent('#dirs-status');
      check(status.includes(`step ${found.step}`) && status.includes(`${found.fit_samples} samples`) &&
        status.includes(`${found.measure_samples} fresh`), 'the status says what the figures were measured on', status);

      // thickness: more ink in the steered sample at +2 than at -2, and rising along its strip
      const t = offered.find((d) => d.name === 'thickness');
      await setSlider(page, `dir-${t.k}`, 2);
      const thick = await canvasInfo(page, 'steered');
      await setSlider(page, `dir-${t.k}`, -2);
      const thin = await canvasInfo(page, 'steered');
      check(thick.mean > thin.mean * 1.25, 'thickness +2 draws the kept sample with more ink than -2',
        `mean ${thin.mean.toFixed(1)} -> ${thick.mean.toFixed(1)}`);
      await setSlider(page, `dir-${t.k}`, 0);
      const strip = await page.$(`.dir-row[data-name="thickness"] canvas`);
      const means = await stripMeans(page, strip, 5);
      check(means.every((v, i) => i === 0 || v > means[i - 1]), 'the thickness strip gains ink from -2 to +2',
        means.map((v) => v.toFixed(1)).join(' '));
      // Edit moves its result along the same directions
      const editNames = await page.$$eval('#edit-dir option', (els) => els.map((o) => o.textContent));
      check(JSON.stringify(editNames) === JSON.stringify(names), 'Edit offers the same directions', editNames.join(', '));
      // the picture for the README: an 8 kept (sample 8 of classes in turn), along its directions
      const box = await page.locator('#grid').boundingBox();
      const at = (v, size) => ((2 + 30 * v + 15) / 242) * size;
      const b8 = await asked(page);
      await page.mouse.click(box.x + at(0, box.width), box.y + at(1, box.height));
      await redrawn(page, b8, 'an 8 kept');
      await (await page.$('#explore')).screenshot({ path: path.join(SHOTS, 'directions.png') });

      // a model in training: its directions are found when asked, for the step it is at
      const n = (await state(page)).directionsFound;
      const paused = await trainUntil(page, 30);
      const rowsNow = await page.$$eval('.dir-row', (els) => els.length);
      const said = await page.textContent('#dirs-status');
      check(rowsNow === 0 && /Measure/.test(said) && (await page.textContent('#dirs-find')) === 'Measure' &&
        !(await page.isDisabled('#dirs-find')) && (await state(page)).directionsFound === n,
      'a new model in training drops the sliders of the one before and waits to be measured', said);
      await page.click('#dirs-find');
      await waitFor(page, (k) => window.ganplay.state.directionsFound > k, n, 'the trained model measured', 120000);
      const after = await state(page);
      const now = await page.textContent('#dirs-status');
      check(after.directions.step === paused.step && after.directions.epoch === after.model.epoch &&
        now.includes(`step ${paused.step}`), 'the directions found belong to the step the model is at', now);
    } else {
      const over = await page.evaluate(() => {
        const e = document.getElementById('explore');
        return { doc: document.documentElement.scrollWidth - window.innerWidth, box: e.scrollWidth - e.clientWidth };
      });
      check(rows.length > 0 && over.doc <= 0 && over.box <= 0, 'at 360 px the directions fit the width',
        JSON.stringify(over));
      await (await page.$('#explore')).screenshot({ path: path.join(SHOTS, 'directions-360.png') });
    }
    check(page.errors.length === 0, `no console errors (${width} px)`, page.errors.join(' | '));
    await context.close();
  }
}
