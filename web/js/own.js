// own.js: "your own" dataset: drawings on a pad and image files, shrunk in
// the browser to the model's size with canvas calls only. The RGBA bytes
// go to the engine, which turns them into gray training images (28x28) or
// keeps their colours (32x32), as the person chooses; nothing leaves the
// machine.

import { $, fieldMessage, setText } from './util.js';
import { t } from './i18n.js';

const MAX_IMAGES = 2000; // the page keeps at most this many (they are autosaved with the training)
const THUMBS = 10; // thumbnails shown (the last ones added)

export class OwnImages {
  constructor(engine, onUsed) {
    this.engine = engine;
    this.onUsed = onUsed;
    this.sides = { 1: 28, 3: 32 }; // until setLimits: the engine's sides of gray and colour images
    this.channels = 1; // 1 gray, 3 colour: the choice in the panel
    this.size = this.sides[1];
    this.min = 10; // until setLimits: the fewest images the engine trains on
    this.images = []; // Uint8ClampedArray RGBA, size x size each
    this.pad = $('pad');
    this.thumbs = $('own-thumbs');
    this.small = document.createElement('canvas'); // the model-size canvas
    this.msg = $('own-msg');
    this.clearPad();
    this.setupPad();
    $('pad-add').onclick = () => this.addDrawing();
    $('pad-clear').onclick = () => this.clearPad();
    $('own-files').onchange = (e) => this.addFiles(e.target.files);
    $('own-kind').onchange = (e) => this.setChannels(Number(e.target.value));
    $('own-use').onclick = () => this.use();
    $('own-clear').onclick = () => {
      this.images = [];
      this.refresh();
    };
    this.refresh();
  }

  // Gray (1) or colour (3) images, each at the engine's side for it. The
  // images gathered so far are kept, redrawn at the new side.
  setChannels(channels) {
    this.channels = channels === 3 ? 3 : 1;
    $('own-kind').value = String(this.channels);
    const side = this.sides[this.channels];
    if (side !== this.size) {
      const from = this.size, c = document.createElement('canvas');
      c.width = c.height = from;
      const ctx = c.getContext('2d');
      this.size = side;
      const old = this.images;
      this.images = [];
      for (const im of old) {
        ctx.putImageData(new ImageData(new Uint8ClampedArray(im), from, from), 0, 0);
        this.grab(c, from, from);
      }
    }
    const thumbs = this.thumbs, pitch = side + 6; // 6 px between rows and columns
    thumbs.width = 5 * pitch; // five columns, two rows, 2 px of frame
    thumbs.height = 2 * pitch - 2;
    this.refresh();
  }

  setupPad() {
    const pad = this.pad, ctx = pad.getContext('2d');
    let last = null;
    const at = (e) => {
      const r = pad.getBoundingClientRect();
      return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
    };
    pad.addEventListener('pointerdown', (e) => {
      pad.setPointerCapture(e.pointerId);
      last = at(e);
      this.stroke(ctx, last, last);
      e.preventDefault();
    });
    pad.addEventListener('pointermove', (e) => {
      if (!last) return;
      const p = at(e);
      this.stroke(ctx, last, p);
      last = p;
    });
    const end = () => (last = null);
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
  }

  stroke(ctx, a, b) {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 15;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  clearPad() {
    const ctx = this.pad.getContext('2d');
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.pad.width, this.pad.height);
  }

  // Draws a source (canvas or bitmap) onto the model-size canvas, centred
  // and cropped to a square, and keeps its RGBA.
  grab(source, sw, sh) {
    const n = this.size, c = this.small;
    c.width = c.height = n;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const side = Math.min(sw, sh);
    ctx.clearRect(0, 0, n, n);
    ctx.drawImage(source, (sw - side) / 2, (sh - side) / 2, side, side, 0, 0, n, n);
    if (this.images.length >= MAX_IMAGES) throw new Error(`At most ${MAX_IMAGES} images.`);
    this.images.push(ctx.getImageData(0, 0, n, n).data);
  }

  addDrawing() {
    // an empty pad would add a blank image that counts towards the minimum
    const px = this.pad.getContext('2d').getImageData(0, 0, this.pad.width, this.pad.height).data;
    let ink = false;
    for (let i = 0; i < px.length && !ink; i += 4) ink = px[i] > 0 || px[i + 1] > 0 || px[i + 2] > 0;
    if (!ink) {
      fieldMessage(null, this.msg, () => t('own.pad_empty'));
      return;
    }
    this.grab(this.pad, this.pad.width, this.pad.height);
    this.clearPad();
    this.refresh();
  }

  async addFiles(files) {
    let bad = 0;
    for (const f of files) {
      try {
        const bmp = await createImageBitmap(f);
        this.grab(bmp, bmp.width, bmp.height);
        bmp.close();
      } catch {
        bad++;
      }
    }
    this.refresh();
    if (bad) fieldMessage(null, this.msg, () => t('own.unreadable', { n: bad }));
    $('own-files').value = '';
  }

  // The images of a resumed run ({rgba, count, h, w, channels}), back in the panel.
  restore(own) {
    const px = own.h * own.w * 4;
    this.setChannels(own.channels === 3 ? 3 : 1);
    if (own.h !== this.size || own.w !== this.size || own.rgba.length < own.count * px) return;
    this.images = [];
    for (let i = 0; i < own.count; i++) this.images.push(new Uint8ClampedArray(own.rgba.slice(i * px, (i + 1) * px)));
    this.refresh();
  }

  // The fewest images the engine takes (two of every ten are held out), and
  // the sides of gray and colour images (the engine's limits).
  setLimits(limits) {
    this.min = limits.user_images_min;
    this.sides = { 1: limits.own_gray_side, 3: limits.own_colour_side };
    this.images = [];
    this.size = 0;
    this.setChannels(this.channels);
  }

  // The count and the thumbnails of the last images, drawn as the engine
  // trains on them (gp_image_as_trained: gray with dark ink on paper
  // inverted, or in colour).
  async refresh() {
    const n = this.images.length, gen = (this.shownGen = (this.shownGen || 0) + 1);
    const min = this.min;
    setText($('own-count'), () => (n ? t(n === 1 ? 'own.count_one' : 'own.count', { n }) + (n < min ? t('own.count_min', { min }) : '') +
      t('own.count_end') : t('own.none_yet', { min })));
    if (n) fieldMessage(null, this.msg, '');
    const shown = this.images.slice(-THUMBS), side = this.size, px = side * side, channels = this.channels;
    let planes = null;
    if (shown.length) {
      const rgba = new Uint8Array(shown.length * px * 4);
      shown.forEach((im, i) => rgba.set(im, i * px * 4));
      try {
        planes = await this.engine.call('asTrained', { rgba, count: shown.length, h: side, w: side, channels }, [rgba.buffer]);
      } catch (e) {
        fieldMessage(null, this.msg, e.message);
      }
    }
    if (gen !== this.shownGen) return; // a later refresh draws
    const ctx = this.thumbs.getContext('2d');
    ctx.fillStyle = '#303030';
    ctx.fillRect(0, 0, this.thumbs.width, this.thumbs.height);
    this.thumbs.dataset.shown = planes ? String(shown.length) : '0';
    if (!planes) return;
    const pitch = side + 6; // 6 px between rows and columns
    shown.forEach((_, i) => {
      const img = new ImageData(side, side), at = i * channels * px;
      for (let j = 0; j < px; j++) { // gray: one plane for all three; colour: the R, G and B planes
        for (let k = 0; k < 3; k++) img.data[4 * j + k] = planes[at + (channels === 3 ? k * px : 0) + j];
        img.data[4 * j + 3] = 255;
      }
      ctx.putImageData(img, 2 + (i % 5) * pitch, 2 + Math.floor(i / 5) * pitch);
    });
  }

  async use() {
    const n = this.images.length, px = this.size * this.size * 4;
    if (n < this.min) {
      fieldMessage(null, this.msg, () => t('own.too_few', { min: this.min, n }));
      return false;
    }
    const rgba = new Uint8Array(n * px);
    this.images.forEach((im, i) => rgba.set(im, i * px));
    try {
      const d = await this.engine.call('ownDataset', { rgba, count: n, h: this.size, w: this.size, channels: this.channels },
        [rgba.buffer]);
      fieldMessage(null, this.msg, () => t('own.training', { n: d.count, held: d.heldOut }), 'note');
      this.onUsed(d);
      return true;
    } catch (e) {
      fieldMessage(null, this.msg, e.message);
      return false;
    }
  }
}
