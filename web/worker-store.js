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
      tx.onerror = tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

const describe = (r) => ({ id: r.id, step: r.step, dStep: r.dStep, savedAt: r.savedAt, name: r.name, dataset: r.dataset,
  preset: r.preset });

// The saved trainings, newest first (without their bytes).
async function savedList() {
  let all;
  try {
    all = await dbDo('readonly', (store) => store.getAll());
  } catch {
    return [];
  }
  return all.filter((r) => r && r.version === 1).map((r) => describe({ ...r, id: r.id || 'current' }))
    .sort((a, b) => b.savedAt - a.savedAt);
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
  try {
    await dbDo('readwrite', (store) => store.put(record, record.id));
    const old = (await savedList()).slice(MAX_SAVES);
    if (old.length) await dbDo('readwrite', (store) => old.forEach((r) => store.delete(r.id)));
  } catch (e) {
    post({ type: 'saved', ok: false, quota: isQuota(e), message: `Autosave failed: ${saveFailure(e)}` });
    return null;
  }
  const info = describe(record);
  post({ type: 'saved', ok: true, ...info, list: await savedList() });
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
  if (key) await dbDo('readwrite', (store) => store.delete(key));
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

// Saves the engine's last good state under the run's key.
async function saveGood() {
  const n = M._gpw_run_good_len(s);
  if (!n || !w.model || w.model.kind !== 'training') return null;
  const p = M._gpw_run_good(s), st = json(M._gpw_run_json(s));
  return storeRecord({
    version: 1, id: w.runId, savedAt: Date.now(), step: st.step, dStep: st.d_step, name: w.model.name,
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
    if (r.dataset === 'own' && r.own) ownDataset(r.own);
    else if (r.dataset) await loadDataset(r.dataset);
    w.noiseSeed = r.noiseSeed;
    runSet('view_seed', r.noiseSeed);
    loadModelBytes(r.state, { name: r.name });
    // its saves go on under its own key, unless another tab has the run open: then as a copy
    const copy = !(await holdRun(r.id));
    if (!copy) w.runId = r.id;
    else holdRun(w.runId);
    if (r.history && !modelInfo().history.chart_points) { // a save from before the state carried its history
      const fd = r.fd || new Float32Array(0);
      withBytes(new Uint8Array(r.history.buffer, r.history.byteOffset, r.history.byteLength), (p) =>
        withBytes(new Uint8Array(fd.buffer, fd.byteOffset, fd.byteLength), (q) =>
          check(M._gpw_run_import_history(s, p, r.history.length / 5, q, fd.length / 2), 'The saved charts')));
      postHistory();
    }
    // the user's own images come back to their panel with the run
    const own = r.dataset === 'own' && r.own ? { rgba: r.own.rgba.slice(), count: r.own.count, h: r.own.h, w: r.own.w } : null;
    return { step: r.step, noiseSeed: r.noiseSeed, dataset: r.dataset, id: w.runId, own, copy };
  },
  async forgetSaved({ id } = {}) {
    await forgetRecord(id);
  },
});
