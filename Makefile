# SPDX-License-Identifier: Apache-2.0
# A thin wrapper over CMake.  `make` builds build/ctrace; `make run` and `make test`
# also install the Debian packages that are missing (as root).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all build deps run test format format-check clean bench image

all: build

build:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

deps:
	./scripts/install-deps

# The default demo: count system calls by process for 5 seconds, then print the table.
run: deps build
	$(BUILD)/ctrace examples/syscount_demo.bt

test: deps build
	./tests/run-all $(BUILD)

bench: deps build
	./bench/run $(BUILD)

# The kubectl-trace runner image (podman; its Debian 12 base made with debootstrap).
image: deps build
	$(MAKE) -C kubectl-trace image BUILD=$(abspath $(BUILD))

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^tests/fixtures/')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h' | grep -v '^tests/fixtures/')

clean:
	rm -rf $(BUILD)
