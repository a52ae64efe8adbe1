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
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/tools/kweave verify

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

bench: build
	tools/bench

clean:
	rm -rf build kweave-out
