#!/usr/bin/env node
// Turns the relaxed-SIMD kernel module (src/nn/kernels_relaxed.c, built by
// clang-19 and wasm-ld-19) into an Emscripten --pre-js: the module's bytes
// and gpRelaxedKernel(), which instantiates it on the engine's memory and
// returns its micro-kernel (src/app/wasm_relaxed.js hands that to the engine as
// an import). Checks first that the module is what that needs: its imports
// are the memory and the two base globals only, it has no data and no table
// (so placing it at address 0 overwrites nothing) and exports the kernel.
// usage: node --experimental-wasm-relaxed-simd scripts/relaxed_kernel.mjs KERNEL.wasm OUT.js
import fs from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/relaxed_kernel.mjs KERNEL.wasm OUT.js');
  process.exit(2);
}
const bytes = fs.readFileSync(input);

// section ids present (a wasm binary: magic, version, then id + LEB size + body)
function sections(b) {
  const ids = [];
  let at = 8;
  while (at < b.length) {
    const id = b[at++];
    let size = 0, shift = 0, byte;
    do {
      byte = b[at++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    ids.push(id);
    at += size;
  }
  return ids;
}

const fail = (why) => {
  console.error(`relaxed_kernel: ${input}: ${why}`);
  process.exit(1);
};
if (bytes.readUInt32LE(0) !== 0x6d736100) fail('not a wasm module');
const ids = sections(bytes);
if (ids.includes(11)) fail('it has a data section (it would be placed at address 0 of the engine\'s memory)');
if (ids.includes(4)) fail('it has a table');
let mod;
try {
  mod = new WebAssembly.Module(bytes);
} catch (e) {
  fail(`it does not compile here (${e.message}); node needs --experimental-wasm-relaxed-simd`);
}
const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`).sort();
const want = ['env.__memory_base:global', 'env.__table_base:global', 'env.memory:memory'];
if (JSON.stringify(imports) !== JSON.stringify(want)) fail(`it imports ${imports.join(', ')}; only ${want.join(', ')} are provided`);
if (!WebAssembly.Module.exports(mod).some((e) => e.name === 'gp_relaxed_microkernel' && e.kind === 'function'))
  fail('it does not export gp_relaxed_microkernel');

fs.writeFileSync(output, `// Made by scripts/relaxed_kernel.mjs from ${input.replace(/^.*\/build\//, 'build/')}: the relaxed-SIMD
// micro-kernel module (src/nn/kernels_relaxed.c), instantiated on the engine's
// memory in the thread that loads the engine (every pthread does too).
var gpRelaxedKernelBase64 = '${bytes.toString('base64')}';
function gpRelaxedKernel() {
  var text = typeof atob === 'function' ? atob(gpRelaxedKernelBase64) : Buffer.from(gpRelaxedKernelBase64, 'base64').toString('binary');
  var code = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) code[i] = text.charCodeAt(i);
  var kernel = new WebAssembly.Instance(new WebAssembly.Module(code),
    { env: { memory: wasmMemory, __memory_base: 0, __table_base: 0 } });
  return kernel.exports.gp_relaxed_microkernel;
}
`);
console.log(`${output}: ${bytes.length} bytes of kernel module`);
