// check_deps.mjs: what `npm ci` installs for the tests stays small. TensorFlow.js
// (only make bench uses it) lives in tests/bench's own package and lockfile,
// never in the root package.json or package-lock.json.
// usage: node tests/check_deps.mjs   (from the repository root)
import fs from 'node:fs';

const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
let passed = 0, failed = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  ok ? passed++ : failed++;
}

const deps = (pkg) => ({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies });
const root = read('package.json');
check(!Object.keys(deps(root)).some((n) => n.startsWith('@tensorflow/')), 'the root package.json has no TensorFlow.js dependency');
const lock = read('package-lock.json');
check(!Object.keys(lock.packages ?? {}).some((p) => p.includes('@tensorflow/')), 'the root package-lock.json installs no TensorFlow.js');
const bench = read('tests/bench/package.json');
const benchLock = read('tests/bench/package-lock.json');
for (const n of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'])
  check(deps(bench)[n] === '4.22.0' && benchLock.packages?.[`node_modules/${n}`]?.version === '4.22.0',
    `tests/bench's package and lockfile pin ${n} 4.22.0 (for make bench)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
