// Explore: click a sample to keep it (or use the keyboard), its neighbours,
// the spherical path between the last two kept, the direction sliders, the
// animation; the class picker stays hidden for models without classes.
import { asked, canvasInfo, check, newContext, newPage, redrawn, state, waitFor, waitReady } from './helpers.mjs';

// RGBA of one 28x28 cell of a grid canvas (cells 30 px apart, 2 px pad).
function cell(page, id, col, row) {
  return page.evaluate(([id, col, row]) => {
    const c = document.getElementById(id);
    return Array.from(c.getContext('2d').getImageData(2 + 30 * col, 2 + 30 * row, 28, 28).data);
  }, [id, col, row]);
}

const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);


export async function run({ browser, site }) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitFor(page, () => window.ganplay.state.exploreDraws > 0, null, 'explore drawn');

  // click the sample in column 2, row 3 of the grid
  const box = await page.locator('#grid').boundingBox();
  const at = (v, size) => ((2 + 30 * v + 15) / 242) * size;
  let before = await asked(page);
  // sample 21: of a conditional model drawing classes in turn, the same class
  // (1) as sample 1, kept before, so that the path joins the two as drawn
  await page.mouse.click(box.x + at(5, box.width), box.y + at(2, box.height));
  await redrawn(page, before, 'explore redrawn after a click');
  let s = await state(page);
  check(s.kept[0].index === 21 && s.kept[0].seed === s.noiseSeed && s.kept[1].index === 1, 'a click keeps that sample', JSON.stringify(s.kept));
  const kept = await cell(page, 'grid', 5, 2);
  const keptMsg = await page.textContent('#kept-msg');
  const cursorAt = await page.evaluate(() => {
    const c = document.getElementById('grid-cursor'), g = document.getElementById('grid').getBoundingClientRect(), r = c.getBoundingClientRect();
    return { visible: !c.hidden, col: Math.round((r.left - g.left) / (g.width / 8)), row: Math.round((r.top - g.top) / (g.height / 8)) };
  });
  check(/Kept sample 22 \(row 3, column 6\)/.test(keptMsg) && await page.isVisible('#kept-link') && cursorAt.visible &&
    cursorAt.col === 5 && cursorAt.row === 2, 'the kept sample is said next to the grid, and the highlight is on it',
  `${keptMsg} cursor ${JSON.stringify(cursorAt)}`);
  check(same(await cell(page, 'neighbours', 1, 1), kept), 'the kept sample sits in the middle of its neighbours');
  const nb = await canvasInfo(page, 'neighbours');
  check(nb.std > 10, 'its neighbours are drawn around it', `std ${nb.std.toFixed(1)}`);
  check(same(await cell(page, 'path', 7, 0), kept) && same(await cell(page, 'path', 0, 0), await cell(page, 'grid', 1, 0)),
    'the path runs from the sample kept before to the last one');

  // keyboard: arrow right, Enter keeps the next sample
  before = await asked(page);
  await page.focus('#grid');
  await page.keyboard.press('ArrowRight');
  check(await page.isVisible('#grid-cursor'), 'the grid shows a cursor when focused');
  await page.keyboard.press('Enter');
  await redrawn(page, before, 'explore redrawn after Enter');
  s = await state(page);
  check(s.kept[0].index === 22 && s.kept[1].index === 21, 'arrow keys and Enter keep a sample too', JSON.stringify(s.kept));

  // directions move the kept sample (once found: the first offered one)
  await waitFor(page, () => window.ganplay.state.directionsFound > 0, null, 'the directions found', 120000);
  before = await asked(page);
  await redrawn(page, before - 1, 'explore redrawn with the directions');
  const steered = await canvasInfo(page, 'steered');
  const first = await page.$eval('.dir-row input', (el) => el.id);
  before = await asked(page);
  await page.$eval(`#${first}`, (el) => {
    el.value = '1.5';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await redrawn(page, before, 'steered redrawn');
  const moved = await canvasInfo(page, 'steered');
  check(moved.hash !== steered.hash && (await page.textContent(`output[for="${first}"]`)) === '1.5', 'a direction slider changes the steered sample');

  // the animation plays (frames come, and they are not the still frame) and pauses
  const m0 = await canvasInfo(page, 'morph');
  const frames = (await state(page)).morphFrames;
  await page.click('#morph-play');
  await waitFor(page, (n) => window.ganplay.state.morphFrames >= n + 3, frames, 'the animation draws frames');
  const m1 = await canvasInfo(page, 'morph');
  await page.click('#morph-play');
  check(m1.hash !== m0.hash && (await page.getAttribute('#morph-play', 'aria-pressed')) === 'false', 'the interpolation animates');
  const classes = (await state(page)).model.classes;
  check((await page.isHidden('#class-row')) === !(classes > 0), 'a class picker exactly when the model has classes', `${classes} classes`);
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  await context.close();
}
