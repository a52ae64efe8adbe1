// SPDX-License-Identifier: GPL-2.0-only
/*
 * escape.c - code under test trying to leave the simulation: fatal signals, exit() and its
 * relatives, abort(); and the rule that names a report's site.
 *
 * Invariants:
 *  - During a run (kw_sim.in_run) a fatal signal - in a simulated thread, in the scenario's
 *    setup or in its final check - becomes the run's report ("crash", or "stack-overflow"
 *    when the fault is on a stack's guard) and the run unwinds to kw_sim_run(); outside a
 *    run the handler that was installed before the engine's (a fuzzer's, the kweave
 *    command's) gets the signal.
 *  - exit(), _exit(), _Exit() and quick_exit() from code under test during a run never end
 *    the process: kw_exit_hook says what the status means (by default every exit is the
 *    run's failure, check "exit"); abort() is a "crash". Calls from the engine itself (a
 *    return address under sim/) and calls outside a run go to the C library.
 *  - A report's site is code under test whenever some frame of the code under test is on
 *    the stack: a site inside the engine (an engine limit, a fault in an engine hook) or in
 *    a library is replaced by the innermost frame of the code under test, found by the
 *    unwinder (.eh_frame, so frames without frame pointers are crossed). The walk stops at
 *    kw_sim_run(): its callers are never the scenario.
 *  - Whether a pc is code under test is a pure function of the pc (its line-table file), so
 *    caching the answer cannot change one.
 */
#define _GNU_SOURCE
#include "kw_internal.h"
#include "symbolize.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unwind.h>

enum kw_exit_verdict (*kw_exit_hook)(struct kw_sim *s, struct kw_thread *t, const char *how, int status);

/* ---- whose code is this pc -------------------------------------------------------------- */

int kw_pc_owner(uintptr_t pc)
{
	static struct {
		uintptr_t pc;
		int8_t owner;
	} cache[512];
	unsigned h = (unsigned)(pc >> 2) & 511u;
	struct kw_srcloc loc;

	if (!pc)
		return KW_PC_UNKNOWN;
	if (cache[h].pc == pc)
		return cache[h].owner;
	cache[h].pc = pc;
	if (kw_sym_pc(pc, &loc))
		cache[h].owner = KW_PC_UNKNOWN;
	else
		cache[h].owner = strncmp(loc.file, "sim/", 4) ? KW_PC_USER : KW_PC_ENGINE;
	return cache[h].owner;
}

struct kw_unwind {
	uintptr_t pc;		/* the first frame of the code under test found, 0: none */
	unsigned frames;	/* frames seen (a bound against a corrupt stack) */
};

static _Unwind_Reason_Code kw_unwind_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct kw_unwind *u = arg;
	int before = 0;
	uintptr_t ip = (uintptr_t)_Unwind_GetIPInfo(ctx, &before);

	if (!ip || ++u->frames > 512)
		return _URC_END_OF_STACK;
	if ((uintptr_t)_Unwind_GetRegionStart(ctx) == (uintptr_t)kw_sim_run)
		return _URC_END_OF_STACK; /* the scenario's frames are all below the run driver */
	/* a signal frame's ip is the faulting instruction itself; sites are return addresses */
	if (before)
		ip++;
	if (kw_pc_owner(ip) == KW_PC_USER) {
		u->pc = ip;
		return _URC_END_OF_STACK;
	}
	return _URC_NO_REASON;
}

uintptr_t kw_user_site(uintptr_t pc)
{
	struct kw_unwind u = { 0, 0 };

	if (!pc || kw_pc_owner(pc) == KW_PC_USER)
		return pc;
	_Unwind_Backtrace(kw_unwind_frame, &u);
	return u.pc ? u.pc : pc;
}

/* ---- fatal signals ---------------------------------------------------------------------- */

static uintptr_t kw_signal_pc(void *ucv)
{
	ucontext_t *uc = ucv;

#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
	(void)uc;
	return 0;
#endif
}

static uintptr_t kw_signal_sp(void *ucv)
{
	ucontext_t *uc = ucv;

#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.sp;
#else
	(void)uc;
	return 0;
#endif
}

static const char *kw_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV (invalid memory access)";
	case SIGBUS: return "SIGBUS";
	case SIGABRT: return "SIGABRT (abort)";
	case SIGFPE: return "SIGFPE (arithmetic error)";
	case SIGILL: return "SIGILL (illegal instruction)";
	case SIGTRAP: return "SIGTRAP";
	case SIGSYS: return "SIGSYS (bad system call)";
	default: return "a fatal signal";
	}
}

/* Who was running: a thread's label, or the scenario's setup or final check. */
const char *kw_context_label(struct kw_sim *s, char *buf, size_t n)
{
	if (s->cur)
		return kw_thread_label(s->cur, buf, n);
	static const char *const where[] = { "setup", "a thread", "the end-of-run checks", "the final check" };

	snprintf(buf, n, "%s", where[s->phase & 3]);
	return buf;
}

/* Leave a run from a signal handler (or a watchdog): the report is set, the interrupted
 * context - a fiber or the main one - is abandoned. */
__attribute__((noreturn)) void kw_escape_unwind(struct kw_sim *s)
{
	s->cur = NULL;
	siglongjmp(s->crash_jmp, 1);
}

static struct sigaction kw_old_sa[65]; /* handlers before ours (a fuzzer's): chained to */

static void kw_on_signal(int sig, siginfo_t *si, void *ucv)
{
	struct kw_sim *s = kw_S;
	struct kw_thread *t;
	uintptr_t pc, addr, sp;
	char who[96];
	bool overflow;

	if (!s || !s->in_run || !kw_sim_thread) {
		/* not the code under test's: whoever handled it before us does */
		sigaction(sig, &kw_old_sa[sig], NULL);
		raise(sig);
		return;
	}
	t = s->cur;
	addr = (uintptr_t)si->si_addr;
	sp = kw_signal_sp(ucv);
	/* a fault on a fiber's guard page, or right at the stack pointer of the main stack */
	overflow = sig == SIGSEGV && (t ? kw_fiber_guard_hit(&t->fib, addr) :
				      addr + 65536 > sp && addr < sp + 65536);
	/* +1: sites are looked up at pc - 1, as for return addresses */
	pc = kw_user_site(kw_signal_pc(ucv) + 1);
	kw_context_label(s, who, sizeof(who));
	if (overflow)
		kw_report_set(s, "stack-overflow", pc, "stack overflow in %s", who);
	else
		kw_report_set(s, "crash", pc, "%s in %s", kw_signal_name(sig), who);
	kw_escape_unwind(s);
}

void kw_signals_install(void)
{
	static bool done;
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS };

	if (done)
		return;
	done = true;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = kw_on_signal;
	/* NODEFER: we leave the handler by siglongjmp without restoring the mask */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, &kw_old_sa[sigs[i]]);
}

/* ---- exit() and abort() ---------------------------------------------------------------- */

/* The run is over because code under test asked for it; returns only when the call is not
 * the simulation's to handle (outside a run, or the engine's own). */
void kw_escape_exit(const char *how, int status, uintptr_t pc)
{
	struct kw_sim *s = kw_S;
	enum kw_exit_verdict v;
	char who[96];

	if (!s || !s->in_run || !kw_sim_thread || kw_pc_owner(pc) != KW_PC_USER)
		return;
	v = kw_exit_hook ? kw_exit_hook(s, s->cur, how, status) : KW_EXIT_FAIL;
	if (v == KW_EXIT_PASS && s->status == KW_RUN_OK) {
		s->exited = true;
		s->exit_status = status;
		kw_fail_now(s);
	}
	kw_report_set(s, "exit", pc, "%s(%d) called in %s: code under test ended the process", how, status,
		      kw_context_label(s, who, sizeof(who)));
	kw_fail_now(s);
}

void kw_escape_abort(uintptr_t pc)
{
	struct kw_sim *s = kw_S;
	char who[96];

	if (!s || !s->in_run || !kw_sim_thread || kw_pc_owner(pc) != KW_PC_USER)
		return;
	kw_report_set(s, "crash", pc, "abort() called in %s", kw_context_label(s, who, sizeof(who)));
	kw_fail_now(s);
}
