// engine.js: the page's side of the worker. call() sends a request and
// resolves with the worker's answer; on() listens to what the worker posts
// by itself (stats, grids, errors...). The worker is usually started by
// boot.js, which has already asked it to initialize: `started` resolves
// with that answer.

export class Engine {
  constructor(url, init) {
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    let boot = window.ganplayBoot;
    if (!boot) {
      // boot.js did not run first: start the worker here
      window.ganplayBoot = boot = { queue: [], init: { rid: -1, type: 'init', ...init }, worker: null, error: null };
      try {
        boot.worker = new Worker(url);
        boot.worker.postMessage(boot.init);
      } catch (e) {
        boot.error = e;
      }
    }
    this.init = boot.init;
    this.started = new Promise((resolve, reject) => this.pending.set(-1, { resolve, reject }));
    if (boot.error) {
      this.worker = null;
      this.pending.get(-1).reject(new Error(`Could not start the engine's worker: ${boot.error.message}. ` +
        'Serve the page over http (e.g. make serve).'));
      return;
    }
    this.worker = boot.worker;
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.emit('error', { message: `The engine's worker failed: ${e.message || 'it could not be loaded'}. Reload the page.` });
    };
    // replay what arrived before the page's modules did, once listeners exist
    this.replay = boot.queue.splice(0);
  }

  // Delivers queued messages (call after registering listeners).
  flush() {
    for (const m of this.replay.splice(0)) this.receive(m);
  }

  call(type, args = {}, transfer = []) {
    if (!this.worker) return Promise.reject(new Error('The engine is not running.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...args, type, rid: id }, transfer);
    });
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }

  emit(type, msg) {
    for (const fn of this.listeners.get(type) || []) fn(msg);
  }

  receive(msg) {
    if (msg.type === 'reply') {
      const p = this.pending.get(msg.rid);
      if (!p) return;
      this.pending.delete(msg.rid);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
      return;
    }
    this.emit(msg.type, msg);
  }
}
