// i18n.js: the page's words, from one table per language (web/lang/*.js).
//
// The language is the address's lang= (en or zh-CN), else the browser's
// (navigator.languages: any zh-* is zh-CN), else English. t(key, vars)
// gives a key's text with {name} filled from vars; static text in
// index.html carries data-i18n="key" (its text) and
// data-i18n-attr="title:key;aria-label:key" (attributes), set by apply().
// Text the engine writes (its tables: settings, lessons, distributions,
// losses, datasets) is English in the core; core(kind, name, field, english)
// gives it in the page's language: English as the engine said it, other
// languages from their table's "core.KIND.NAME.FIELD" key.
// A key missing from the table in use is shown as ⟦key⟧ and recorded in
// missing, so the tests find it.

import en from '../lang/en.js';
import zhCN from '../lang/zh-CN.js';

export const LANGS = { en, 'zh-CN': zhCN };
export const LANG_NAMES = { en: 'English', 'zh-CN': '中文' };
export const missing = new Set();

// en or zh-CN from a tag such as "zh", "zh-Hans-CN", "en-GB"; null for others.
export function pickLang(tag) {
  const t = String(tag || '').toLowerCase();
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

// The language asked for by the address, else the browser's first known one.
export function initialLang(hash = location.hash) {
  const asked = pickLang(new URLSearchParams(hash.replace(/^#/, '')).get('lang'));
  if (asked) return asked;
  for (const l of navigator.languages || [navigator.language]) {
    const p = pickLang(l);
    if (p) return p;
  }
  return 'en';
}

let current = initialLang();
const listeners = [];

export const lang = () => current;

const fill = (text, vars) => (vars ? text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : text);

export function t(key, vars) {
  const text = LANGS[current][key];
  if (typeof text !== 'string') {
    missing.add(`${current}:${key}`);
    return `⟦${key}⟧`;
  }
  return fill(text, vars);
}

// A string of the engine's tables in the page's language.
export function core(kind, name, field, english) {
  if (current === 'en') return english;
  return t(`core.${kind}.${name}.${field}`);
}

// Sets the static text of root's elements that carry data-i18n / data-i18n-attr.
export function apply(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const text = t(el.dataset.i18n);
    if (el.textContent !== text) el.textContent = text;
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

// Calls fn (now and) whenever the language changes: it redraws its words.
export function onLang(fn) {
  listeners.push(fn);
}

// Changes the language: static text, then every listener; the caller keeps it in the address.
export function setLang(l) {
  const p = pickLang(l);
  if (!p || p === current) return;
  current = p;
  apply();
  for (const [el, fn] of live) {
    if (el.isConnected) el.textContent = fn();
    else live.delete(el); // taken off the page (a redrawn list): forgotten
  }
  for (const fn of listeners) fn(current);
}

// Text that follows the language: el shows fn() now and again after each
// change of language (util.setText and fieldMessage take such a function).
// Giving the element a plain string later ends it (forget(el)).
const live = new Map();
export function liveText(el, fn) {
  el.removeAttribute('data-i18n');
  live.set(el, fn);
  return fn();
}
export const forget = (el) => live.delete(el);

// A number in the page's language (digit groups, decimals).
export const num = (v, opts) => Number(v).toLocaleString(current, opts);
// A time of day in the page's language.
export const time = (ms) => new Date(ms).toLocaleTimeString(current);
