#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ctest: the other build flavours, built from this tree and driven through their kweave.
#   presets.sh tsan   - the real ThreadSanitizer reports the plain pre-check against the
#                       cmpxchg (both lines), and again when the saved schedule is replayed;
#                       fixed twins stay silent
#   presets.sh native - the scenarios run on real threads (the stress-test baseline)
#   presets.sh fuzz   - libFuzzer finds a failure from corpus/once_init/ and the crash input
#                       replays with `kweave replay --from-input` to the same verdict
#   presets.sh afl    - the AFL++ build runs every corpus input
#   presets.sh asan   - the engine's own suites under AddressSanitizer and UBSan
set -u
src=$1; which=$2
b="$src/build/$which"
fail() { echo "presets.sh $which: $*"; exit 1; }
cmake --preset "$which" -S "$src" >"$b.configure.log" 2>&1 || { cat "$b.configure.log"; fail "configure"; }
cmake --build "$b" -j2 >"$b.build.log" 2>&1 || { tail -30 "$b.build.log"; fail "build"; }
case $which in
tsan)
	out=$(mktemp -d)
	TSAN_OPTIONS=halt_on_error=0 "$b/tools/kweave" run demo/plain-precheck --strategy pct --seed 1 \
		--save "$out" >"$out/run.log" 2>&1
	[ $? = 1 ] || fail "kweave run did not find the failure"
	for f in "$out/run.log"; do
		grep -q 'WARNING: ThreadSanitizer: data race' "$f" || fail "no TSan report"
		grep -q 'plain_precheck.c:36' "$f" || fail "TSan does not name the plain pre-check (line 36)"
		grep -q 'plain_precheck.c:40' "$f" || fail "TSan does not name the cmpxchg (line 40)"
		grep -q 'Atomic write of size 8' "$f" || fail "TSan does not see the cmpxchg as an atomic write"
	done
	r=$(ls "$out"/*.replay | head -1)
	TSAN_OPTIONS=halt_on_error=0 "$b/tools/kweave" replay "$r" >"$out/replay.log" 2>&1
	[ $? = 1 ] || fail "the replay did not fail"
	grep -q 'plain_precheck.c:36' "$out/replay.log" && grep -q 'plain_precheck.c:40' "$out/replay.log" ||
		fail "TSan did not report the race again on replay"
	for s in plain-precheck-fixed racy-counter-fixed mp-acqrel lost-wakeup-fixed sleep-in-irq-fixed; do
		TSAN_OPTIONS=halt_on_error=0 "$b/tools/kweave" run "demo/$s" --strategy dfs >"$out/$s.log" 2>&1 ||
			fail "demo/$s failed under the tsan preset"
		grep -q 'ThreadSanitizer' "$out/$s.log" && fail "TSan reported something on demo/$s"
	done
	# once-init/original: the plain pre-check against the cmpxchg() that publishes the workqueue
	pre=$(grep -n 'if (!sb->s_dio_done_wq)' "$src/core/once_init/variants.c" | head -1 | cut -d: -f1)
	cas=$(grep -n 'old = cmpxchg(&sb->s_dio_done_wq, NULL, wq);' "$src/core/once_init/variants.c" | head -1 | cut -d: -f1)
	TSAN_OPTIONS=halt_on_error=0 "$b/tools/kweave" run once-init/original --strategy pct --seed 1 \
		--save "$out" >"$out/oi.log" 2>&1
	grep -q 'WARNING: ThreadSanitizer: data race' "$out/oi.log" || fail "no TSan report for once-init/original"
	grep -q "variants.c:$pre" "$out/oi.log" && grep -q "variants.c:$cas" "$out/oi.log" ||
		fail "TSan does not name the pre-check (variants.c:$pre) and the cmpxchg (variants.c:$cas)"
	rm -rf "$out"
	echo "presets.sh tsan: ThreadSanitizer names both lines, on the run and on replay, and once-init/original's pre-check against its cmpxchg; fixed twins silent"
	;;
native)
	"$b/test_native" || fail "test_native"
	"$b/tools/kweave" run demo/racy-counter --runs 200 | grep -q 'native, real threads' || fail "no native run"
	"$b/tools/kweave" run once-init/original --runs 200 >"$b.oi.log" 2>&1
	grep -q 'native, real threads' "$b.oi.log" || fail "once-init/original did not run natively"
	echo "presets.sh native: scenarios run on real threads; $(cat "$b.oi.log" | head -1)"
	;;
fuzz)
	out=$(mktemp -d)
	mkdir -p "$out/art" "$out/corpus"
	cp "$src"/corpus/once_init/* "$out/corpus/"
	(cd "$out" && timeout 300 "$b/fuzz/fuzz_once_init" -max_total_time=120 -print_funcs=0 \
		-artifact_prefix="$out/art/" "$out/corpus" >"$out/fuzz.log" 2>&1)
	c=$(ls "$out"/art/* 2>/dev/null | head -1)
	[ -n "$c" ] || { tail -5 "$out/fuzz.log"; fail "libFuzzer found nothing in 120 s"; }
	verdict=$(grep -m1 '^kweave: once-init' "$out/fuzz.log" | sed 's/^kweave: //; s/: .*//')
	"$src/build/default/tools/kweave" replay --from-input "$c" >"$out/replay.log" 2>&1
	[ $? = 1 ] || fail "replay --from-input of the crash did not fail"
	echo "presets.sh fuzz: libFuzzer found $verdict ($(grep -m1 '^FAIL' "$out/replay.log")), replayed"
	rm -rf "$out"
	;;
asan)
	ctest --test-dir "$b" -j2 >"$b.ctest.log" 2>&1 || { tail -20 "$b.ctest.log"; fail "suites under ASan"; }
	grep -q 'runtime error\|ERROR: AddressSanitizer' "$b"/Testing/Temporary/LastTest.log && fail "a sanitizer report"
	echo "presets.sh asan: $(grep 'tests passed' "$b.ctest.log")"
	;;
afl)
	for f in "$src"/corpus/once_init/*; do
		"$b/fuzz/fuzz_once_init" "$f" >/dev/null 2>&1 || fail "the AFL++ build failed on $(basename "$f")"
	done
	echo "presets.sh afl: the AFL++ build ran $(ls "$src"/corpus/once_init | wc -l) corpus inputs"
	;;
esac
