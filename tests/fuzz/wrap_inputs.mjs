// Writes the fuzz_dataset inputs whose declared sizes wrap a 32-bit size_t
// into the folder given (make test-fuzz32 replays them in wasm): dataset
// files of exactly the length that 24 + count * h * w + count comes to
// when it wraps, each after the harness's options byte (0: the file as is).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node tests/fuzz/wrap_inputs.mjs FOLDER');
mkdirSync(dir, { recursive: true });
const wraps = [
  [262144, 128, 128], // 2^18 images of 128 x 128: 2^32 pixel bytes, a 262,168-byte file
  [65536, 256, 256], // 2^16 images of 256 x 256: 2^32 as well, a 65,560-byte file
];
for (const [count, h, w] of wraps) {
  const len = (24 + count * h * w + count) % 2 ** 32, file = Buffer.alloc(1 + len);
  file.write('GPDS', 1, 'latin1');
  [1, count, h, w, 1].forEach((v, i) => file.writeUInt32LE(v, 5 + 4 * i));
  writeFileSync(join(dir, `wrap-${count}x${h}x${w}`), file);
}
