// check_deps.mjs: what `npm ci` installs for the tests stays small. TensorFlow.js
// and ONNX Runtime (only make bench uses them) live in tests/bench's own package
// and lockfile, onnxruntime-node for the interop test (make test-torch) in
// tests/onnx's, never in the root package.json or package-lock.json.
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
const ORT = /(^|\/)onnxruntime-/;
check(!Object.keys(deps(root)).some((n) => ORT.test(n)), 'the root package.json has no ONNX Runtime dependency');
check(!Object.keys(lock.packages ?? {}).some((p) => ORT.test(p)), 'the root package-lock.json installs no ONNX Runtime');
const bench = read('tests/bench/package.json');
const benchLock = read('tests/bench/package-lock.json');
for (const n of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'])
  check(deps(bench)[n] === '4.22.0' && benchLock.packages?.[`node_modules/${n}`]?.version === '4.22.0',
    `tests/bench's package and lockfile pin ${n} 4.22.0 (for make bench)`);
const pinned = (pkg, lockfile, n) => deps(pkg)[n] === '1.30.0' && lockfile.packages?.[`node_modules/${n}`]?.version === '1.30.0';
for (const n of ['onnxruntime-node', 'onnxruntime-web'])
  check(pinned(bench, benchLock, n), `tests/bench's package and lockfile pin ${n} 1.30.0 (for make bench)`);
const onnx = read('tests/onnx/package.json');
const onnxLock = read('tests/onnx/package-lock.json');
check(pinned(onnx, onnxLock, 'onnxruntime-node') && Object.keys(deps(onnx)).length === 1,
  "tests/onnx's package and lockfile pin onnxruntime-node 1.30.0 alone (for the interop test)");
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
