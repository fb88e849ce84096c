// save2d.js: saving and opening 2-D runs, so a teacher prepares a run
// before class and opens it there. "Save this run" downloads the engine's
// file of the run on show (a model file with its plane section: the
// networks and their optimiser state, the rounds, the distribution with
// any drawn points, the lesson, the charts, the seed of the fakes drawn);
// "Open a saved run" asks the engine whether it takes the file, then (after
// asking, if the run on show has unsaved work) makes it the run on show.
// A refused file leaves the run on show as it was.
import { core, t } from './i18n.js';
import { parseHash } from './settings.js';
import { $, download, fieldMessage, setText } from './util.js';

export class Save2d {
  constructor(mode) {
    this.mode = mode; // the Mode2d
    this.clean = null; // {step, d_step} of the run when it was last saved or opened
    this.openedAt = null; // the setup and view of the address when a saved run was opened (see keeps)
    this.openedView = null;
    // what the tests read: saves offered, files answered (opened or not), addresses that kept an opened run, the last opened file's plane, the last refusal
    this.state = { saves: 0, answers: 0, kept: 0, opened: null, refused: null, confirming: null, lastName: null };
    mode.state.saved = this.state;
    $('save-run-2d').onclick = () => this.save().catch((e) => this.say(() => t('save2d.save_failed', { why: this.why(e) }), 'error'));
    $('open-run-2d').addEventListener('change', (e) => this.open(e).finally(() => this.state.answers++));
  }

  // Whether the address asks for the opened saved run as it is: the same setup, and only the
  // presentation, the pace or the language changed (anything else, or the same link again,
  // starts afresh as it always does).
  keeps(hash) {
    const ok = this.openedAt !== null && setup(hash) === this.openedAt && view(hash) !== this.openedView;
    if (!ok) this.openedAt = null;
    else {
      this.openedView = view(hash);
      this.state.kept++;
    }
    return ok;
  }

  say(text, kind = 'note') {
    fieldMessage($('open-run-2d'), $('run-msg-2d'), text, kind);
  }

  // The file's name: the lesson's, or the distribution's, and the rounds.
  fileName(run) {
    const m = this.mode, what = m.lesson ? m.lesson.name : m.state.dist || (m.pending && m.pending.dataset) || '2d';
    return `ganplay-2d-${what}-round${run ? run.rounds : 0}.gpm`;
  }

  async save() {
    const m = this.mode;
    const bytes = await m.engine.call('save2d', { lesson: m.lesson ? m.lesson.name : '', frameSeed: m.frameSeed });
    const run = m.state.run;
    const name = this.fileName(run);
    download(bytes, name);
    this.clean = run ? { step: run.step, d_step: run.d_step } : null;
    this.state.saves++;
    this.state.lastName = name;
    this.say(() => t('save2d.saved', { name, rounds: run ? run.rounds : 0 }));
  }

  // Whether the run on show has training a replacement would take off the screen.
  unsaved() {
    const r = this.mode.state.run;
    if (!r || !(r.step || r.d_step)) return false;
    return !this.clean || this.clean.step !== r.step || this.clean.d_step !== r.d_step;
  }

  // The engine's reason in the page's language where the page knows it, else as the engine said it.
  why(e) {
    const text = String(e && e.message ? e.message : e).replace(/^@save2d\.err\.\w+: /, '');
    if (/main view's Model box/.test(text)) return t('save2d.why.image');
    if (/checksum mismatch|truncated/.test(text)) return t('save2d.why.damaged');
    if (/not a ganplay|magic/i.test(text)) return t('save2d.why.not_model');
    if (/no plane section/.test(text)) return t('save2d.why.no_plane');
    return text;
  }

  // Asks before the run on show is replaced: replace it, download it first, or keep it.
  confirm(name) {
    if (!this.unsaved()) return Promise.resolve(true);
    const dlg = $('confirm'), run = this.mode.state.run;
    setText($('confirm-text'), () => t('save2d.confirm', { name, rounds: run.rounds }));
    dlg.showModal();
    this.state.confirming = name;
    return new Promise((resolve) => {
      const done = async (ok, first) => {
        $('confirm-yes').onclick = $('confirm-no').onclick = $('confirm-download').onclick = dlg.oncancel = null;
        let go = ok;
        if (first) await first().catch((e) => {
          go = false; // a download that failed keeps the run on show
          this.say(() => t('save2d.save_failed', { why: this.why(e) }), 'error');
        });
        dlg.close();
        this.state.confirming = null;
        resolve(go);
      };
      $('confirm-yes').onclick = () => done(true);
      $('confirm-no').onclick = () => done(false);
      dlg.oncancel = (e) => {
        e.preventDefault();
        done(false);
      };
      $('confirm-download').onclick = () => done(true, () => this.save());
    });
  }

  async open(e) {
    const input = e.target, file = input.files && input.files[0];
    if (!file) return;
    const m = this.mode, name = file.name;
    const refuse = (err) => {
      const why = this.why(err);
      this.state.refused = { name, why };
      this.say(() => t('save2d.refused', { name, why: this.why(err) }), 'error');
      input.value = ''; // the same file chosen again is read again
    };
    this.state.refused = null;
    const bytes = await file.arrayBuffer();
    // a file the engine would refuse is refused before anything is asked
    try {
      await m.engine.call('checkRun2d', { bytes });
    } catch (err) {
      refuse(err);
      return;
    }
    if (!(await this.confirm(name))) {
      this.say(() => t('save2d.not_opened', { name }));
      input.value = '';
      return;
    }
    if (m.state.running) await m.toggle(); // pause, so no turn lands between the opening and the readouts
    let r;
    try {
      r = await m.engine.call('openRun2d', { bytes }, [bytes]);
    } catch (err) {
      refuse(err);
      return;
    }
    input.value = '';
    this.show(r);
    this.clean = { step: r.run.step, d_step: r.run.d_step };
    const o = r.opened;
    this.state.opened = { name, ...o, model: undefined };
    this.say(() => t('save2d.opened', { name, rounds: o.rounds,
      what: o.lesson ? core('lesson', o.lesson, 'title', m.lesson ? m.lesson.title : o.lesson)
        : core('dist', o.distribution, 'label', o.distribution_label) }));
    await m.fetchFrame();
  }

  // The opened run on show: its lesson, distribution (and drawn points), settings, readouts and charts.
  show(r) {
    const m = this.mode, o = r.opened;
    m.lesson = (o.lesson && m.info.lessons.find((l) => l.name === o.lesson)) || null;
    m.state.lesson = m.lesson ? m.lesson.name : null;
    m.frameSeed = o.frame_seed;
    m.drawing = false;
    m.drawn = r.drawn.slice();
    m.took(r, true);
    if (r.history.points.length) m.lossChart.append(r.history.points);
    if (r.history.measures.length) m.divChart.append(r.history.measures);
    m.showDrawn();
    m.say(() => t('2d.phase.idle'));
    m.writeUrl();
    const h = parseHash(); // the address just written
    this.openedAt = setup(h);
    this.openedView = view(h);
  }
}

// An address's setup (its keys but presentation, pace and language) and its view (those three), in order.
const VIEW = ['present', 'pace', 'lang'];
const setup = (hash) => JSON.stringify(Object.entries(hash).filter(([k]) => !VIEW.includes(k)).sort());
const view = (hash) => JSON.stringify(Object.entries(hash).filter(([k]) => VIEW.includes(k)).sort());
