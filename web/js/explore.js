// explore.js: keep samples from the grid, see their neighbours, walk the
// spherical path between the last two kept, and steer along fixed latent
// directions. The latent arithmetic is the engine's (gpw_z_*); this only
// asks for images and draws them.

import { $, drawRgba, setText } from './util.js';

// The sample grid's layout, as the engine draws it: COLS columns, images
// PAD pixels apart and around (set from the engine's tables: setLayout).
let PAD = 2, COLS = 8;

export class Explore {
  setLayout(cols, pad) {
    COLS = cols;
    PAD = pad;
  }

  constructor(engine, state) {
    this.engine = engine;
    this.state = state;
    this.kept = [{ seed: 1, index: 1 }, { seed: 1, index: 0 }]; // [last, before]
    this.cursor = 0;
    this.dirs = [];
    this.playing = false;
    this.phase = 0;
    this.frameBusy = false;
    this.busy = false;
    this.again = false;
    this.grid = $('grid');
    this.cursorEl = $('grid-cursor');
    this.buildSliders(4);
    this.grid.addEventListener('click', (e) => this.click(e));
    this.grid.addEventListener('keydown', (e) => this.key(e));
    this.grid.addEventListener('focus', () => this.showCursor());
    this.grid.addEventListener('blur', () => (this.cursorEl.hidden = true));
    $('radius').addEventListener('input', () => {
      setText($('radius-value'), Number($('radius').value).toFixed(1));
      this.refresh();
    });
    $('morph-play').onclick = () => this.play(!this.playing);
  }

  buildSliders(n) {
    const box = $('dirs');
    box.textContent = '';
    this.dirs = [];
    for (let k = 0; k < n; k++) {
      const row = document.createElement('div');
      row.className = 'field-row';
      const label = document.createElement('label');
      label.htmlFor = `dir-${k}`;
      // fixed random unit vectors in z: nothing names what they change
      label.textContent = `Random direction ${k + 1}`;
      label.title = 'A fixed random direction in the noise space; what it changes depends on the model.';
      const input = document.createElement('input');
      Object.assign(input, { type: 'range', id: `dir-${k}`, min: '-3', max: '3', step: '0.1', value: '0' });
      const out = document.createElement('output');
      out.htmlFor = `dir-${k}`;
      out.textContent = '0.0';
      input.addEventListener('input', () => {
        out.textContent = Number(input.value).toFixed(1);
        this.refresh();
      });
      row.append(label, input, out);
      box.append(row);
      this.dirs.push(input);
    }
  }

  // Which of the 64 samples a click landed on.
  click(e) {
    const r = this.grid.getBoundingClientRect();
    const gx = ((e.clientX - r.left) * this.grid.width) / r.width;
    const gy = ((e.clientY - r.top) * this.grid.height) / r.height;
    const cell = this.cell();
    const col = Math.min(COLS - 1, Math.max(0, Math.floor((gx - PAD / 2) / cell)));
    const row = Math.min(COLS - 1, Math.max(0, Math.floor((gy - PAD / 2) / cell)));
    this.cursor = row * COLS + col;
    this.showCursor(); // the highlight follows the click
    this.keep(this.cursor);
  }

  key(e) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLS, ArrowDown: COLS };
    if (e.key in moves) {
      this.cursor = Math.min(63, Math.max(0, this.cursor + moves[e.key]));
      this.showCursor();
      e.preventDefault();
    } else if (e.key === 'Enter' || e.key === ' ') {
      this.keep(this.cursor);
      e.preventDefault();
    }
  }

  // One image and its gap, in grid pixels: from the grid the engine drew
  // (COLS images of the model's size, PAD apart and around).
  cell() {
    return (this.grid.width - PAD) / COLS;
  }

  showCursor() {
    const col = this.cursor % COLS, row = Math.floor(this.cursor / COLS);
    const cell = this.cell();
    const pct = (v) => `${((PAD / 2 + v * cell) / this.grid.width) * 100}%`;
    this.cursorEl.style.left = pct(col);
    this.cursorEl.style.top = pct(row);
    this.cursorEl.style.width = this.cursorEl.style.height = `${(cell / this.grid.width) * 100}%`;
    this.cursorEl.hidden = false;
  }

  keep(index) {
    this.kept = [{ seed: this.state.noiseSeed, index }, this.kept[0]];
    this.state.kept = this.kept.map((k) => ({ ...k }));
    setText($('explore-title'), 'Explore');
    // said next to the grid: the views it fills are further down
    setText($('kept-msg'), `Kept sample ${index + 1} (row ${Math.floor(index / COLS) + 1}, column ${(index % COLS) + 1}): ` +
      'its neighbours and the path from the one kept before are under Explore.');
    $('kept-link').hidden = false;
    this.refresh();
  }

  // Redraws neighbours, path and steered sample (one request at a time).
  // state.exploreAsked counts the redraws asked for, state.exploreAnswered
  // the last one a drawing answers (what the tests wait on).
  async refresh() {
    if (!this.state.ready) return;
    this.state.exploreAsked++;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const asked = this.state.exploreAsked;
    try {
      const r = await this.engine.call('explore', {
        a: this.kept[0], b: this.kept[1], radius: Number($('radius').value),
        neighbourSeed: 1000 + this.kept[0].index, dirs: this.dirs.map((d) => Number(d.value)),
      });
      drawRgba($('neighbours'), r.neighbours);
      drawRgba($('path'), r.path);
      drawRgba($('steered'), r.steered);
      if (!this.playing) drawRgba($('morph'), await this.engine.call('frame', { a: this.kept[0], b: this.kept[1], t: 0.5 }));
      this.state.exploreDraws++;
      this.state.exploreAnswered = asked;
    } catch (e) {
      // the model may be changing; the next refresh will draw
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  play(on) {
    this.playing = on;
    const b = $('morph-play');
    b.setAttribute('aria-pressed', String(on));
    b.textContent = on ? 'Pause' : 'Play';
    if (on) requestAnimationFrame((t) => this.animate(t));
  }

  // Back and forth along the path, one frame per display frame at most.
  async animate(time) {
    if (!this.playing) return;
    if (!this.frameBusy) {
      this.frameBusy = true;
      const t = (1 - Math.cos((time / 2500) * Math.PI)) / 2;
      try {
        drawRgba($('morph'), await this.engine.call('frame', { a: this.kept[0], b: this.kept[1], t }));
        this.state.morphFrames++;
      } catch {
        // ignore: the model may be changing
      }
      this.frameBusy = false;
    }
    requestAnimationFrame((t) => this.animate(t));
  }
}
