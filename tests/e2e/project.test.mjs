// A projection in progress, as a visitor sees it: the bar says the step the
// engine reported ("step i of n"), a second projection is refused while one
// runs, Cancel stops it with a message and leaves the picture, the mask,
// the strip and the latent of the last result as they were (the result
// redrawn from its latent row is the same image), the bar goes away, and
// the next projection completes with its result in the strip. Screenshots
// of the bar mid-projection at 1280, 1920 and 360 px.
import path from 'node:path';
import { SHOTS, canvasInfo, check, newContext, newPage, state, waitDataset, waitFor, waitReady } from './helpers.mjs';

// Waits until the worker has reported some steps but not all.
const midway = (page, what) => waitFor(page, () => {
  const p = window.ganplay.state.edit.progress;
  return p && p.step > 0 && p.step < p.steps;
}, null, what, 60000);

// The bar as shown, and the worker's last report, read at one moment.
const shown = (page) => page.evaluate(() => ({
  reported: window.ganplay.state.edit.progress,
  value: document.getElementById('edit-progress').value,
  max: document.getElementById('edit-progress').max,
  text: document.getElementById('edit-progress-text').textContent,
  visible: !document.getElementById('edit-progress-row').hidden,
  cancel: !document.getElementById('edit-cancel').disabled,
}));

// Where the strip below the Project button starts, from the top of the Edit panel: the
// status line above it must not push it down as its text changes.
const stripAt = (page) => page.evaluate(() => Math.round(document.getElementById('edit-strip').getBoundingClientRect().top -
  document.getElementById('edit').getBoundingClientRect().top));

async function projected(page, n, what) {
  return waitFor(page, (k) => window.ganplay.state.edit.projections > k && window.ganplay.state.edit.nearest &&
    !document.getElementById('edit-project').disabled, n, what, 90000);
}

async function heldOut(page, what) {
  const before = (await state(page)).edit.status;
  await page.click('#edit-real');
  await waitFor(page, (s) => window.ganplay.state.edit.status !== s && /held-out/.test(window.ganplay.state.edit.status), before, what);
}

export async function run({ browser, site }) {
  // the bar mid-projection at three widths, each cancelled at once
  for (const width of [1920, 360]) {
    const context = await newContext(browser, { width, height: 900 });
    const page = await newPage(context);
    await page.goto(site);
    await waitReady(page);
    await waitDataset(page);
    await heldOut(page, `${width}: a held-out digit`);
    const idle = await stripAt(page);
    await page.click('#edit-project');
    if (await midway(page, `${width}: the projection under way`)) {
      const under = await stripAt(page);
      const over = await page.evaluate(() => document.documentElement.scrollWidth);
      check(over <= width, `${width} px: the projection's bar and Cancel fit`, `scrollWidth ${over}`);
      await (await page.$('#edit')).screenshot({ path: path.join(SHOTS, `project-progress-${width}.png`) });
      await page.click('#edit-cancel');
      await waitFor(page, () => window.ganplay.state.edit.cancels === 1, null, `${width}: cancelled`);
      const cancelled = await stripAt(page);
      check(under === idle && cancelled === idle, `${width} px: the strip stays put while the status says what the projection does`,
        `strip at ${idle}, ${under} projecting, ${cancelled} cancelled`);
    }
    await context.close();
  }

  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);
  // a first projection, run to its end: the state a cancel must leave alone
  await heldOut(page, 'a held-out digit');
  const idle = await stripAt(page);
  await page.click('#edit-project');
  await projected(page, 0, 'the first projection');
  const first = await state(page);
  check(await stripAt(page) === idle, '1280 px: the strip stays put when the projection ends and its result is said',
    `strip at ${idle}, then ${await stripAt(page)}`);
  const strip = await canvasInfo(page, 'edit-strip'), result = await canvasInfo(page, 'edit-result');
  check(first.edit.projections === 1 && first.edit.progress === null && await page.isHidden('#edit-progress-row'),
    'a finished projection leaves no bar', JSON.stringify(first.edit.progress));

  // another digit on the pad, with a mask stroke; projected, then cancelled half way
  await heldOut(page, 'another held-out digit');
  await page.check('input[name="edit-brush"][value="mask"]');
  const box = await page.locator('#edit-pad').boundingBox();
  await page.mouse.move(box.x + 10, box.y + box.height * 0.8);
  await page.mouse.down();
  for (let x = 10; x <= box.width - 10; x += 8) await page.mouse.move(box.x + x, box.y + box.height * 0.8);
  await page.mouse.up();
  const pad = await canvasInfo(page, 'edit-pad');
  const status = (await state(page)).edit.status;
  await page.click('#edit-project');
  if (!(await midway(page, 'the projection under way'))) {
    await context.close();
    return;
  }
  const bar = await shown(page);
  const r = bar.reported;
  check(bar.visible && bar.cancel && bar.value === r.step && bar.max === r.steps && r.steps === 300 &&
    bar.text === `step ${r.step} of ${r.steps}`,
  'mid-projection the bar shows the step the worker reported, of all its steps, with Cancel', JSON.stringify(bar));
  await (await page.$('#edit')).screenshot({ path: path.join(SHOTS, 'project-progress-1280.png') });
  const later = await waitFor(page, (k) => window.ganplay.state.edit.progress && window.ganplay.state.edit.progress.step > k,
    r.step, 'the bar moves on');
  check(later && (await shown(page)).value > r.step, 'the bar follows the steps as they are taken');
  // a second projection while one runs is refused, in words
  const second = await page.evaluate(() => window.ganplay.engine.call('editProject',
    { rgba: new Uint8Array(196 * 196 * 4).buffer, size: 196, mask: null, noise: 0, label: -1 }).then(() => 'accepted', (e) => e.message));
  check(/already running/.test(second) && (await state(page)).edit.progress !== null,
    'a second projection is refused while one runs', second);
  check((await state(page)).edit.status.includes('Project is off until it ends'),
    'the page says a projection runs to its end or its Cancel before another', (await state(page)).edit.status);

  await page.click('#edit-cancel');
  await waitFor(page, () => window.ganplay.state.edit.cancels === 1 && !document.getElementById('edit-project').disabled,
    null, 'the projection cancelled');
  const after = await state(page);
  const said = after.edit.status.match(/^Projection cancelled at step (\d+) of 300: the picture, the mask and the last result are as they were\.$/);
  check(said && Number(said[1]) >= r.step && Number(said[1]) < 300, 'Cancel stops the projection, saying at which step',
    after.edit.status);
  check(after.edit.progress === null && await page.isHidden('#edit-progress-row'), 'the bar and Cancel are gone after a cancel');
  const padNow = await canvasInfo(page, 'edit-pad'), stripNow = await canvasInfo(page, 'edit-strip');
  const resultNow = await canvasInfo(page, 'edit-result');
  check(after.edit.projections === 1 && after.edit.masked && padNow.hash === pad.hash && stripNow.hash === strip.hash &&
    resultNow.hash === result.hash && after.edit.loss === first.edit.loss && after.edit.class === first.edit.class,
  'a cancelled projection changes nothing: the picture and mask, the strip, the result and its numbers',
  `${status} | projections ${after.edit.projections}`);
  // the latent of the last result, redrawn: the same image
  const moves = after.edit.moves;
  await page.dispatchEvent('#edit-amount', 'input');
  await waitFor(page, (k) => window.ganplay.state.edit.moves > k, moves, 'the result redrawn from its latent');
  check((await canvasInfo(page, 'edit-result')).hash === result.hash, 'the latent of the last result is unchanged by the cancel');

  // the next projection runs to its end, its result in the strip
  await page.click('#edit-project');
  await projected(page, 1, 'the projection after the cancel');
  const done = await state(page);
  const stripDone = await canvasInfo(page, 'edit-strip');
  check(done.edit.projections === 2 && done.edit.traced === 11 && /^Projected/.test(done.edit.status) &&
    stripDone.w === 12 * 30 + 2 && stripDone.hash !== strip.hash && done.edit.progress === null &&
    await page.isHidden('#edit-progress-row'),
  'a projection after a cancel completes: the new strip ends with its result, and the bar is gone', done.edit.status);
  // another model on show: the result on the page was projected with the one before, and moving it says so
  await page.selectOption('#model-pick', '1');
  await waitFor(page, () => window.ganplay.state.model && window.ganplay.state.model.name === 'MNIST, DCGAN', null,
    'another model on show');
  const before = (await state(page)).edit.status;
  await page.dispatchEvent('#edit-amount', 'input');
  await waitFor(page, (s) => window.ganplay.state.edit.status !== s, before, 'the move answered');
  const moved = (await state(page)).edit.status;
  check(moved === 'The result was projected with another model: press Project to project the picture with this one.',
    'moving a result projected with another model says so, and what to do', moved);

  // training changes G: a step taken while a projection runs ends it, and none starts while training runs
  await page.click('#step'); // a training model (the shipped one has no D)
  await waitFor(page, () => window.ganplay.state.model && window.ganplay.state.model.hasD && window.ganplay.state.step === 1 &&
    !window.ganplay.state.running, null, 'a training model, one step in');
  const cancels = (await state(page)).edit.cancels;
  await page.click('#edit-project');
  await midway(page, 'a projection on the training model');
  await page.click('#step');
  await waitFor(page, (k) => window.ganplay.state.edit.cancels > k && !document.getElementById('edit-project').disabled, cancels,
    'the projection ended by a training step');
  const byStep = await state(page);
  check(/^Projection cancelled at step \d+ of \d+ \(training changed the generator\)/.test(byStep.edit.status) &&
    byStep.step === 2 && byStep.edit.progress === null,
  'a training step taken while a projection runs ends it, and says why', `${byStep.edit.status} | step ${byStep.step}`);
  await page.click('#start');
  await waitFor(page, () => window.ganplay.state.running && window.ganplay.state.step > 2, null, 'training runs');
  const projections = (await state(page)).edit.projections;
  await page.click('#edit-project');
  await waitFor(page, () => /^Training is running: pause it first/.test(window.ganplay.state.edit.status) &&
    !document.getElementById('edit-project').disabled, null, 'Project while training answered');
  const refused = await state(page);
  check(refused.edit.projections === projections && refused.edit.progress === null,
    'Project while training runs is refused with what to do', refused.edit.status);
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running, null, 'paused');
  check(page.errors.length === 0, 'no console errors while projecting and cancelling', page.errors.join(' | '));
  await context.close();
}
