// Keep and share: the grid as PNG; a generator and a training state
// downloaded then opened give the same samples (and the same state); a bad
// file is refused and changes nothing; the training is autosaved to
// IndexedDB and resumes after a reload at the same step, weights and
// optimizer state.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD, E2E, ROOT, answerReplace, canvasInfo, check, newContext, newPage, state, trainUntil, waitDataset, waitFor, waitReady } from './helpers.mjs';

// A hash of the engine's whole training state file, as the page would save it.
const stateHash = (page) => page.evaluate(async () => {
  const bytes = await window.ganplay.engine.call('save', { kind: 1 });
  let h = 2166136261;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
  return `${bytes.length}:${h}`;
});

async function downloadOf(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = path.join(E2E, dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

// Opens a file with "Open a model file" (answering the question to replace
// the training on show, if it comes); resolves to the page's message once the
// page has answered, and the grid is drawn again if the file was loaded.
async function open(page, file, answer = null) {
  const before = await page.evaluate(() => ({ answers: window.ganplay.state.loadAnswers, grids: window.ganplay.state.grids }));
  await page.setInputFiles('#load-file', file);
  if (answer) await answerReplace(page, answer);
  await waitFor(page, (n) => window.ganplay.state.loadAnswers > n, before.answers, `${path.basename(file)} answered`);
  const msg = await page.textContent('#load-msg');
  if (/^Loaded/.test(msg)) await waitFor(page, (n) => window.ganplay.state.grids > n, before.grids, `${path.basename(file)}: grid drawn`);
  return msg;
}

export async function run({ browser, site }) {
  let s;
  const context = await newContext(browser);
  let page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitDataset(page);

  // PNG of the grid
  const png = fs.readFileSync(await downloadOf(page, '#dl-png'));
  check(png.subarray(1, 4).toString() === 'PNG' && png.readUInt32BE(16) === 968 && png.readUInt32BE(20) === 968,
    'the grid downloads as a 968x968 PNG', `${png.length} bytes`);

  // the kept sample alone, and the grid at another size
  await page.selectOption('#png-scale', '8');
  const one = fs.readFileSync(await downloadOf(page, '#dl-one'));
  const grid8 = fs.readFileSync(await downloadOf(page, '#dl-png'));
  check(one.readUInt32BE(16) === 28 * 8 && one.readUInt32BE(20) === 28 * 8 && grid8.readUInt32BE(16) === 242 * 8,
    'a single sample and a grid size can be downloaded too', `${one.readUInt32BE(16)} px, grid ${grid8.readUInt32BE(16)} px`);
  await page.selectOption('#png-scale', '4');

  // the pretrained generator downloads as the shipped file, named by its true step
  s = await state(page);
  const shipped = await downloadOf(page, '#dl-gen');
  const manifest = JSON.parse(fs.readFileSync(path.join(E2E, 'site', 'models.json'), 'utf8'));
  const source = fs.readFileSync(path.join(E2E, 'site', manifest.models[0].file));
  check(Buffer.compare(fs.readFileSync(shipped), source) === 0 && path.basename(shipped).includes(`-step${s.model.step}-`) &&
    s.model.step > 0, 'a pretrained generator downloads as the file it came from, named by the steps it was trained',
  `${path.basename(shipped)}, ${source.length} bytes`);

  // a short run: past its second snapshot (every 50 steps), with FD points
  // (measured every 25 steps here), so that its file has a history to carry
  await waitFor(page, () => window.ganplay.state.dataset.fd, null, 'the classifier is loaded');
  await page.evaluate(() => window.ganplay.debug.setFdEvery(25));
  s = await trainUntil(page, 60);
  const snaps = Array.from({ length: Math.floor(s.step / 50) + 1 }, (_, k) => 50 * k).join(',');
  await waitFor(page, (want) => (window.ganplay.state.snapshotSteps || []).join(',') === want, snaps, `the timeline holds steps ${snaps}`);
  const trained = await canvasInfo(page, 'grid');
  const sums = await page.evaluate(() => window.ganplay.debug.checksum());
  const gen = await downloadOf(page, '#dl-gen');
  // what the page shows of the run: charts, FD points, timeline
  const shown = async () => ({
    points: await page.evaluate(() => window.ganplay.charts.lossChart.n), fd: (await state(page)).fd.length,
    snaps: (await state(page)).snapshotSteps.join(','), latest: (await canvasInfo(page, 'timeline-grid')).hash,
  });
  const run = await shown();
  const full = await downloadOf(page, '#dl-state');
  check(/generator\.gpm$/.test(gen) && /training\.gpm$/.test(full), 'the generator and the training state download as .gpm files',
    `${path.basename(gen)} ${fs.statSync(gen).size} B, ${path.basename(full)} ${fs.statSync(full).size} B`);
  const fullHash = await stateHash(page);

  // Reset asks before the training leaves the screen: Cancel keeps it, Replace saves it first
  const trainedStep = (await state(page)).step;
  await page.click('#reset');
  const question = await answerReplace(page, 'no');
  s = await state(page);
  check(/step \d+/.test(question) && s.step === trainedStep && s.model.hasD && (await canvasInfo(page, 'grid')).hash === trained.hash,
    'Reset asks first; Cancel keeps the training on show', question);
  await page.click('#reset');
  await answerReplace(page, 'yes');
  // the new model's grid comes right after its counters
  await waitFor(page, () => window.ganplay.state.step === 0 && window.ganplay.state.gridStep === 0, null, 'reset');
  s = await state(page);
  check((s.savedList || []).some((r) => r.step === trainedStep), 'Replace keeps the replaced training in the browser, at its step',
    (s.savedList || []).map((r) => `${r.name} @${r.step}`).join('; '));

  // something else on show, then the generator file: the same samples
  check((await canvasInfo(page, 'grid')).hash !== trained.hash, 'Reset shows a new untrained model');
  let msg = await open(page, gen);
  check(/Loaded/.test(msg) && (await canvasInfo(page, 'grid')).hash === trained.hash, 'the downloaded generator, opened, gives the same samples', msg);

  // a damaged file is refused and changes nothing
  const bad = path.join(E2E, 'damaged.gpm');
  const bytes = fs.readFileSync(full);
  fs.writeFileSync(bad, bytes.subarray(0, bytes.length >> 1));
  msg = await open(page, bad);
  check(/refused/.test(msg) && (await page.getAttribute('#load-file', 'aria-invalid')) === 'true', 'a damaged model file is refused with a message', msg);
  check((await canvasInfo(page, 'grid')).hash === trained.hash && (await state(page)).model.name.endsWith('generator.gpm'),
    'the refused file changed nothing');
  const notModel = path.join(E2E, 'notes.gpm');
  fs.writeFileSync(notModel, 'these are not the weights you are looking for\n');
  msg = await open(page, notModel);
  check(/refused/.test(msg) && /not a ganplay model/.test(msg), 'a file that is no model is refused in words', msg);

  // the training state file: same samples, same step, same weights and optimizer state
  msg = await open(page, full);
  s = await state(page);
  check(/training state/.test(msg) && s.model.hasD && (await canvasInfo(page, 'grid')).hash === trained.hash,
    'the downloaded training state, opened, gives the same samples', msg);
  const sums2 = await page.evaluate(() => window.ganplay.debug.checksum());
  check(JSON.stringify(sums2) === JSON.stringify(sums) && (await stateHash(page)) === fullHash, 'and the same weights and optimizer state');
  await waitFor(page, (steps) => (window.ganplay.state.snapshotSteps || []).join(',') === steps, run.snaps, 'the timeline is back');
  const back = await shown();
  check(run.points >= 60 && run.fd >= 2 && run.snaps === snaps && JSON.stringify(back) === JSON.stringify(run),
    'the training state brings its charts, FD points and timeline back',
    `${run.points} chart points, ${run.fd} FD points, snapshots at steps ${run.snaps}`);
  const info = JSON.parse(execFileSync(path.join(BUILD, 'ganplay'), ['info', '--model', full], { encoding: 'utf8' }));
  check(info.history.chart_points === run.points && info.history.fd_points === run.fd && info.history.snapshots === run.snaps.split(',').length,
    'the command-line tool reads the history the page saved', JSON.stringify(info.history));

  // a training state written by the command-line tool opens with its history:
  // the charts of its 300 steps, its FD point and its timeline
  const cliFile = path.join(E2E, 'cli-trained.gpm');
  execFileSync(path.join(BUILD, 'ganplay'), ['train', '--preset', 'mlp', '--data', path.join(BUILD, 'data/mnist.bin'), '--steps', '300',
    '--seed', '3', '--batch', '16', '--classifier', path.join(ROOT, 'models/mnist-classifier.gpc'), '--out', cliFile],
  { stdio: 'pipe', timeout: 600000 });
  const cliHistory = JSON.parse(execFileSync(path.join(BUILD, 'ganplay'), ['info', '--model', cliFile], { encoding: 'utf8' })).history;
  check(cliHistory.chart_points === 300 && cliHistory.fd_points >= 1 && cliHistory.snapshots === 7,
    'ganplay train writes the run\'s history into its training state', JSON.stringify(cliHistory));
  const chartsBefore = await page.evaluate(() => Object.fromEntries(Object.entries(window.ganplay.charts).map(([k, c]) => [k, c.draws])));
  const lossBefore = await canvasInfo(page, 'chart-loss');
  msg = await open(page, cliFile, 'yes');
  const cliSnaps = '0,50,100,150,200,250,300';
  await waitFor(page, (steps) => (window.ganplay.state.snapshotSteps || []).join(',') === steps, cliSnaps, 'the CLI state: its timeline');
  await waitFor(page, ([n, d]) => Object.entries(window.ganplay.charts).every(([k, c]) => c.draws > d[k] && !c.queued) &&
    window.ganplay.charts.lossChart.n === n, [cliHistory.chart_points, chartsBefore], 'the CLI state: its charts drawn');
  s = await state(page);
  const cliCharts = await page.evaluate(() => Object.fromEntries(Object.entries(window.ganplay.charts).map(([k, c]) => [k, c.n])));
  const lossChart = await canvasInfo(page, 'chart-loss'), dChart = await canvasInfo(page, 'chart-d'), fdChart = await canvasInfo(page, 'chart-fd');
  const readout = await page.textContent('#r-step');
  check(/training state at step 300/.test(msg) && s.model.hasD && s.step === 300 && readout === '300',
    'a training state from ganplay train opens in the page at its step', `${msg}; step readout ${readout}`);
  check(cliCharts.lossChart === cliHistory.chart_points && cliCharts.dChart === cliHistory.chart_points &&
    lossChart.colored > 100 && dChart.colored > 100 && lossChart.hash !== lossBefore.hash,
  'its loss and D charts draw the 300 points of its history', `${cliCharts.lossChart} and ${cliCharts.dChart} points; ` +
    `${lossChart.colored} and ${dChart.colored} line pixels`);
  check(s.fd.length === cliHistory.fd_points && cliCharts.fdChart === cliHistory.fd_points &&
    s.fd.every(([st, v]) => st > 0 && st <= 300 && Number.isFinite(v) && v > 0) && fdChart.colored > 5 && await page.isVisible('#fd-figure'),
  'its FD chart shows the file\'s FD point', `${s.fd.map(([st, v]) => `step ${st}: ${v.toFixed(1)}`).join(', ')}; ${fdChart.colored} pixels`);
  check(s.snapshots === 7 && s.snapshotSteps.join(',') === cliSnaps && (await page.textContent('#timeline-label')) === 'Step 300 (latest)',
    'its timeline holds the file\'s snapshots', s.snapshotSteps.join(','));
  s = await state(page);

  // hiding the page saves at once; training goes on in the worker meanwhile
  await page.click('#start');
  await waitFor(page, (n) => window.ganplay.state.running && window.ganplay.state.step > n + 2, s.step, 'training again');
  const hiddenAt = (await state(page)).step;
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await waitFor(page, (n) => window.ganplay.state.saved && window.ganplay.state.saved.step >= n, hiddenAt, 'saved when hidden');
  await waitFor(page, () => window.ganplay.state.step > window.ganplay.state.saved.step, null, 'training goes on after the autosave');
  s = await state(page);
  check(s.saved.step >= hiddenAt && s.running && s.step > s.saved.step, 'hiding the page autosaves at once and training goes on',
    `hidden at step ${hiddenAt}, saved at ${s.saved.step}, now ${s.step}`);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running, null, 'paused');

  // autosave and resume after a reload
  s = await trainUntil(page, (await state(page)).step + 5);
  await waitFor(page, (n) => window.ganplay.state.saved && window.ganplay.state.saved.step === n, s.step, 'autosaved on pause');
  const before = {
    step: s.step, dStep: s.dStep, hash: await stateHash(page), grid: (await canvasInfo(page, 'grid')).hash,
    points: await page.evaluate(() => window.ganplay.charts.lossChart.n),
  };
  await page.close();
  page = await newPage(context);
  await page.goto(site);
  await waitReady(page);
  await waitFor(page, () => !document.getElementById('banner').hidden, null, 'resume offered after a reload');
  const offer = await page.textContent('#banner-text');
  check(new RegExp(`step ${before.step}\\b`).test(offer), 'reopening the page offers to resume', offer);
  await page.click('#resume');
  await waitFor(page, (n) => window.ganplay.state.model && window.ganplay.state.model.hasD && window.ganplay.state.step === n, before.step, 'resumed');
  s = await state(page);
  const after = { step: s.step, dStep: s.dStep, hash: await stateHash(page), grid: (await canvasInfo(page, 'grid')).hash };
  check(after.step === before.step && after.dStep === before.dStep, 'resume restores the same step', `${before.step} -> ${after.step}`);
  check(after.hash === before.hash, 'resume restores the same weights, optimizer state and random stream');
  check(after.grid === before.grid, 'resume shows the same samples');
  const points = await page.evaluate(() => window.ganplay.charts.lossChart.n);
  check(points === before.points && points > 0, 'resume brings the charts back', `${before.points} -> ${points} points`);
  await page.click('#step');
  await waitFor(page, (n) => window.ganplay.state.step === n + 1, before.step, 'trains on after resume');

  // every run saves under its own name: an earlier one is still there, and resumes at its own step
  s = await state(page);
  const list = s.savedList || [];
  const older = list.find((r) => r.id !== s.resumable.id);
  check(list.length >= 2 && older && new Set(list.map((r) => r.id)).size === list.length,
    'each training run keeps its own autosave, told apart by name, step and time', list.map((r) => `${r.name} @${r.step}`).join('; '));
  if (older) {
    await page.selectOption('#saved-pick', older.id);
    await page.click('#resume-saved');
    await answerReplace(page);
    await waitFor(page, (n) => window.ganplay.state.step === n && window.ganplay.state.model.hasD, older.step, 'the older run resumed');
    check((await state(page)).step === older.step, 'the older run resumes at its own step', `step ${older.step}`);
  }
  check(page.errors.length === 0, 'no console errors', page.errors.join(' | '));
  // forgetting removes the picked one; the rest stay until forgotten too
  for (let left = (await state(page)).savedList.length; left > 0; left--) {
    await page.click('#forget-saved');
    await waitFor(page, (n) => (window.ganplay.state.savedList || []).length === n, left - 1, `forgotten (${left - 1} left)`);
  }
  check(!(await state(page)).resumable && (await page.isDisabled('#saved-pick')) && (await page.textContent('#saved-pick')) === 'none yet',
    'forgotten trainings are gone');
  await context.close();
}
