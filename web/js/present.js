// present.js: the 2-D mode in front of a class. The pace of slow motion (a
// slider, kept in the address as pace=SECONDS), the lesson's title and text
// in their own box (read in presentation mode and in the embed), and "One
// round" walking the round in slow motion in presentation mode, where the
// other step buttons are hidden (style.css, body.present).

import { core, onLang, t } from './i18n.js';
import { $, setText } from './util.js';

export const PACE = { min: 0.3, max: 5, step: 0.1, initial: 1.1 }; // seconds per slow-motion part

// A pace from the address: seconds within PACE's range, else null.
export function parsePace(text) {
  const s = Number(text);
  return String(text).trim() !== '' && Number.isFinite(s) && s >= PACE.min && s <= PACE.max ? s : null;
}

export class Present {
  // mode: the Mode2d; its pace is in milliseconds per part.
  constructor(mode) {
    this.mode = mode;
    this.on = false; // presentation mode
    this.s = PACE.initial; // the pace set (slider or address), in seconds
    const slider = $('pace-2d');
    Object.assign(slider, { min: PACE.min, max: PACE.max, step: PACE.step });
    slider.value = String(PACE.initial);
    slider.addEventListener('input', () => {
      this.setPace(Number(slider.value));
      mode.writeUrl({ present: this.on ? '1' : undefined });
    });
    this.words();
    onLang(() => this.words());
  }

  setPace(s) {
    this.s = s;
    this.mode.pace = Math.round(s * 1000);
    this.words();
  }

  // The address's pace and presentation switch; a pace out of range is
  // refused (the pace kept): the message is returned, for the page to show.
  open(hash) {
    this.on = hash.present === '1';
    let msg = null;
    if (hash.pace !== undefined) {
      const s = parsePace(hash.pace);
      if (s === null) {
        msg = t('present.pace_refused', { value: hash.pace, min: PACE.min, max: PACE.max });
        this.mode.state.errors.push(msg);
      } else this.setPace(s);
    }
    this.words();
    return msg;
  }

  // pace=SECONDS when it is not the initial pace
  toUrl(p) {
    if (this.s !== PACE.initial) p.set('pace', String(this.s));
  }

  showLesson(lesson) {
    $('lesson-box-2d').hidden = !lesson;
    setText($('lesson-title-2d'), lesson ? core('lesson', lesson.name, 'title', lesson.title) : '');
    setText($('lesson-text-2d'), lesson ? core('lesson', lesson.name, 'text', lesson.text) : '');
  }

  words() {
    const s = this.s;
    $('pace-2d').value = String(s);
    setText($('pace-label-2d'), t('present.pace'));
    setText($('pace-out-2d'), t('present.pace_value', { s: s.toFixed(1) }));
    // in presentation mode One round is the slow-motion round; its usual name comes back after
    const round = $('round-2d');
    if (this.on && !this.usual) this.usual = round.textContent;
    if (this.on) setText(round, t('present.round_slow'));
    else if (this.usual) {
      setText(round, this.usual);
      this.usual = null;
    }
  }
}
