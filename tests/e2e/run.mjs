// End-to-end tests of the playground page in headless Chromium.
// usage: node tests/e2e/run.mjs [name...]   (after make site and make; make
// test-e2e builds both). Runs every NAME.test.mjs here, in the order below
// (or the named ones), against one server and one browser, then checks that
// no request of any of them left 127.0.0.1. A test file missing from the
// order, a name in it with no file, a name asked for that is no test, and a
// test that checks nothing all fail. Screenshots go to build/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SHOTS, check, foreign, launch, prepareSite, requests, results, startServer, stopServer } from './helpers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ORDER = ['first', 'classes', 'steps', 'train', 'labels', 'explore', 'directions', 'units', 'edit', 'upscale', 'project', 'guards', 'keep', 'provenance', 'store', 'own', 'colour', 'errors', '2d', 'present', 'overview', 'i18n2d', 'i18n', 'threads', 'offline'];

// Stops the run before it starts: what it would run is not what is here.
function refuse(message) {
  console.error(`FAIL ${message}`);
  process.exit(1);
}

async function main() {
  const t0 = Date.now();
  const files = fs.readdirSync(HERE).filter((f) => f.endsWith('.test.mjs')).map((f) => f.slice(0, -'.test.mjs'.length));
  for (const n of files)
    if (!ORDER.includes(n)) refuse(`tests/e2e/${n}.test.mjs is not in the ORDER of tests/e2e/run.mjs: add it there, or it never runs`);
  for (const n of ORDER) if (!files.includes(n)) refuse(`tests/e2e/run.mjs runs '${n}', but tests/e2e/${n}.test.mjs does not exist`);
  // names as given: train, train.test.mjs or tests/e2e/train.test.mjs
  const wanted = process.argv.slice(2).map((a) => path.basename(a).replace(/\.test\.mjs$/, ''));
  for (const n of wanted) if (!files.includes(n)) refuse(`no e2e test '${n}' (tests/e2e/${n}.test.mjs does not exist); the tests: ${ORDER.join(', ')}`);
  const names = ORDER.filter((n) => !wanted.length || wanted.includes(n));
  const manifest = prepareSite();
  fs.mkdirSync(SHOTS, { recursive: true });
  const { child, url } = await startServer();
  const browser = await launch();
  const ctx = { browser, url, site: url + 'site/', manifest };
  try {
    for (const name of names) {
      console.log(`== ${name}`);
      const t = Date.now();
      const checks = results.passed + results.failed;
      try {
        const mod = await import(pathToFileURL(path.join(HERE, `${name}.test.mjs`)).href);
        await mod.run(ctx);
      } catch (e) {
        check(false, `${name} stopped`, e.stack || String(e));
      }
      if (results.passed + results.failed === checks) check(false, `${name} checked something`, 'it ran no check');
      console.log(`   ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    console.log('== every request');
    check(requests.length > 0 && foreign.length === 0, `no request left the origin (${requests.length} requests recorded)`,
      foreign.slice(0, 5).join(', '));
  } finally {
    await browser.close();
    await stopServer(child);
  }
  console.log(`e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in build/screenshots/`);
  if (results.failed) console.log(`failed: ${results.failures.join('; ')}`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`FAIL ${e.stack || e}`);
  process.exit(1);
});
