// util.js: small helpers shared by the page's modules.

import { liveText, forget } from './i18n.js';

export const $ = (id) => document.getElementById(id);

// A number for display: finite values with `digits` decimals, else its name.
export const fmt = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

// A float32 setting without float noise (2e-4 rather than 0.00019999999).
export const clean = (v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

// text: a string, or a function giving it in the page's language (it is
// called again when the language changes; i18n.js liveText).
export function setText(el, text) {
  if (typeof text === 'function') text = liveText(el, text);
  else {
    forget(el);
    el.removeAttribute('data-i18n');
  }
  if (el.textContent !== text) el.textContent = text;
}

// Draws an RGBA image {width, height, pixels} on a canvas of that size.
export function drawRgba(canvas, img) {
  if (canvas.width !== img.width || canvas.height !== img.height) {
    canvas.width = img.width;
    canvas.height = img.height;
  }
  const data = new Uint8ClampedArray(img.pixels);
  canvas.getContext('2d').putImageData(new ImageData(data, img.width, img.height), 0, 0);
}

// Offers bytes or a blob as a file download.
export function download(data, name, type = 'application/octet-stream') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A message next to a field: text, or '' to clear.
// The text is in a span of its own: under a setting, a message longer than
// its reserved line lies over what is below instead of pushing it down.
export function fieldMessage(input, msgEl, text, kind = 'error') {
  if (msgEl.textContent !== (typeof text === 'function' ? text() : text)) {
    const span = document.createElement('span');
    setText(span, text);
    msgEl.replaceChildren(...(span.textContent ? [span] : []));
  }
  if (typeof text === 'function') text = text();
  // a refusal inside a closed section opens it, so the message is seen
  const box = msgEl.closest('details');
  if (text && kind === 'error' && box) box.open = true;
  msgEl.dataset.kind = text ? kind : '';
  if (input) input.setAttribute('aria-invalid', text && kind === 'error' ? 'true' : 'false');
}
