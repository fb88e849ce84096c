// The page in two languages. (a) en.js and zh-CN.js hold the same keys (the
// engine's tables' core.* keys are in zh-CN.js only: English comes from the
// engine), no empty text, the same {names} in both; the zh-CN table covers
// every row of the engine's tables the page shows. (b) With lang=zh-CN, on the
// main view (first samples drawn, a sample kept, the directions measured, a
// picture projected, the units drawn) and on #view=2d&lesson=collapse: no
// visible text or title/aria-label/alt/placeholder is an English text of the
// tables or an English sentence (three words or more), unless it is inside an
// element marked lang="en" (the engine's own words); no key is missing; at
// least half of the letters on screen are Chinese characters. (c) The default
// page in an en-US browser has no Chinese character. (d) A zh-CN browser with
// no lang= opens in Chinese. (e) Switching language while training keeps the
// run (the step count goes on, the samples are not redrawn from scratch) and
// two changed settings, and the address keeps lang=. (f) A link with lang=en
// opens in English in a zh-CN browser.
import path from 'node:path';
import en from '../../web/lang/en.js';
import zh from '../../web/lang/zh-CN.js';
import { SHOTS, check, newPage, waitFor, waitReady } from './helpers.mjs';

const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;
const count = (s, re) => (s.match(re) || []).length;
const NAMES = /\{(\w+)\}/g;
const names = (s) => [...new Set([...s.matchAll(NAMES)].map((m) => m[1]))].sort().join(',');

// Words a Chinese page keeps as they are (symbols, names of things).
const SYMBOLS = new Set(['ganplay', 'English', 'D(x)', 'G(z)', 'D(G(z))', 'FD', 'Adam', 'MNIST', 'Fashion-MNIST', 'PNG', 'WGAN-GP',
  'SIMD', 'IoU', 'KL', 'JS', 'SGD', 'ReLU', 'LeakyReLU', 'Tanh', 'Sigmoid', 'DCGAN', 'ACGAN', 'EMA', 'LSGAN', 'WebAssembly SIMD']);
// Three Latin words in a row (a sentence, not a symbol).
const SENTENCE = /[A-Za-z][a-z’']+(?:[ ,:]+[A-Za-z][a-z’']+){2,}/;

// English texts of the table that say something (not symbols shared by both tables).
const englishTexts = new Set(Object.entries(en)
  .filter(([k, v]) => zh[k] !== v && /[A-Za-z]{3,}/.test(v) && !/\{\w+\}/.test(v) && !SYMBOLS.has(v.trim()))
  .map(([, v]) => v.trim()));

// The page's i18n module (the instance the page uses): the keys it found missing.
const missing = (page) => page.evaluate(async () => [...(await import(new URL('js/i18n.js', document.baseURI).href)).missing]);

// Every text the page shows: visible text nodes and the labels of visible
// elements (title, aria-label, alt, placeholder), each with whether it sits
// inside an element marked lang="en".
function shown(page) {
  return page.evaluate(() => {
    const out = [];
    const visible = (el) => {
      if (!el || !el.isConnected) return false;
      if (el.closest('option')) el = el.closest('select');
      if (!el || el.closest('[hidden]')) return false;
      const s = getComputedStyle(el);
      return s.visibility !== 'hidden' && s.display !== 'none' && el.getClientRects().length > 0;
    };
    const english = (el) => { const l = el.closest('[lang]'); return !!l && l.getAttribute('lang') === 'en'; };
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement, text = n.textContent.replace(/\s+/g, ' ').trim();
      if (!text || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName) || !visible(el)) continue;
      out.push({ text, en: english(el), where: el.id || el.closest('[id]')?.id || el.tagName });
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [alt], [placeholder]')) {
      if (!visible(el)) continue;
      for (const a of ['title', 'aria-label', 'alt', 'placeholder']) {
        const text = (el.getAttribute(a) || '').replace(/\s+/g, ' ').trim();
        if (text) out.push({ text, en: english(el), where: `${el.id || el.tagName}[${a}]` });
      }
    }
    return { items: out, text: document.body.innerText };
  });
}

// What is shown untranslated: an English text of the tables, or an English sentence.
function untranslated(items) {
  return items.filter((i) => !i.en && !SYMBOLS.has(i.text) &&
    (englishTexts.has(i.text) || SENTENCE.test(i.text.replace(/\p{Script=Han}.*$/u, '')) || SENTENCE.test(i.text.replace(/^.*\p{Script=Han}/u, ''))));
}

// Checks a Chinese page: no untranslated text, no key missing, half its letters Chinese.
async function chinese(page, what) {
  const { items, text } = await shown(page);
  const bad = untranslated(items);
  // I18N_DUMP=1: every text with Latin letters, to read through
  if (process.env.I18N_DUMP)
    for (const i of items) if (/[A-Za-z]{2,}/.test(i.text)) console.log(`     ${i.en ? '[en] ' : ''}${i.where}: ${i.text.slice(0, 160)}`);
  check(!bad.length, `${what}: no English text shown outside the engine's own words`,
    bad.slice(0, 12).map((b) => `${b.where}: “${b.text.slice(0, 90)}”`).join(' | '));
  const keys = items.map((i) => i.text).join(' ').match(/⟦[^⟧]*⟧/g) || [];
  check(!keys.length, `${what}: no key shown in place of a text`, keys.slice(0, 8).join(' '));
  const miss = await missing(page);
  check(!miss.length, `${what}: no key missing from the tables`, miss.slice(0, 12).join(', '));
  const han = count(text, HAN), all = count(text, LETTER);
  check(han >= all / 2, `${what}: at least half of the letters on screen are Chinese characters`, `${han} of ${all}`);
  console.log(`     ${what}: ${han} of ${all} letters on screen are Chinese characters (${(100 * han / all).toFixed(0)}%)`);
  return { han, all };
}

async function context(browser, locale, { width = 1280, height = 900 } = {}) {
  return browser.newContext({ viewport: { width, height }, locale, serviceWorkers: 'block', acceptDownloads: true });
}

async function firstSamples(page) {
  await waitReady(page);
  await waitFor(page, () => window.ganplay.state.firstGridAt !== null, null, 'first samples drawn', 60000);
}

export async function run({ browser, site }) {
  // (a) the tables
  const enKeys = Object.keys(en), zhKeys = Object.keys(zh).filter((k) => !k.startsWith('core.'));
  const onlyEn = enKeys.filter((k) => !(k in zh)), onlyZh = zhKeys.filter((k) => !(k in en));
  check(!onlyEn.length && !onlyZh.length, 'en.js and zh-CN.js hold the same keys (core.* aside)',
    `only in en: ${onlyEn.slice(0, 8).join(', ')}; only in zh-CN: ${onlyZh.slice(0, 8).join(', ')}`);
  check(!enKeys.some((k) => k.startsWith('core.')), 'en.js holds no core.* key (the engine says those in English)');
  const empty = Object.entries({ ...Object.fromEntries(Object.entries(en).map(([k, v]) => [`en:${k}`, v])),
    ...Object.fromEntries(Object.entries(zh).map(([k, v]) => [`zh-CN:${k}`, v])) }).filter(([, v]) => typeof v !== 'string' || !v.length);
  check(!empty.length, 'no empty text in either table', empty.slice(0, 8).map((e) => e[0]).join(', '));
  const unnamed = enKeys.filter((k) => k in zh && names(en[k]) !== names(zh[k]));
  check(!unnamed.length, 'each text has the same {names} in both tables', unnamed.slice(0, 8).join(', '));

  // (b) the main view in Chinese
  const ctxZh = await context(browser, 'en-US');
  const page = await newPage(ctxZh);
  await page.goto(`${site}#lang=zh-CN`);
  await firstSamples(page);
  await waitFor(page, () => window.ganplay.state.dataset, null, 'the data loaded');
  // every row of the engine's tables the image mode shows has its zh-CN keys
  const rows = await page.evaluate(() => {
    const tb = window.ganplay.settings.table, out = [];
    for (const r of tb.settings) {
      if (r.name === 'preset') continue;
      out.push(`core.setting.${r.name}.label`, `core.setting.${r.name}.help`);
      if (r.choices) for (const c of r.choices) if (r.name !== 'preset') out.push(`core.setting.${r.name}.choice.${c}`);
    }
    for (const p of tb.presets || []) out.push(`core.preset.${p.name}.label`, `core.preset.${p.name}.help`);
    for (const l of tb.losses || []) out.push(`core.loss.${l.name}.help`);
    return out;
  });
  const noKey = rows.filter((k) => !(k in zh));
  check(rows.length > 20 && !noKey.length, `the zh-CN table covers the engine's settings, presets and losses (${rows.length} keys)`,
    noKey.slice(0, 12).join(', '));

  // the directions (the page measures them by itself), a sample kept, a held-out digit projected, the units drawn
  await waitFor(page, () => window.ganplay.state.directionsFound > 0, null, 'the directions measured', 120000);
  await page.click('#grid', { position: { x: 40, y: 40 } });
  await waitFor(page, () => window.ganplay.state.kept && window.ganplay.state.exploreAnswered > 0, null, 'a sample kept');
  await page.click('#edit-real');
  await waitFor(page, () => window.ganplay.state.edit.status.includes('投影'), null, 'a held-out digit on the pad');
  await page.click('#edit-project');
  await waitFor(page, () => window.ganplay.state.edit.projections > 0 && window.ganplay.state.edit.nearest, null, 'projected', 120000);
  await waitFor(page, () => window.ganplay.state.units.draws > 0, null, 'the units drawn', 60000);
  await page.click('#settings-box > summary');
  await chinese(page, 'zh-CN, the main view');
  const buttons = await page.evaluate(() => [...document.querySelectorAll('button')]
    .filter((b) => b.getClientRects().length && b.scrollWidth > b.clientWidth + 1).map((b) => b.id || b.textContent.trim()));
  check(!buttons.length, 'zh-CN at 1280 px: no button’s text overflows it', buttons.join(' | '));
  await page.screenshot({ path: path.join(SHOTS, 'i18n-zh-1280.png'), fullPage: true });

  // (e) switching language while training: the run goes on, the settings stay
  await page.click('#start');
  await waitFor(page, () => window.ganplay.state.running && window.ganplay.state.step > 2, null, 'training starts', 60000);
  for (const [key, value] of [['lr_g', '0.0005'], ['lr_d', '0.0003']]) {
    await page.fill(`#f-${key}`, value);
    await page.press(`#f-${key}`, 'Enter');
    await waitFor(page, (k) => document.getElementById(`f-${k}-msg`).dataset.kind === 'note', key, `${key} accepted while training`);
  }
  const before = await page.evaluate(() => ({ step: window.ganplay.state.step, model: window.ganplay.state.model.name,
    firstGridAt: window.ganplay.state.firstGridAt }));
  await page.click('#langs button[data-lang="en"]');
  await waitFor(page, () => document.documentElement.lang === 'en', null, 'switched to English');
  await waitFor(page, (n) => window.ganplay.state.step > n + 2, before.step, 'training goes on after the switch', 60000);
  const after = await page.evaluate(async () => ({ step: window.ganplay.state.step, model: window.ganplay.state.model.name,
    running: window.ganplay.state.running, firstGridAt: window.ganplay.state.firstGridAt,
    lrg: document.getElementById('f-lr_g').value, lrd: document.getElementById('f-lr_d').value, hash: location.hash,
    config: (await window.ganplay.debug.modelInfo()).config }));
  check(after.running && after.step > before.step && after.model === before.model && after.firstGridAt === before.firstGridAt,
    'switching language keeps the run: the same model trains on, its step count goes on', JSON.stringify({ before, after }));
  check(Number(after.lrg) === 0.0005 && Number(after.lrd) === 0.0003 && Math.abs(after.config.lr_g - 5e-4) < 1e-9 &&
    Math.abs(after.config.lr_d - 3e-4) < 1e-9, 'switching language keeps the changed settings, in the fields and in the model',
  `${after.lrg} ${after.lrd} ${after.config.lr_g} ${after.config.lr_d}`);
  check(/(^|[#&])lang=en(&|$)/.test(after.hash), 'the address keeps lang=en', after.hash);
  const enNow = await shown(page);
  check(count(enNow.items.filter((i) => !i.where.includes('lang')).map((i) => i.text).join(' '), HAN) === 0,
    'switched to English, no Chinese character is left', enNow.items.filter((i) => count(i.text, HAN)).slice(0, 6).map((i) => i.text).join(' | '));
  await page.click('#langs button[data-lang="zh-CN"]');
  await waitFor(page, () => document.documentElement.lang === 'zh-CN', null, 'back to Chinese');
  const back = await page.evaluate(() => ({ step: window.ganplay.state.step, hash: location.hash }));
  check(back.step >= after.step && /lang=zh-CN/.test(back.hash), 'back in Chinese, the run still goes on and the address says lang=zh-CN',
    JSON.stringify(back));
  await page.click('#pause');
  await waitFor(page, () => !window.ganplay.state.running, null, 'training pauses');
  await chinese(page, 'zh-CN, the main view after training');
  check(page.errors.length === 0, 'no console errors (zh-CN main view)', page.errors.join(' | '));

  // (b) the 2-D mode's collapse lesson in Chinese
  const p2 = await newPage(ctxZh);
  await p2.goto(`${site}#view=2d&lesson=collapse&lang=zh-CN`);
  await waitFor(p2, () => window.ganplay && window.ganplay.modes.mode2d.ready && window.ganplay.mode2d.lastFrame, null, 'the 2-D mode draws', 60000);
  await chinese(p2, 'zh-CN, #view=2d&lesson=collapse');
  check(p2.errors.length === 0, 'no console errors (zh-CN 2-D)', p2.errors.join(' | '));
  await ctxZh.close();

  // (c) the default page in an English browser: no Chinese at all
  const ctxEn = await context(browser, 'en-US');
  const p3 = await newPage(ctxEn);
  await p3.goto(site);
  await firstSamples(p3);
  const en3 = await shown(p3);
  const han3 = en3.items.filter((i) => count(i.text, HAN) && !/^中文$/.test(i.text));
  check(await p3.evaluate(() => document.documentElement.lang === 'en') && !han3.length,
    'an en-US browser gets the English page, with no Chinese character (the switch’s 中文 aside)',
  han3.slice(0, 6).map((i) => i.text).join(' | '));
  await ctxEn.close();

  // (d) a zh-CN browser without lang=: Chinese; (f) a link with lang=en: English
  const ctxBrowserZh = await context(browser, 'zh-CN');
  const p4 = await newPage(ctxBrowserZh);
  await p4.goto(site);
  await firstSamples(p4);
  const zh4 = await shown(p4);
  check(await p4.evaluate(() => document.documentElement.lang === 'zh-CN' && !/lang=/.test(location.hash)) &&
    count(zh4.text, HAN) >= count(zh4.text, LETTER) / 2, 'a zh-CN browser opens the page in Chinese without lang= in the address');
  const p5 = await newPage(ctxBrowserZh);
  await p5.goto(`${site}#lang=en`);
  await firstSamples(p5);
  const en5 = await shown(p5);
  const han5 = count(en5.items.filter((i) => i.text !== '中文').map((i) => i.text).join(' '), HAN);
  check(await p5.evaluate(() => document.documentElement.lang === 'en') && han5 === 0,
    'a shared link with lang=en opens in English in a zh-CN browser');
  await ctxBrowserZh.close();

  // 360 px in Chinese: nothing wider than the screen, no button's text overflows it
  const ctxNarrow = await context(browser, 'zh-CN', { width: 360, height: 780 });
  const p6 = await newPage(ctxNarrow);
  await p6.goto(`${site}#lang=zh-CN`);
  await firstSamples(p6);
  const over = await p6.evaluate(() => ({ wide: document.documentElement.scrollWidth,
    buttons: [...document.querySelectorAll('button')].filter((b) => b.getClientRects().length && b.scrollWidth > b.clientWidth + 1)
      .map((b) => b.id || b.textContent.trim()) }));
  check(over.wide <= 360 && !over.buttons.length, 'at 360 px the Chinese page fits the screen and its buttons fit their text', JSON.stringify(over));
  await p6.screenshot({ path: path.join(SHOTS, 'i18n-zh-360.png'), fullPage: true });
  await ctxNarrow.close();
}
