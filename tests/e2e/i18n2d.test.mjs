// The 2-D mode in Simplified Chinese: #view=2d&lesson=collapse&lang=zh-CN
// shows no key in place of a text (⟦key⟧) and records none missing; at
// least half of the letters on screen are Chinese characters; the engine's
// tables (distributions, settings, the lesson), the readouts, slow motion's
// captions and a refusal come in Chinese; switching to English and back
// keeps the run and leaves no Chinese in the 2-D sections. Printing a lesson
// gives a worksheet: its title and text, the plane, the readouts and lines
// for answers, without buttons. Screenshots at 1280 and 360 px and of the
// printed page.
import path from 'node:path';
import { SHOTS, check, newContext, newPage, waitFor } from './helpers.mjs';

const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;

async function open(page, site, hash) {
  await page.goto(site + hash);
  await waitFor(page, () => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame &&
    window.ganplay.mode2d.lastFrame.asOf === window.ganplay.mode2d.changes, null, `${hash}: the 2-D mode draws`, 60000);
}

// The page's i18n module (the same instance the page uses): what is missing, and setLang.
const missing = (page) => page.evaluate(async () => [...(await import(new URL('js/i18n.js', document.baseURI).href)).missing]);
const setLang = (page, l) => page.evaluate(async (x) => (await import(new URL('js/i18n.js', document.baseURI).href)).setLang(x), l);

// Letters on screen (visible text of the body) and in the 2-D sections' labels: Han and all.
function letters(page) {
  return page.evaluate(() => {
    const text = document.body.innerText;
    const attrs = [...document.querySelectorAll('.mode-2d [aria-label], .mode-2d [title]')]
      .map((e) => `${e.getAttribute('aria-label') || ''} ${e.getAttribute('title') || ''}`).join(' ');
    const sections = [...document.querySelectorAll('.mode-2d')].map((s) => s.innerText).join(' ');
    return { text, attrs, sections };
  });
}

const count = (s, re) => (s.match(re) || []).length;

export async function run({ browser, site }) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await open(page, site, '#view=2d&lesson=collapse&lang=zh-CN');
  check(await page.evaluate(() => window.ganplay.mode2d.lesson === 'collapse' && document.documentElement.lang === 'zh-CN'),
    'the collapse lesson opens in zh-CN');

  let seen = await letters(page);
  const keys = (seen.text + seen.attrs).match(/⟦[^⟧]*⟧/g) || [];
  check(!keys.length, 'no key shown in place of a text (zh-CN)', keys.slice(0, 8).join(' '));
  let miss = await missing(page);
  check(!miss.length, 'no key missing from the zh-CN table', miss.slice(0, 12).join(', '));
  const han = count(seen.text, HAN), all = count(seen.text, LETTER);
  check(han >= all / 2, 'at least half of the letters on screen are Chinese characters', `${han} of ${all}`);
  console.log(`     zh-CN, #view=2d&lesson=collapse: ${han} of ${all} letters on screen are Chinese characters`);

  // the engine's tables and the mode's own words
  const words = await page.evaluate(() => ({
    dist: document.querySelector('#dist-2d option[value="ring"]').textContent,
    loss: document.querySelector('label[for="f-loss-2d"]').textContent,
    lesson: document.getElementById('lesson-collapse').textContent,
    dfake: document.getElementById('dfake-label-2d').textContent,
    play: document.getElementById('play-btn-2d').textContent,
    coverage: document.getElementById('coverage-2d').textContent,
  }));
  const chinese = (s) => count(s, HAN) > 0;
  check(Object.values(words).every(chinese), 'distributions, settings, lessons, readouts and buttons are in Chinese', JSON.stringify(words));

  // slow motion's captions, and a refusal
  await page.evaluate(() => (window.ganplay.modes.mode2d.pace = 40));
  await page.click('#slow-2d');
  await waitFor(page, () => window.ganplay.mode2d.phases.includes('done'), null, 'slow motion ends', 60000);
  const caption = await page.textContent('#phase-2d');
  check(chinese(caption) && !caption.includes('⟦'), 'slow motion speaks Chinese', caption);
  await page.fill('#f-lr_g-2d', 'abc');
  await page.dispatchEvent('#f-lr_g-2d', 'change');
  await waitFor(page, () => document.getElementById('f-lr_g-2d-msg').textContent !== '', null, 'a refusal shown');
  const refusal = await page.textContent('#f-lr_g-2d-msg');
  check(refusal.includes('未被接受'), 'a refused value is explained in Chinese', refusal);

  await page.screenshot({ path: path.join(SHOTS, 'i18n2d-zh-1280.png'), fullPage: true });

  // switching: English, then back; the run stays
  const rounds = await page.evaluate(() => window.ganplay.mode2d.run.rounds);
  await page.click('#round-2d');
  await waitFor(page, (n) => window.ganplay.mode2d.run.rounds === n + 1, rounds, 'one round');
  const before = await page.evaluate(() => JSON.stringify([window.ganplay.mode2d.run.rounds, window.ganplay.mode2d.pending]));
  await setLang(page, 'en');
  seen = await letters(page);
  check(count(seen.sections, HAN) === 0 && count(seen.attrs, HAN) === 0 && (await page.textContent('#round-2d')) === 'One round' &&
    (await page.textContent('#title-2d')) === 'The game in two dimensions',
  'switched to English, the 2-D sections have no Chinese left', (seen.sections.match(HAN) || []).slice(0, 20).join(''));
  await setLang(page, 'zh-CN');
  seen = await letters(page);
  check((await page.textContent('#round-2d')) === '走一轮' && count(seen.text, HAN) >= count(seen.text, LETTER) / 2,
    'and back in Chinese');
  const after = await page.evaluate(() => JSON.stringify([window.ganplay.mode2d.run.rounds, window.ganplay.mode2d.pending]));
  check(before === after, 'switching language keeps the run and the settings');
  miss = await missing(page);
  check(!miss.length, 'no key missing after switching', miss.slice(0, 12).join(', '));

  // printing a lesson: a worksheet
  await page.emulateMedia({ media: 'print' });
  const sheet = await page.evaluate(() => {
    const shown = (id) => {
      const e = document.getElementById(id);
      return !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0;
    };
    const buttons = [...document.querySelectorAll('button')].filter((b) => b.getBoundingClientRect().height > 0).length;
    return { title: document.getElementById('worksheet-title-2d').textContent, lesson: document.getElementById('lesson-collapse').textContent,
      shown: ['worksheet-2d', 'canvas-2d', 'rounds-2d', 'answers-2d'].filter(shown), buttons,
      lines: document.querySelectorAll('#answers-2d .answer-line').length,
      bg: getComputedStyle(document.body).backgroundColor };
  });
  check(sheet.title === sheet.lesson && sheet.shown.length === 4 && sheet.buttons === 0 && sheet.lines >= 6 &&
    sheet.bg === 'rgb(255, 255, 255)', 'printed, a lesson is a worksheet: title and text, the plane, readouts, answer lines, no buttons',
  JSON.stringify(sheet));
  await page.screenshot({ path: path.join(SHOTS, 'i18n2d-print.png'), fullPage: true });
  try {
    await page.pdf({ path: path.join(SHOTS, 'i18n2d-print.pdf'), format: 'A4' });
  } catch (e) {
    console.log(`     (no PDF from this browser: ${String(e.message).split('\n')[0]})`);
  }
  await page.emulateMedia({ media: 'screen' });
  await page.screenshot({ path: path.join(SHOTS, 'i18n2d-zh-1280-top.png') });

  // 360 px in Chinese: it fits
  const narrow = await newPage(await newContext(browser, { width: 360, height: 780 }));
  await open(narrow, site, '#view=2d&lesson=collapse&lang=zh-CN');
  check(await narrow.evaluate(() => document.documentElement.scrollWidth <= 360), 'at 360 px the Chinese 2-D mode fits the screen');
  await narrow.screenshot({ path: path.join(SHOTS, 'i18n2d-zh-360.png'), fullPage: true });
  await narrow.screenshot({ path: path.join(SHOTS, 'i18n2d-zh-360-top.png') });
  check(page.errors.length === 0 && narrow.errors.length === 0, 'no console errors', page.errors.concat(narrow.errors).join(' | '));
  await context.close();
}
