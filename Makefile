# Thin wrapper over CMake presets. Every target installs missing Debian packages first, so a
# fresh bookworm machine needs nothing but `make`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
WEBHOOK := build/bin/irsa-webhook

.PHONY: deps server build test test-release test-asan test-tsan test-hostile run preview doctor-demo doctor-demo-readme image image-test image-push check-arm64 e2e-kind deploy-manifests bench bench-load bench-core bench-core-callgrind bench-server-callgrind bench-sync bench-api-sync pgo-profile fuzz format tidy clean

deps:
	@bash scripts/install-deps.sh

# The server binary alone (no tests, benchmarks or load tools, nor their packages).
server:
	@bash scripts/build-server.sh

# The whole release build: the programs, every test, the benchmarks and the load tools.
build: deps
	@cmake --preset release -DIRSA_BUILD_TESTS=ON -DIRSA_BUILD_LAYER_TESTS=ON \
	  -DIRSA_BUILD_BENCHMARKS=ON -DIRSA_BUILD_LOAD_TOOLS=ON >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Every test, each compiled once: the release build runs the programs' script, chart, image and
# load-tool tests, AddressSanitizer + UBSan the layers' suites, ThreadSanitizer those with
# threads; then no process a test started may still run (scripts/make-test.sh says more).
test: deps
	@JOBS=$(JOBS) bash scripts/make-test.sh

test-release: deps
	@JOBS=$(JOBS) bash scripts/make-test.sh release

test-asan: deps
	@JOBS=$(JOBS) bash scripts/make-test.sh asan

test-tsan: deps
	@JOBS=$(JOBS) bash scripts/make-test.sh tsan

# The release server under the floods of tests/hostile/hostile.py (4,096 idle, unused and
# trickling connections, stalled bodies, made-up methods), one fresh process each: a healthy
# client answered within 1 s throughout, memory under the chart's limit and back after. About
# 3 minutes, so not part of `make test`.
test-hostile: deps server
	@python3 tests/hostile/hostile.py

# The server on https://127.0.0.1:8443 with the examples (see the README).
run: server
	@bash scripts/run-server.sh $(WEBHOOK)

# What the webhook does to the example pods, offline.
preview: server
	@bash scripts/run-examples.sh $(WEBHOOK)

# irsa-webhook doctor on the broken example account (examples/doctor/), against the test fakes of
# the API server and of STS; -readme writes that output into the README.
doctor-demo: build
	@bash scripts/doctor-demo.sh build/bin

doctor-demo-readme: build
	@bash scripts/doctor-demo.sh build/bin --readme README.md

# The container image, with podman or docker (scripts/container-engine.sh); where the base images
# cannot be pulled, stand-ins are made from Debian packages first. About 3 minutes per platform.
# PLATFORMS=linux/amd64,linux/arm64: a manifest list of one image per platform (podman).
IMAGE ?= irsa-webhook:dev
PLATFORMS ?=
image:
	@bash scripts/install-deps.sh --image
	@PLATFORMS="$(PLATFORMS)" bash scripts/build-image.sh $(IMAGE)

# The image built and run: /readyz and /mutate over TLS, user 65532, read-only root, no shell,
# SIGTERM; prints its size and memory. With PLATFORMS, each platform's image (another
# architecture's under qemu-user through binfmt_misc). Not part of `make test` (it takes minutes).
image-test:
	@bash scripts/install-deps.sh --image
	@PLATFORMS="$(PLATFORMS)" bash tests/image/image-test.sh $(IMAGE)

# What `make image` built, pushed to the registry IMAGE names (log in with the engine first).
image-push:
	@bash scripts/push-image.sh $(IMAGE)

# The arm64 server binary, cross-compiled and run under qemu through the upstream fixtures and the
# example previews (scripts/check-arm64.sh). Not part of `make test`: a few minutes.
check-arm64:
	@bash scripts/check-arm64.sh

# The chart and the image on a kind cluster; skips with a message when docker, kind, kubectl,
# helm or jq is missing (see charts/irsa-webhook/README.md).
e2e-kind: deps
	@bash tests/e2e/kind.sh

# deploy/ again from the chart's defaults (the test chart_deploy fails when they drift).
deploy-manifests: deps
	@bash scripts/generate-deploy.sh

# The load table first (it writes bench/results/ and the README's table), then the micro-benchmarks.
bench: bench-load bench-core bench-sync bench-api-sync

# The real server on one core under irsa-loadgen on the other, against nginx serving the same
# answers on the same core (the transport ceiling); closed loop and open loop at fixed rates.
bench-load: build
	@python3 scripts/bench-load.py

bench-core: build
	@build/bin/core_bench --benchmark_min_warmup_time=0.5 --benchmark_repetitions=10 \
	  --benchmark_report_aggregates_only=true

# Instructions per typical review (callgrind): no role policy, a policy that admits the pod, and
# one whose rule the pod breaks. Deterministic, unlike the times above; about 10 s.
bench-core-callgrind: build
	@bash scripts/core-instructions.sh build/bin

# Instructions per typical admission of the whole server over TLS (callgrind), handshakes
# excluded: what the server around the review costs. About a minute.
bench-server-callgrind: build
	@bash scripts/server-instructions.sh build/bin

# Records the profile release builds compile irsa_core with (pgo/, cmake/ProfileGuided.cmake): a
# server with an instrumented core under the load corpus. About 3 minutes; commit pgo/ with it.
pgo-profile: build
	@bash scripts/pgo-profile.sh

# 100,000 ServiceAccounts from LIST pages into the account index, on one core.
bench-sync: build
	@taskset -c 0 build/bin/account_sync_bench

# The real binary syncing 100,000 ServiceAccounts from the fake API server (TLS, pages of 500),
# on one core: LIST time, time to ready, resident memory against an empty cluster.
bench-api-sync: build
	@bash scripts/bench-api-sync.sh $(WEBHOOK)

# libFuzzer with clang; FUZZ_SECONDS bounds the run.
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target review_fuzzer
	@mkdir -p build-fuzz/corpus && build-fuzz/bin/review_fuzzer -max_total_time=$(FUZZ_SECONDS) -dict=fuzz/review.dict \
	  -max_len=65536 build-fuzz/corpus fuzz/corpus/review

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# clang-tidy wants a compile command per source file, which a unity build does not list: it reads
# those of a configure-only directory without batching. The commands are GCC's, and clang would
# stop every file at GCC-only warning options such as -Wno-restrict, so those are let through;
# GCC's collector tuning (--param), which clang takes for an error, is left out of that build.
tidy: deps
	@cmake --preset release -B build-tidy -DIRSA_UNITY_BUILD=OFF -DIRSA_COMPILER_GC_TUNING=OFF >/dev/null
	@git ls-files 'src/*.cpp' | xargs clang-tidy -p build-tidy --quiet \
	  --extra-arg=-Wno-unknown-warning-option

clean:
	@rm -rf build build-asan build-tsan build-fuzz build-tidy
