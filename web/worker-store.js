// worker-store.js: trainings kept in this browser (IndexedDB): autosave,
// resume and forget, part of the engine's worker (loaded by worker.js; it
// shares M, s, w, post, check, json, handlers). Each run saves under its own
// key, so one run never overwrites another's save; the MAX_SAVES newest
// stay. What is saved is the engine's last good training state (kept by
// the core's run when it is due), which carries the run's history (charts,
// FD points, timeline).
'use strict';

const DB_NAME = 'ganplay', STORE = 'autosave';
const MAX_SAVES = 5; // trainings kept; the oldest go first

function openDb() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('IndexedDB is not available'));
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function dbDo(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => reject(tx.failure || tx.error || new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

const describe = (r) => ({ id: r.id, step: r.step, dStep: r.dStep, savedAt: r.savedAt, name: r.name, dataset: r.dataset,
  preset: r.preset });

// The saved trainings' descriptions live in one small record (INDEX), so a
// save or a list reads none of the states (several MB each). A store from
// before the index gets one, once, from its records.
const INDEX = '#index';
const newestFirst = (list) => list.sort((x, y) => y.savedAt - x.savedAt);

// The index in a transaction (request callbacks), built from the records
// when there is none; next(list) runs inside the same transaction.
// What next throws (a put past the quota) aborts the transaction with it.
function withIndex(store, next) {
  const then = (list, made) => {
    try {
      next(list, made);
    } catch (e) {
      store.transaction.failure = e;
      store.transaction.abort();
    }
  };
  const req = store.get(INDEX);
  req.onsuccess = () => {
    if (Array.isArray(req.result)) return then(req.result);
    const keys = store.getAllKeys(), values = store.getAll();
    values.onsuccess = () => then(newestFirst(values.result.map((r, i) => [keys.result[i], r])
      .filter(([k, r]) => k !== INDEX && r && r.version === 1).map(([k, r]) => describe({ ...r, id: r.id || k }))), true);
  };
  return req;
}

// The saved trainings, newest first (without their bytes).
async function savedList() {
  let list = [], built = false;
  try {
    await dbDo('readonly', (store) => withIndex(store, (found, made) => {
      list = found;
      built = made;
    }));
    if (built) await dbDo('readwrite', (store) => store.put(list, INDEX)).catch(() => {}); // kept for next time if it fits
  } catch {
    return [];
  }
  return list;
}

async function savedInfo() {
  const list = await savedList();
  return list.length ? { ...list[0], list } : null;
}

const isQuota = (e) => !!e && (e.name === 'QuotaExceededError' || e.code === 22);

// Why a save failed, in words: a full storage says so, any other error by its name and message.
function saveFailure(e) {
  if (isQuota(e)) return "the browser's storage is full (QuotaExceededError). Download the training to keep it, or free " +
    'space by forgetting saved trainings under Keep.';
  const name = e && e.name && e.name !== 'Error' ? e.name : '';
  const text = (e && e.message) || (e ? String(e) : '');
  const why = [name, text].filter(Boolean).join(': ') || 'the browser gave no reason';
  return `${why}. Download the training to keep it.`;
}

// Stores a record ({id, state, ...}); the oldest beyond MAX_SAVES go.
// Posts 'saved' either way.
async function storeRecord(record) {
  const info = describe(record);
  let list;
  try { // the state, the index and the oldest saves' removal in one transaction
    await dbDo('readwrite', (store) => withIndex(store, (found) => {
      const all = newestFirst([info, ...found.filter((r) => r.id !== record.id)]);
      list = all.slice(0, MAX_SAVES);
      store.put(record, record.id);
      all.slice(MAX_SAVES).forEach((r) => store.delete(r.id));
      store.put(list, INDEX);
    }));
  } catch (e) {
    post({ type: 'saved', ok: false, quota: isQuota(e), message: `Autosave failed: ${saveFailure(e)}` });
    return null;
  }
  post({ type: 'saved', ok: true, ...info, list });
  return info;
}

async function loadRecord(id) {
  const key = id || ((await savedList())[0] || {}).id;
  const r = key ? await dbDo('readonly', (store) => store.get(key)) : null;
  if (!r || r.version !== 1) throw new Error('There is no saved training to resume.');
  return { ...r, id: key };
}

async function forgetRecord(id) {
  const key = id || ((await savedList())[0] || {}).id;
  if (key) {
    await dbDo('readwrite', (store) => withIndex(store, (found) => {
      store.delete(key);
      store.put(found.filter((r) => r.id !== key), INDEX);
    }));
  }
  post({ type: 'resumable', ...((await savedInfo()) || { list: [] }) });
}

// One writer per run: the tab whose model is a run holds a Web Lock named
// after its key while it is on show; a second tab that resumes the same run
// finds it taken and goes on as a copy under a key of its own.
let heldRun = null; // {id, release}

function holdRun(id) {
  if (heldRun && heldRun.id === id) return Promise.resolve(true);
  if (heldRun) heldRun.release();
  heldRun = null;
  if (!id || !self.navigator || !navigator.locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    navigator.locks.request(`ganplay-run-${id}`, { ifAvailable: true }, (lock) => {
      if (!lock) return resolve(false);
      return new Promise((release) => {
        heldRun = { id, release };
        resolve(true);
      });
    }).catch(() => resolve(true));
  });
}

// Saves the engine's last good state under the run's key. One store at a
// time: states kept while one is stored wait, and only the newest of them
// is stored next (a busy machine can take longer to store a state than the
// run takes to keep the next; they must not pile up in memory).
let storing = null, storeAgain = false;

function saveGood() {
  // called as a state is kept: what it is and when, for the record stored later
  const st = json(M._gpw_run_json(s));
  w.kept = { at: Date.now(), step: st.good_step, dStep: st.d_step };
  if (storing) {
    storeAgain = true;
    return storing;
  }
  storing = (async () => {
    try {
      let info;
      do {
        storeAgain = false;
        info = await storeGood();
      } while (storeAgain);
      return info;
    } finally {
      storing = null;
    }
  })();
  return storing;
}

async function storeGood() {
  const n = M._gpw_run_good_len(s);
  if (!n || !w.model || w.model.kind !== 'training') return null;
  const p = M._gpw_run_good(s), st = json(M._gpw_run_json(s));
  const kept = w.kept && w.kept.step === st.good_step ? w.kept : { at: Date.now(), step: st.good_step, dStep: st.d_step };
  return storeRecord({
    version: 1, id: w.runId, savedAt: kept.at, step: kept.step, dStep: kept.dStep, name: w.model.name,
    preset: configValues(1).preset, dataset: w.dataset ? w.dataset.id : null,
    own: w.dataset && w.dataset.id === 'own' ? w.ownImages : null, noiseSeed: w.noiseSeed,
    state: M.HEAPU8.slice(p, p + n), // with the charts and the timeline in it
  });
}

// Keeps the model as the last good state if it trained since (or force), then saves it.
async function autosave(force) {
  if (!w.model || w.model.kind !== 'training') return null;
  const kept = M._gpw_run_keep(s, force ? 1 : 0);
  if (kept < 0) check(-kept, 'Saving the training state');
  return kept || force ? saveGood() : null;
}

Object.assign(handlers, {
  saveNow: () => autosave(true),
  savedInfo,
  async resume({ id } = {}) {
    const r = await loadRecord(id);
    w.running = false;
    // a dataset still loading from the page's start would land on top of the run's own
    if (w.datasetLoading) await w.datasetLoading.catch(() => null);
    if (r.dataset === 'own' && r.own) ownDataset(r.own);
    else if (r.dataset) await loadDataset(r.dataset);
    w.noiseSeed = r.noiseSeed;
    runSet('view_seed', r.noiseSeed);
    loadModelBytes(r.state, { name: r.name });
    // its saves go on under its own key, unless another tab has the run open: then as a copy
    const copy = !(await holdRun(r.id));
    if (!copy) w.runId = r.id;
    else { // named apart from the run it copies, in the model list and among the saved runs
      holdRun(w.runId);
      if (!/ \(copy\)$/.test(w.model.name)) w.model.name += ' (copy)';
      postModel();
    }
    if (r.history && !modelInfo().history.chart_points) { // a save from before the state carried its history
      const fd = r.fd || new Float32Array(0);
      withBytes(new Uint8Array(r.history.buffer, r.history.byteOffset, r.history.byteLength), (p) =>
        withBytes(new Uint8Array(fd.buffer, fd.byteOffset, fd.byteLength), (q) =>
          check(M._gpw_run_import_history(s, p, r.history.length / 5, q, fd.length / 2), 'The saved charts')));
      postHistory();
    }
    // the user's own images come back to their panel with the run
    const own = r.dataset === 'own' && r.own
      ? { rgba: r.own.rgba.slice(), count: r.own.count, h: r.own.h, w: r.own.w, channels: r.own.channels === 3 ? 3 : 1 } : null;
    return { step: r.step, noiseSeed: r.noiseSeed, dataset: r.dataset, id: w.runId, own, copy };
  },
  async forgetSaved({ id } = {}) {
    await forgetRecord(id);
  },
});
