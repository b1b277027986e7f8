# Every entry point installs the Debian packages it needs, then builds.
# The same flags serve `build`, `test` and `bench`, so the tests exercise the binary that `make run` uses.

DEB_PACKAGES := pkg-config libyaml-dev libarchive-dev libarchive-tools zstd chromium python3-venv
# qemu-user: the tests run s1 on emulated CPUs older than x86-64-v3 to check that it refuses them with a sentence.
TEST_PACKAGES := qemu-user
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Release builds: the engine's numeric loops are 10-100x slower unoptimised. The CPU level is pinned so that
# fused multiply-adds compile to instructions (not libm calls) and every build makes the same arithmetic.
SWIFT_CPU ?= haswell
SWIFT_FLAGS := -c release -Xswiftc -target-cpu -Xswiftc $(SWIFT_CPU)
S1 := .build/release/s1
EXPERIMENT ?= experiments/s1-mini.yaml

.PHONY: deps build run test bench device-bundle cuda-tools clean

deps:
	@missing=""; for p in $(DEB_PACKAGES) $(if $(filter test,$(MAKECMDGOALS)),$(TEST_PACKAGES)); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	swift build $(SWIFT_FLAGS) --product s1

run: build
	$(S1) run $(EXPERIMENT) --archive artifacts/$(basename $(notdir $(EXPERIMENT))).tar.zst

test: deps cuda-tools
	swift build $(SWIFT_FLAGS) --build-tests
	swift test $(SWIFT_FLAGS) --skip-build

bench: build
	scripts/bench.sh

# A static-stdlib s1 with its shared libraries, packed into .bundle/ for the lent GPU machine (see scripts/device-check.sh).
# libnvrtc from PyPI (no GPU needed), so that the test suite compiles every CUDA kernel for the H100 here.
# Installed once into the git-ignored .venv-cuda (~170 MB, a few seconds).
NVRTC_VERSION := 13.5.37
cuda-tools: deps
	@ls .venv-cuda/lib/python3*/site-packages/nvidia/cu13/lib/libnvrtc.so.13 >/dev/null 2>&1 || \
		{ python3 -m venv .venv-cuda && .venv-cuda/bin/pip install -q nvidia-cuda-nvrtc==$(NVRTC_VERSION); }

device-bundle: deps
	scripts/device-bundle.sh

clean:
	rm -rf .build
