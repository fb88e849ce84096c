// Presentation mode (present=1) as a projector shows it: at 1920x1080 every
// visible text (lesson, readouts, buttons, labels) is at least 28 px, the
// charts' labels at least 20 px, only Play/Pause, One round and slow
// motion's pace are on screen (and whatever the lesson's box holds), and
// nothing lies outside the screen; the same fit at 1280x720 (the type
// scaled to the screen), in English and in Chinese. Slow motion's pace:
// from the slider and the address, measured on the phases' start times. The
// embed carries the lesson's title, text and readouts. Screenshots at 1920,
// 1280 and 360 px.
import path from 'node:path';
import { SHOTS, check, newContext, newPage, waitFor } from './helpers.mjs';
import zh from '../../web/lang/zh-CN.js';

const ALLOWED = ['play-btn-2d', 'round-2d', 'pace-2d'];

async function open(page, site, hash) {
  await page.goto(site + hash);
  await waitFor(page, () => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame &&
    window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes, null, `${hash}: the 2-D mode draws`, 60000);
  await settle(page);
}

// Two frames of the browser's rendering: the charts redraw on the next one.
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

// What is on screen: visible elements with text of their own and their
// font size, visible controls, visible charts' label size, the document's
// size, and whatever visible lies outside the viewport.
const onScreen = (page) => page.evaluate(() => {
  const vw = innerWidth, vh = innerHeight;
  const hidden = (el) => el.closest('.skip, .visually-hidden');
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && !hidden(el);
  };
  const name = (el) => el.id || `${el.tagName.toLowerCase()}.${String(el.className.baseVal ?? el.className).split(' ')[0]}`;
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  };
  const texts = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName)) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) || !visible(el)) continue;
    texts.push({ name: name(el), text: el.textContent.trim().slice(0, 30), px: parseFloat(getComputedStyle(el).fontSize), ...box(el) });
  }
  const controls = [...document.querySelectorAll('button, input, select, textarea, a[href], summary, [tabindex], [role="button"]')]
    .filter(visible).map((el) => ({ name: name(el), lesson: !!el.closest('#lesson-box-2d'), ...box(el) }));
  const charts = [...document.querySelectorAll('canvas')].filter((c) => visible(c) && c.id !== 'canvas-2d')
    .map((c) => ({ name: c.id, px: Number(c.dataset.labelPx || 0) }));
  const planes = [...document.querySelectorAll('canvas')].filter(visible).map((c) => ({ name: c.id, ...box(c) }));
  const out = [...texts, ...controls, ...planes].filter((b) => b.left < -0.5 || b.top < -0.5 || b.right > vw + 0.5 || b.bottom > vh + 0.5);
  const doc = document.documentElement;
  return { vw, vh, texts, controls, charts, out, scrollW: doc.scrollWidth, scrollH: doc.scrollHeight,
    base: parseFloat(getComputedStyle(doc).fontSize) };
});

const list = (a, f) => a.slice(0, 6).map(f).join('; ') + (a.length > 6 ? `; ... (${a.length})` : '');

// The presentation's rules at this size: minText px for text, minChart for chart labels.
async function presentRules(page, what, { minText, minChart }) {
  const s = await onScreen(page);
  const small = s.texts.filter((x) => x.px < minText);
  check(s.texts.length > 10 && !small.length, `${what}: every visible text is at least ${minText} px`,
    small.length ? list(small, (x) => `${x.name} “${x.text}” ${x.px} px`) : `${s.texts.length} texts, smallest ` +
      `${Math.min(...s.texts.map((x) => x.px)).toFixed(1)} px`);
  const thin = s.charts.filter((c) => !(c.px >= minChart));
  check(s.charts.length >= 1 && !thin.length, `${what}: the charts' labels are at least ${minChart} px`,
    s.charts.map((c) => `${c.name} ${c.px} px`).join(', ') || 'no chart on screen');
  const extra = s.controls.filter((c) => !ALLOWED.includes(c.name) && !c.lesson);
  const shown = s.controls.map((c) => c.name);
  check(!extra.length && ALLOWED.every((id) => shown.includes(id)), `${what}: only Play/Pause, One round and the pace are on screen`,
    `shown: ${shown.join(', ')}`);
  check(s.scrollW <= s.vw && s.scrollH <= s.vh && !s.out.length, `${what}: everything fits in one screen`,
    `document ${s.scrollW}x${s.scrollH} for ${s.vw}x${s.vh}${s.out.length ? `; outside: ${list(s.out, (x) => `${x.name} ${Math.round(x.bottom)}`)}` : ''}`);
  return s;
}

// The mean duration of a slow-motion round's parts, from when each began.
const meanPhase = (page) => page.evaluate(() => {
  const t = window.ganplay.mode2d.phaseTimes;
  return (t[t.length - 1] - t[0]) / (t.length - 1);
});

async function slowRound(page, button) {
  const before = await page.evaluate(() => window.ganplay.mode2d.run);
  await page.click(button);
  await waitFor(page, () => window.ganplay.mode2d.phases.includes('done'), null, `${button}: the slow round ends`, 120000);
  const s = await page.evaluate(() => ({ run: window.ganplay.mode2d.run, cfg: window.ganplay.mode2d.config,
    phases: window.ganplay.mode2d.phases.length, times: window.ganplay.mode2d.phaseTimes.length }));
  // one round: d_steps D steps and g_steps G steps, 5 parts per D step, 3 per G step, and "done"
  const round = s.run.d_step - before.d_step === s.cfg.d_steps && s.run.step - before.step === s.cfg.g_steps &&
    s.phases === 5 * s.cfg.d_steps + 3 * s.cfg.g_steps + 1 && s.times === s.phases;
  return { round, phases: s.phases, mean: await meanPhase(page) };
}

export async function run({ browser, site }) {
  const errors = [];
  const hash = '#view=2d&lesson=collapse&present=1';

  for (const lang of ['en', 'zh-CN']) {
    const context = await newContext(browser, { width: 1920, height: 1080 });
    const page = await newPage(context);
    await open(page, site, `${hash}${lang === 'en' ? '' : `&lang=${lang}`}`);
    const lesson = await page.evaluate(() => window.ganplay.modes.mode2d.lesson);
    // the lesson's words in the page's language: the engine's English, or its zh-CN table's
    const words = lang === 'en' ? lesson : { title: zh[`core.lesson.${lesson.name}.title`], text: zh[`core.lesson.${lesson.name}.text`] };
    check(await page.isVisible('#lesson-text-2d') && (await page.textContent('#lesson-title-2d')) === words.title &&
      (await page.textContent('#lesson-text-2d')) === words.text && await page.isVisible('#rounds-2d') &&
      await page.isVisible('#canvas-2d'), `${lang} 1920x1080: the plane, the lesson's title and text and the readouts are on screen`);
    // train a little, so that the readouts, the coverage and the losses say something
    await page.click('#play-btn-2d');
    await waitFor(page, () => window.ganplay.mode2d.run.rounds > 300 && window.ganplay.mode2d.measure, null, 'training in presentation', 90000);
    await page.click('#play-btn-2d');
    await waitFor(page, () => !window.ganplay.mode2d.running && window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes,
      null, 'paused');
    await settle(page);
    const s = await presentRules(page, `${lang} 1920x1080`, { minText: 28, minChart: 20 });
    console.log(`     ${lang} 1920x1080: base ${s.base.toFixed(1)} px; ` + ['lesson-text-2d', 'rounds-2d', 'dloss-2d', 'play-btn-2d',
      'pace-label-2d', 'phase-2d'].map((id) => `${id} ${(s.texts.find((x) => x.name === id) || {}).px} px`).join(', ') +
      `; charts ${s.charts.map((c) => `${c.name} ${c.px} px`).join(', ')}`);
    await page.screenshot({ path: path.join(SHOTS, `present-${lang}-1920.png`) });

    if (lang === 'en') {
      // One round in presentation mode is a slow-motion round at the slider's pace, kept in the address
      await page.fill('#pace-2d', '0.5');
      await waitFor(page, () => /(^|&)pace=0.5(&|$)/.test(location.hash.slice(1)) && window.ganplay.modes.mode2d.pace === 500,
        null, 'the pace 0.5 s in the address');
      check((await page.textContent('#pace-out-2d')).includes('0.5'), 'the pace slider says its value', await page.textContent('#pace-out-2d'));
      const fast = await slowRound(page, '#round-2d');
      await presentRules(page, 'en 1920x1080 after a slow round', { minText: 28, minChart: 20 });
      await page.fill('#pace-2d', '1.5');
      await waitFor(page, () => window.ganplay.modes.mode2d.pace === 1500 && /pace=1.5/.test(location.hash), null, 'the pace 1.5 s');
      const slow = await slowRound(page, '#round-2d');
      check(fast.round && slow.round, 'One round in presentation mode walks one round in slow motion, part by part',
        `${fast.phases} and ${slow.phases} parts`);
      check(fast.mean >= 0.9 * 500 && slow.mean >= 0.9 * 1500 && slow.mean > fast.mean,
        'a slower pace makes slow motion’s parts last longer: each part lasts at least the pace set',
        `mean part ${Math.round(fast.mean)} ms at 0.5 s, ${Math.round(slow.mean)} ms at 1.5 s`);
      const url = await page.evaluate(() => location.hash);
      check(url.includes('lesson=collapse') && url.includes('present=1') && url.includes('pace=1.5'),
        'the address keeps the lesson, the presentation and the pace', url);
      errors.push(...page.errors);
      // the pace from the address; a pace out of range is refused and changes nothing
      const again = await newPage(context);
      await open(again, site, url);
      check(await again.evaluate(() => window.ganplay.modes.mode2d.pace) === 1500 && (await again.inputValue('#pace-2d')) === '1.5',
        'a link with pace=1.5 opens with that pace');
      await again.close();
      const bad = await newPage(context);
      await open(bad, site, `${hash}&pace=99`);
      const badState = await bad.evaluate(() => ({ pace: window.ganplay.modes.mode2d.pace, errors: window.ganplay.mode2d.errors }));
      check(badState.pace === 1100 && badState.errors.length === 1 && /99/.test(badState.errors[0]) &&
        (await bad.textContent('#phase-2d')) === badState.errors[0], 'pace=99 is refused with one message and the pace kept',
      badState.errors.join(' | '));
      await bad.close();
    } else errors.push(...page.errors);
    await context.close();

    // 1280x720: the same fit, the type scaled to the screen
    const small = await newContext(browser, { width: 1280, height: 720 });
    const p2 = await newPage(small);
    await open(p2, site, `${hash}${lang === 'en' ? '' : `&lang=${lang}`}`);
    await p2.click('#round-2d');
    await waitFor(p2, () => window.ganplay.mode2d.phases.includes('judge'), null, 'a slow round at 1280x720', 90000);
    await presentRules(p2, `${lang} 1280x720 in slow motion`, { minText: 18, minChart: 13 });
    await p2.screenshot({ path: path.join(SHOTS, `present-${lang}-1280.png`) });
    await waitFor(p2, () => window.ganplay.mode2d.phases.includes('done'), null, 'the slow round at 1280x720 ends', 60000);
    errors.push(...p2.errors);
    await small.close();
  }

  // the normal 2-D mode has the pace too, and its Slow motion button follows it
  const context = await newContext(browser, { width: 1280, height: 900 });
  const page = await newPage(context);
  await open(page, site, '#view=2d&pace=0.3');
  check(await page.isVisible('#pace-2d') && await page.isVisible('#slow-2d') && (await page.inputValue('#pace-2d')) === '0.3',
    'the 2-D mode shows the pace beside Slow motion, from the address');
  const r = await slowRound(page, '#slow-2d');
  check(r.round && r.mean >= 0.9 * 300, 'Slow motion in the 2-D mode keeps the pace set', `mean part ${Math.round(r.mean)} ms at 0.3 s`);
  check(/pace=0.3/.test(await page.evaluate(() => location.hash)), 'the 2-D mode’s address keeps the pace');
  errors.push(...page.errors);

  // the embed: the plane, Play and One round, the lesson's title and text and its numbers
  const embed = await newPage(await newContext(browser, { width: 1280, height: 720 }));
  await open(embed, site, '#embed=collapse');
  const l = await embed.evaluate(() => window.ganplay.modes.mode2d.lesson);
  check(await embed.isVisible('#canvas-2d') && await embed.isVisible('#play-btn-2d') && await embed.isVisible('#round-2d') &&
    (await embed.textContent('#lesson-title-2d')) === l.title && (await embed.textContent('#lesson-text-2d')) === l.text &&
    await embed.isVisible('#lesson-text-2d') && await embed.isVisible('#rounds-2d') && await embed.isVisible('#dloss-2d') &&
    await embed.isHidden('.top') && await embed.isHidden('#slow-2d'),
  'the embed shows the plane, Play and One round, the lesson’s title and text and its readouts');
  await embed.click('#round-2d');
  await waitFor(embed, () => window.ganplay.mode2d.run.rounds === 1, null, 'a round in the embed', 90000);
  await waitFor(embed, () => document.getElementById('rounds-2d').textContent === '1' && document.getElementById('dloss-2d').textContent !== '–',
    null, 'the embed’s readouts follow');
  const fit = await embed.evaluate(() => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth);
  check(fit, 'the embed fits 1280x720');
  await embed.screenshot({ path: path.join(SHOTS, 'embed-1280.png') });
  const plain = await newPage(embed.context());
  await open(plain, site, '#embed=2d');
  check(!(await plain.evaluate(() => window.ganplay.mode2d.errors.length)), '#embed=2d opens the 2-D mode without a lesson and without an error');
  errors.push(...embed.errors, ...plain.errors);

  // 360 px: a phone in presentation mode scrolls down but not sideways
  const narrow = await newPage(await newContext(browser, { width: 360, height: 780 }));
  await open(narrow, site, hash);
  const w = await narrow.evaluate(() => document.documentElement.scrollWidth);
  check(w <= 360, 'presentation mode at 360 px fits the width', `${w} px`);
  await narrow.screenshot({ path: path.join(SHOTS, 'present-360.png'), fullPage: true });
  errors.push(...narrow.errors);
  check(errors.length === 0, 'no console errors', errors.join(' | '));
}
