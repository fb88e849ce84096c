// End-to-end tests of the playground page in headless Chromium.
// usage: node tests/e2e/run.mjs [name...]   (after make site; make test-e2e
// also trains the stand-in model). Runs every NAME.test.mjs here (or the
// named ones) against one server and one browser, then checks that no
// request of any of them left 127.0.0.1. Screenshots go to build/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SHOTS, check, foreign, launch, prepareSite, requests, results, startServer, stopServer } from './helpers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ORDER = ['first', 'classes', 'steps', 'train', 'explore', 'edit', 'keep', 'own', 'errors', '2d', 'threads', 'offline'];

async function main() {
  const t0 = Date.now();
  const wanted = process.argv.slice(2);
  const names = ORDER.filter((n) => fs.existsSync(path.join(HERE, `${n}.test.mjs`)) && (!wanted.length || wanted.includes(n)));
  const manifest = prepareSite();
  fs.mkdirSync(SHOTS, { recursive: true });
  const { child, url } = await startServer();
  const browser = await launch();
  const ctx = { browser, url, site: url + 'site/', manifest };
  try {
    for (const name of names) {
      console.log(`== ${name}`);
      const t = Date.now();
      const mod = await import(pathToFileURL(path.join(HERE, `${name}.test.mjs`)).href);
      try {
        await mod.run(ctx);
      } catch (e) {
        check(false, `${name} stopped`, e.stack || String(e));
      }
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
