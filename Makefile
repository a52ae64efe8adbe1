# SPDX-License-Identifier: GPL-2.0-only
# The README's two commands:
#   make run    set-up if needed, build, run every built-in scenario, print the verdict table
#   make test   set-up if needed, build, run every Check suite through ctest
PRESET ?= default
BUILD  := build/$(PRESET)
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all setup configure build run test bench clean

all: build

setup:
	@sh tools/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake --preset $(PRESET) >/dev/null

configure: setup $(BUILD)/CMakeCache.txt

build: configure
	@echo "building $(BUILD) (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j$(JOBS) >$(BUILD)/build.log 2>&1 || { tail -40 $(BUILD)/build.log; exit 1; }

run: build
	$(BUILD)/tools/kweave verify

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

bench: build
	tools/bench

clean:
	rm -rf build kweave-out
