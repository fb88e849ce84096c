// lang-switch.js: the header's language switch, and lang= in the address.
//
// The address carries lang= once it was asked for (a link with lang=, or a
// press on the switch); without it the browser's language decides (i18n.js).
// Switching redraws every word in place: the engine is not told, the run,
// the settings and the samples on show stay as they are.

import { lang, setLang, onLang } from './i18n.js';

let asked = new URLSearchParams(location.hash.replace(/^#/, '')).has('lang');

// url (a whole address or just #hash) with this page's lang= when it was asked for.
export function withLang(url) {
  if (!asked) return url;
  const i = url.indexOf('#');
  const p = new URLSearchParams(i < 0 ? '' : url.slice(i + 1));
  p.delete('lang');
  p.set('lang', lang());
  return `${i < 0 ? url : url.slice(0, i)}#${p.toString()}`;
}

// The buttons of #langs (data-lang="en", "zh-CN"); changed() runs after a switch.
export function initLangSwitch(changed = () => {}) {
  const buttons = [...document.querySelectorAll('#langs button[data-lang]')];
  const mark = () => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang())));
  for (const b of buttons) {
    b.onclick = () => {
      asked = true;
      setLang(b.dataset.lang);
      history.replaceState(null, '', withLang(location.href));
      changed();
    };
  }
  // a link followed inside the page (#view=2d...) keeps the language asked for
  addEventListener('hashchange', () => {
    if (!asked) return;
    const want = withLang(location.href);
    if (want !== location.href) history.replaceState(null, '', want);
  });
  mark();
  onLang(mark);
}
