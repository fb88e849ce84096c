// Saved 2-D runs: a run of the collapse lesson trained, saved (the
// download), changed (another distribution, more rounds), then opened again
// shows the saved run's readouts (rounds, D steps, G steps, losses, D's
// readouts, coverage, KL and JS), distribution, lesson, charts and frame
// exactly, drawn points too; rounds after opening give what the rounds after
// saving gave; the presentation link keeps the opened run; a run with unsaved
// work is not replaced without asking (Cancel keeps it); a truncated file, a
// file that is no model, a changed file and an image model's file are
// refused with one message each and the run on show stays; at 360 px the
// controls are on screen and work, in Chinese too. Screenshots at 1280 and
// 360 px, and of the opened run in presentation mode.
import fs from 'node:fs';
import path from 'node:path';
import { E2E, ROOT, SHOTS, answerReplace, check, newContext, newPage, waitFor } from './helpers.mjs';

const READOUTS = ['rounds-2d', 'dstep-2d', 'gstep-2d', 'dloss-2d', 'gloss-2d', 'dreal-2d', 'dfake-2d', 'coverage-2d', 'kljs-2d'];
const STEPPED = ['rounds-2d', 'dstep-2d', 'gstep-2d', 'dloss-2d', 'gloss-2d', 'dreal-2d', 'dfake-2d'];

async function openMode(page, site, hash) {
  await page.goto(site + hash);
  await waitFor(page, () => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame &&
    window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes, null, `${hash}: the 2-D mode draws`, 60000);
}

// A frame that shows every answer of the engine so far.
const nextFrame = (page, what = 'a frame of the latest state') => waitFor(page, () => window.ganplay.mode2d.lastFrame &&
  window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes && !window.ganplay.mode2d.running, null, what);

// What the page shows of the run: the readouts' text, the distribution, the lesson, the frame's hashes and the charts.
const shown = (page) => page.evaluate((ids) => {
  const m = window.ganplay.modes.mode2d, f = m.state.lastFrame;
  const chart = (c) => JSON.stringify(Array.from(c.data.subarray(0, c.n * c.width)));
  return {
    text: Object.fromEntries(ids.map((id) => [id, document.getElementById(id).textContent])),
    dist: document.getElementById('dist-2d').value, lesson: m.lesson ? m.lesson.name : null, hash: location.hash,
    lessonBox: !document.getElementById('lesson-box-2d').hidden && document.getElementById('lesson-title-2d').textContent,
    frame: { grid: f.grid, fake: f.fake, mesh: f.mesh, arrows: f.arrows, round: f.round },
    loss: chart(m.lossChart), div: chart(m.divChart), lossN: m.lossChart.n, divN: m.divChart.n,
    drawn: JSON.stringify(Array.from(Float32Array.from(m.drawn))), real: JSON.stringify(Array.from(m.frame.real)),
  };
}, READOUTS);

const same = (a, b, keys) => keys.filter((k) => a.text[k] !== b.text[k]).map((k) => `${k}: ${a.text[k]} / ${b.text[k]}`);

async function rounds(page, n) {
  for (let i = 0; i < n; i++) {
    const before = await page.evaluate(() => window.ganplay.mode2d.run.rounds);
    await page.click('#round-2d');
    await waitFor(page, (r) => window.ganplay.mode2d.run.rounds === r + 1, before, 'one round');
  }
  await nextFrame(page);
}

async function saveRun(page) {
  const saves = await page.evaluate(() => window.ganplay.mode2d.saved.saves);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#save-run-2d')]);
  const file = path.join(E2E, dl.suggestedFilename());
  await dl.saveAs(file);
  await waitFor(page, (n) => window.ganplay.mode2d.saved.saves > n, saves, 'the save counted');
  return file;
}

// Opens a file with "Open a saved run"; answer: the reply to the question to replace the run, if it must come.
async function openRun(page, file, answer = null) {
  const before = await page.evaluate(() => window.ganplay.mode2d.saved.answers);
  await page.setInputFiles('#open-run-2d', file);
  let asked = null;
  if (answer) asked = await answerReplace(page, answer);
  await waitFor(page, (n) => window.ganplay.mode2d.saved.answers > n, before, `${path.basename(typeof file === 'string' ? file : file.name)} answered`);
  await nextFrame(page);
  return { asked, msg: await page.textContent('#run-msg-2d') };
}

async function play(page, rounds) {
  await page.click('#play-btn-2d');
  await waitFor(page, (r) => window.ganplay.mode2d.run.rounds >= r, rounds, `${rounds} rounds played`, 60000);
  await page.click('#play-btn-2d');
  await waitFor(page, () => !window.ganplay.mode2d.running, null, 'paused');
  await nextFrame(page);
}

export async function run({ browser, site }) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await openMode(page, site, '#lesson=collapse');
  await play(page, 40);
  const saved = await shown(page);
  check(Number(saved.text['rounds-2d']) >= 40 && saved.lossN > 0 && saved.divN > 0 && /\d/.test(saved.text['coverage-2d']),
    'the collapse lesson trained 40 rounds or more, its charts and coverage shown', JSON.stringify(saved.text));

  // Save: the download is named after the lesson and the rounds
  const file = await saveRun(page);
  const bytes = fs.readFileSync(file);
  check(path.basename(file) === `ganplay-2d-collapse-round${saved.text['rounds-2d']}.gpm` && bytes.subarray(0, 4).toString() === 'GPMF',
    'Save this run downloads a model file named after the lesson and its rounds', `${path.basename(file)}, ${bytes.length} bytes`);
  check(!(await page.evaluate(() => document.getElementById('confirm').open)), 'saving asks nothing');

  // what the saved run gives three rounds on
  await rounds(page, 3);
  const later = await shown(page);

  // change things: another distribution, more rounds
  await page.selectOption('#dist-2d', 'moons');
  await waitFor(page, () => window.ganplay.mode2d.dist === 'moons' && window.ganplay.modes.mode2d.lesson === null, null, 'moons picked');
  await rounds(page, 2);
  const changed = await shown(page);
  check(changed.dist === 'moons' && changed.lesson === null && changed.text['rounds-2d'] !== saved.text['rounds-2d'],
    'the run on show changed (moons, no lesson, other rounds)', JSON.stringify(changed.text));

  // unsaved work: opening asks; Cancel keeps the run
  let r = await openRun(page, file, 'no');
  check(/not saved/.test(r.asked) && /round \d+/.test(r.asked), 'opening over unsaved work asks first', r.asked);
  let now = await shown(page);
  check(!same(now, changed, READOUTS).length && now.dist === 'moons' && now.frame.grid === changed.frame.grid && /was not opened/.test(r.msg),
    'Cancel keeps the run on show', `${same(now, changed, READOUTS).join('; ')} ${r.msg}`);

  // Replace it: the saved run is back, numbers, distribution, lesson, charts and frame as they were
  r = await openRun(page, file, 'yes');
  now = await shown(page);
  const diff = same(now, saved, READOUTS);
  check(!diff.length, 'the opened run shows the saved readouts (rounds, D and G steps, losses, D(x), D(G(z)), coverage, KL, JS)',
    `${diff.join('; ')}`);
  check(now.dist === 'ring' && now.lesson === 'collapse' && now.lessonBox && /lesson=collapse/.test(now.hash),
    'the opened run has its distribution and lesson (the box and the address too)', `${now.dist} ${now.lesson} ${now.lessonBox} ${now.hash}`);
  check(JSON.stringify(now.frame) === JSON.stringify(saved.frame), 'the plane draws what it drew when saved (D, G\'s manifold, fakes, arrows)',
    `${JSON.stringify(now.frame)} / ${JSON.stringify(saved.frame)}`);
  check(now.loss === saved.loss && now.div === saved.div, 'the charts are the saved run\'s', `${now.lossN}/${saved.lossN} loss points, ${now.divN}/${saved.divN} measurements`);
  check(/^Opened ganplay-2d-collapse-round\d+\.gpm/.test(r.msg), 'the page says what it opened', r.msg);
  const opened = await page.evaluate(() => window.ganplay.mode2d.saved.opened);
  check(opened.lesson === 'collapse' && opened.distribution === 'ring' && String(opened.rounds) === saved.text['rounds-2d'] &&
    String(opened.d_steps_taken) === saved.text['dstep-2d'] && String(opened.g_steps) === saved.text['gstep-2d'],
  'the engine read the file\'s plane: lesson, distribution, rounds, steps', JSON.stringify(opened));
  await page.screenshot({ path: path.join(SHOTS, 'save2d-opened-1280.png'), fullPage: true });

  // presentation mode (the page's own link) and back keep the opened run: a teacher opens it, then projects it
  for (const [link, present] of [[await page.getAttribute('#present-2d', 'href'), true], ['#lesson=collapse', false]]) {
    const kept = await page.evaluate(() => window.ganplay.mode2d.saved.kept);
    await page.evaluate((h) => (location.hash = h), link);
    await waitFor(page, (n) => window.ganplay.mode2d.saved.kept > n, kept, `${link} keeps the opened run`);
    await nextFrame(page);
    now = await shown(page);
    check(!same(now, saved, READOUTS).length && now.frame.grid === saved.frame.grid &&
      (await page.evaluate(() => document.body.classList.contains('present'))) === present,
    `${present ? 'presentation mode shows' : 'leaving presentation mode keeps'} the opened run`, same(now, saved, READOUTS).join('; '));
    if (present) await page.screenshot({ path: path.join(SHOTS, 'save2d-present-1280.png') });
  }

  // going on: the same three rounds as the run that was saved
  await rounds(page, 3);
  now = await shown(page);
  const goDiff = same(now, later, STEPPED);
  check(!goDiff.length && now.frame.grid === later.frame.grid && now.frame.fake === later.frame.fake,
    'three rounds after opening give what three rounds after saving gave', `${goDiff.join('; ')}`);

  // refusals: one message each, the run on show stays (no question first: the file is checked before)
  const cases = [
    ['a truncated file', { name: 'cut.gpm', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, 1000) }, /damaged or cut short/],
    ['a file that is no model', { name: 'notes.gpm', mimeType: 'application/octet-stream', buffer: Buffer.from('these are my notes, not a model') }, /not a ganplay model file|damaged/],
    ['a file with one byte changed', { name: 'flipped.gpm', mimeType: 'application/octet-stream', buffer: flip(bytes) }, /damaged/],
    ['an image model\'s file', path.join(ROOT, 'models', 'mnist-dcgan.gpm'), /model of images: open it in the main view/],
  ];
  for (const [what, f, why] of cases) {
    const before = await shown(page);
    r = await openRun(page, f);
    now = await shown(page);
    const asked = await page.evaluate(() => window.ganplay.mode2d.saved.confirming);
    check(why.test(r.msg) && /The run on show is as it was/.test(r.msg), `${what} is refused with one clear message`, r.msg);
    check(!same(now, before, READOUTS).length && now.frame.grid === before.frame.grid && now.lesson === before.lesson && !asked,
      `${what} leaves the run on show as it was`, same(now, before, READOUTS).join('; '));
  }

  // a drawn distribution: its points come back, as the data and on the plane
  await page.selectOption('#dist-2d', 'drawn');
  const box = await page.locator('#canvas-2d').boundingBox();
  for (const [fx, fy] of [[0.25, 0.25], [0.75, 0.3], [0.5, 0.8], [0.3, 0.6]]) await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  await waitFor(page, () => window.ganplay.mode2d.drawn === 4, null, 'four points drawn');
  await page.click('#draw-use-2d');
  await waitFor(page, () => window.ganplay.mode2d.pending.dataset === 'drawn', null, 'drawn points in use');
  await rounds(page, 2);
  const drew = await shown(page);
  const fd = await saveRun(page);
  await page.click('#draw-clear-2d');
  await page.selectOption('#dist-2d', 'ring');
  await waitFor(page, () => window.ganplay.mode2d.dist === 'ring' && window.ganplay.mode2d.drawn === 0, null, 'back to the ring');
  await rounds(page, 1);
  r = await openRun(page, fd, 'yes');
  now = await shown(page);
  check(now.dist === 'drawn' && now.drawn === drew.drawn && JSON.parse(now.drawn).length === 8 && now.real === drew.real &&
    !same(now, drew, READOUTS).length && now.frame.grid === drew.frame.grid,
  'a run on drawn points opens with its points: the data, the points on the plane, the readouts', `${now.dist} ${now.drawn} / ${drew.drawn}`);
  await context.close();

  // 360 px: the controls on screen, and they work; in Chinese the messages are Chinese
  const small = await newContext(browser, { width: 360, height: 780 });
  const p2 = await newPage(small);
  await openMode(p2, site, '#view=2d&dist=moons');
  // the page's language switched in place (the same module the page uses)
  await p2.evaluate(async () => (await import(new URL('js/i18n.js', document.baseURI).href)).setLang('zh-CN'));
  await waitFor(p2, () => document.documentElement.lang === 'zh-CN', null, 'the page in Chinese');
  for (const id of ['save-run-2d', 'open-run-2d']) {
    await p2.locator(`#${id}`).scrollIntoViewIfNeeded();
    const box = await p2.locator(`#${id}`).boundingBox();
    check(box && box.x >= 0 && box.x + box.width <= 360 && box.height >= 20, `at 360 px #${id} is on screen`, JSON.stringify(box));
  }
  await rounds(p2, 2);
  const before = await shown(p2);
  const f2 = await saveRun(p2);
  check(path.basename(f2) === 'ganplay-2d-moons-round2.gpm', 'at 360 px a run saves, named after its distribution', path.basename(f2));
  const msg = await p2.textContent('#run-msg-2d');
  check(/已保存/.test(msg), 'the page says it saved, in Chinese', msg);
  await rounds(p2, 1);
  r = await openRun(p2, f2, 'yes');
  now = await shown(p2);
  check(!same(now, before, READOUTS).length && now.frame.grid === before.frame.grid && now.dist === 'moons' && /已打开/.test(r.msg),
    'at 360 px the saved run opens with its numbers (message in Chinese)', `${same(now, before, READOUTS).join('; ')} ${r.msg}`);
  r = await openRun(p2, { name: 'cut.gpm', mimeType: 'application/octet-stream', buffer: fs.readFileSync(f2).subarray(0, 500) });
  check(/没有打开/.test(r.msg) && /文件已损坏或不完整/.test(r.msg), 'a damaged file is refused in Chinese', r.msg);
  await p2.locator('#save-run-2d').scrollIntoViewIfNeeded();
  await p2.screenshot({ path: path.join(SHOTS, 'save2d-360.png') });
  await small.close();
}

// The file with one byte of its plane section changed (the checksum no longer holds).
function flip(bytes) {
  const b = Buffer.from(bytes);
  b[b.length - 40] ^= 0x55;
  return b;
}
