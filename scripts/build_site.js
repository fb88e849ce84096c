#!/usr/bin/env node
// Lays out the static site: the page from web/ (without web/screenshots),
// the model files that exist, a models.json listing only those, and sw.js
// stamped with a version (a hash of every file) and its list of files to
// keep for offline use. The wasm builds and data are made by the Makefile.
// usage: node scripts/build_site.js SITE_DIR [MODELS_DIR...]
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
// kept at install unless later (below); other files are kept once the page uses them
const OPTIONAL = [/^data\/(fashion|emoji32)\.bin\.gz$/, /^models\/(fashion|emoji)-classifier\.gpc$/];

function files(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  }).sort();
}

function main() {
  const [site, ...modelDirs] = process.argv.slice(2);
  if (!site) {
    console.error('usage: node scripts/build_site.js SITE_DIR [MODELS_DIR...]');
    process.exit(2);
  }
  const web = path.join(ROOT, 'web');
  fs.mkdirSync(site, { recursive: true });
  const page = files(web).filter((f) => !f.startsWith('screenshots/'));
  // what an earlier build left and this one would not make goes
  const made = (f) => page.includes(f) || /^ganplay(-[a-z-]+)?(\.worker)?\.(js|wasm)$/.test(f) || /^data\/[a-z0-9-]+\.bin\.gz$/.test(f);
  for (const f of files(site)) if (!made(f)) fs.rmSync(path.join(site, f));
  for (const f of page) {
    fs.mkdirSync(path.dirname(path.join(site, f)), { recursive: true });
    fs.copyFileSync(path.join(web, f), path.join(site, f));
  }
  // model files: the first directory that has a file wins
  const models = path.join(site, 'models');
  fs.mkdirSync(models, { recursive: true });
  const taken = new Set();
  for (const dir of modelDirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      if (!/\.(gpm|gpc)$/.test(f) || taken.has(f)) continue;
      fs.copyFileSync(path.join(dir, f), path.join(models, f));
      taken.add(f);
    }
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(web, 'models.json'), 'utf8'));
  manifest.models = manifest.models.filter((m) => fs.existsSync(path.join(site, m.file)));
  for (const [id, file] of Object.entries(manifest.classifiers || {}))
    if (!fs.existsSync(path.join(site, file))) delete manifest.classifiers[id];
  fs.writeFileSync(path.join(site, 'models.json'), JSON.stringify(manifest, null, 2) + '\n');

  const all = files(site).filter((f) => f !== 'sw.js' && f !== '_headers'); // _headers is for the host
  const hash = crypto.createHash('sha256');
  for (const f of all) hash.update(f + '\0').update(fs.readFileSync(path.join(site, f)));
  const version = hash.digest('hex').slice(0, 12);
  // kept at install: what the first visit shows (the page, MNIST, the first
  // model and its classifier); the engine build the page runs once it says
  // which; the rest (other models and data, other builds) once it is used
  const firstModel = manifest.models[0] ? manifest.models[0].file : null;
  const isLater = (f) => OPTIONAL.some((re) => re.test(f)) || /^ganplay(-[a-z-]+)?(\.worker)?\.(js|wasm)$/.test(f) ||
    (f.startsWith('models/') && f.endsWith('.gpm') && f !== firstModel);
  const keep = ['./'].concat(all.filter((f) => !isLater(f)));
  const later = all.filter(isLater);
  const sw = path.join(site, 'sw.js');
  const text = fs.readFileSync(sw, 'utf8');
  const line = /^const BUILD = .*$/m;
  if (!line.test(text)) throw new Error('sw.js has no BUILD line to stamp');
  fs.writeFileSync(sw, text.replace(line, `const BUILD = ${JSON.stringify({ version, files: keep, later })};`));
  console.log(`site in ${site}: version ${version}, ${manifest.models.length} model(s), ${keep.length} files kept at ` +
    `install, ${later.length} after`);
}

main();
