// run.mjs: ONNX Runtime (onnxruntime-node, CPU, one thread) on generators
// exported by scripts/gpm_torch.py onnx, for the interop test
// (tests/torch/onnx_interop.py). Each job of JOBS.json, {onnx, z, count,
// latent, classes, out}: z is count x latent little-endian float32; a
// conditional model gets the one-hot class of sample i mod classes (what
// `ganplay sample --z` draws without --class); the images go to out as float32.
// usage: node tests/onnx/run.mjs JOBS.json   (after npm ci --prefix tests/onnx --ignore-scripts)
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('./package.json', import.meta.url));
const ort = require('onnxruntime-node');

async function run({ onnx, z, count, latent, classes, out }) {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const zs = new Float32Array(new Uint8Array(fs.readFileSync(z)).buffer);
  if (zs.length !== count * latent) throw new Error(`${z}: ${zs.length} floats, not ${count} x ${latent}`);
  const feeds = { z: new ort.Tensor('float32', zs, [count, latent]) };
  if (classes) {
    const onehot = new Float32Array(count * classes);
    for (let i = 0; i < count; i++) onehot[i * classes + (i % classes)] = 1;
    feeds.onehot = new ort.Tensor('float32', onehot, [count, classes]);
  }
  const { images } = await session.run(feeds);
  fs.writeFileSync(out, Buffer.from(images.data.buffer, images.data.byteOffset, images.data.byteLength));
  await session.release();
  return images.dims;
}

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const dims = [];
for (const job of jobs) dims.push(await run(job));
console.log(JSON.stringify({ ort: ort.env.versions?.common ?? null, dims }));
