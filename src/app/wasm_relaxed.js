// wasm_relaxed.js: an Emscripten JS library for the relaxed-SIMD builds.
// The engine imports gp_relaxed_microkernel (src/nn/kernels.c, GP_RELAXED);
// it is the export of the kernel module that gpRelaxedKernel() (the build's
// --pre-js, made by scripts/relaxed_kernel.mjs) instantiates on the
// engine's memory, so the engine calls it directly, wasm to wasm.
mergeInto(LibraryManager.library, {
  gp_relaxed_microkernel: '=gpRelaxedKernel()',
  gp_relaxed_microkernel__import: true,
});
