// SPDX-License-Identifier: GPL-2.0-only
/*
 * kw_internal.h - the engine's private structures.
 *
 * Data flows one way: strategy -> decision -> scheduler -> code under test -> events ->
 * checkers -> report/replay. All state of a simulation lives in one struct kw_sim; the only
 * process-wide pointer is kw_S, the simulation that owns the running fibers (the
 * instrumentation hooks have no other way to find it).
 *
 * Invariants kept by the scheduler (sched.c):
 *  - exactly one context runs at a time: the main context (setup, final check) or one
 *    simulated thread (kw_sim.cur);
 *  - a live thread is always stopped at a scheduling point with its pending operation in
 *    kw_thread.op, except the running one;
 *  - every nondeterministic choice goes through kw_choose(), which logs it; a run is a pure
 *    function of (scenario, parameters, configuration, decision list).
 */
#ifndef KW_INTERNAL_H
#define KW_INTERNAL_H

#include <kweave/kweave.h>
#include <setjmp.h>
#include <stdio.h>

#define KW_MAX_THREADS 16
#define KW_MAX_HELD 16
#define KW_MAX_CPUS 8
#define KW_DEFAULT_MAX_STEPS 100000
#define KW_STACK_SIZE (256 * 1024)

#define KW_RET_PC ((uintptr_t)__builtin_return_address(0))

/* The tsan preset tells the real ThreadSanitizer about every happens-before edge the engine
 * models (tsan_bridge.c); elsewhere these vanish. */
#ifdef KW_REAL_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void kw_tsan_acquire_token(uint64_t tok);
void kw_tsan_release_token(uint64_t tok);
#define KW_TSAN_ACQUIRE(a) __tsan_acquire((void *)(a))
#define KW_TSAN_RELEASE(a) __tsan_release((void *)(a))
#define KW_TSAN_ACQUIRE_TOKEN(t) kw_tsan_acquire_token(t)
#define KW_TSAN_RELEASE_TOKEN(t) kw_tsan_release_token(t)
#else
#define KW_TSAN_ACQUIRE(a) ((void)0)
#define KW_TSAN_RELEASE(a) ((void)0)
#define KW_TSAN_ACQUIRE_TOKEN(t) ((void)0)
#define KW_TSAN_RELEASE_TOKEN(t) ((void)0)
#endif

typedef uint32_t kw_vc_t[KW_MAX_THREADS];

/* ---- fibers (fiber.c) ------------------------------------------------------------------ */

struct kw_fiber {
	void *sp;		/* saved stack pointer (asm switch) or ucontext (fallback) */
	char *map;		/* mmap'd region: guard page, then the stack */
	size_t maplen;		/* its length */
	void *tsan;		/* the real TSan runtime's fiber, tsan preset only */
	void (*entry)(void);	/* where a prepared fiber starts */
	const void *stack_lo;	/* main context: its stack's bounds (asan preset) */
	size_t stack_len;
};

int kw_fiber_alloc(struct kw_fiber *f, size_t size);
void kw_fiber_release(struct kw_fiber *f);
void kw_fiber_prepare(struct kw_fiber *f, void (*entry)(void));
void kw_fiber_switch(struct kw_fiber *from, struct kw_fiber *to);
void kw_fiber_main_init(struct kw_fiber *f);
bool kw_fiber_guard_hit(const struct kw_fiber *f, uintptr_t addr);
const char *kw_fiber_impl(void);

/* ---- operations: what a thread is about to do at a scheduling point -------------------- */

enum kw_opk {
	KW_OP_NONE,
	KW_OP_IRQ_ENTRY,	/* an interrupt arrives (the IRQ thread's first "op") */
	KW_OP_YIELD,
	KW_OP_LOAD,		/* marked load */
	KW_OP_STORE,		/* marked store */
	KW_OP_RMW,		/* marked read-modify-write (incl. cmpxchg) */
	KW_OP_FENCE,
	KW_OP_PLAIN_READ,	/* with --plain-points */
	KW_OP_PLAIN_WRITE,
	KW_OP_LOCK,		/* spin/mutex/rwsem acquire (may block) */
	KW_OP_TRYLOCK,
	KW_OP_UNLOCK,
	KW_OP_COMPLETE,
	KW_OP_WAIT_COMPLETION,	/* blocks until done */
	KW_OP_PREPARE_WAIT,	/* set_current_state / prepare_to_wait */
	KW_OP_SCHEDULE,		/* sleeps until woken (or the timeout passes) */
	KW_OP_WAKE,		/* wake_up / wake_up_process */
	KW_OP_SPAWN,		/* thread creation */
	KW_OP_JOIN,		/* blocks until the thread ends */
	KW_OP_IRQ_RAISE,
	KW_OP_IRQ_FLAGS,	/* local_irq_save/restore/disable/enable */
	KW_OP_QUEUE,		/* kw_worker_queue */
	KW_OP_WORKER_WAIT,	/* a worker waiting for work (blocks) */
	KW_OP_FLUSH,		/* kw_worker_flush/destroy (blocks) */
	KW_OP_ALLOC,		/* kmalloc/kfree */
	KW_OP_SYSCALL_RET,
	KW_OP_SPIN,		/* cpu_relax() in a wait loop: waits for a newer store */
	KW_OP_FREE,		/* kfree: a write to the whole block */
	KW_OP_CTX,		/* preempt_disable/enable, local_bh_disable/enable (who may run) */
	KW_OP_RCU,		/* rcu_read_lock/unlock, call_rcu, kfree_rcu */
	KW_OP_RCU_GP,		/* synchronize_rcu: the grace period starts */
	KW_OP_RCU_WAIT,		/* synchronize_rcu / rcu_barrier: blocks until it has ended */
	KW_OP_SOFTIRQ,		/* tasklet_schedule, mod_timer, del_timer... */
	KW_OP_SOFTIRQ_WAIT,	/* tasklet_kill, del_timer_sync: blocks while the handler runs */
	KW_OP__COUNT
};

enum kw_lock_mode { KW_LM_SPIN, KW_LM_MUTEX, KW_LM_READ, KW_LM_WRITE, KW_LM_READ_NON_OWNER };

struct kw_op {
	uint8_t kind;		/* enum kw_opk */
	uint8_t size;		/* access size in bytes */
	uint8_t mo;		/* memory order */
	uint8_t mode;		/* lock mode, rmw op, fence kind... */
	uint32_t span;		/* bytes covered when more than size (kfree) */
	uint32_t obj;		/* lock/completion: 1 + index into kw_sim.objs (saves lookups) */
	const void *addr;	/* location or object the op acts on (dependence) */
	uintptr_t pc;		/* return address into the code under test: the site */
	uint64_t arg;		/* value to store, timeout, ... */
	struct kw_thread *target; /* join/wake_up_process/irq_raise target */
};

/* ---- threads and CPUs -------------------------------------------------------------------- */

enum kw_tstate { KW_T_FREE, KW_T_LIVE, KW_T_DONE };

struct kw_held {
	const void *lock;	/* which lock */
	uint8_t mode;		/* enum kw_lock_mode */
	uintptr_t pc;		/* where it was taken */
};

struct kw_thread {
	int id;				/* index in kw_sim.th; "T<id>" in traces */
	char name[32];			/* role */
	enum kw_kind kind;		/* task, irq, worker */
	int cpu;			/* the CPU it runs on */
	uint8_t state;			/* enum kw_tstate */
	bool daemon;			/* a worker: may be blocked when the run ends */
	bool prerun;			/* running from creation to its first scheduling point */
	bool started;			/* irq: has arrived (its fiber is running) */
	bool raised;			/* irq: raised, not yet arrived */
	struct kw_fiber fib;		/* its stack and saved context */
	void (*fn)(void *);		/* body */
	void *arg;			/* its argument */
	struct kw_op op;		/* pending operation (valid while not running) */
	struct kw_thread *creator;	/* who to return to after the prerun */
	struct kw_thread *interrupted;	/* irq: the task it interrupted, or NULL */
	long own_steps;			/* steps this thread took */
	long max_own_steps;		/* progress bound, 0 = none */
	/* kernel state */
	int task_state;			/* KW_TASK_RUNNING or KW_TASK_UNINTERRUPTIBLE */
	const void *wq;			/* wait queue it is on, or NULL */
	uint64_t deadline;		/* schedule_timeout: jiffies to wake at, 0 = none */
	bool timed_out;			/* the last schedule_timeout expired */
	int irqs_off;			/* local_irq_save nesting on this context */
	int preempt_off;		/* spinlocks held (preemption disabled) */
	int preempt_cnt;		/* preempt_disable() nesting */
	int bh_off;			/* local_bh_disable() nesting (spin_lock_bh included) */
	int rcu_nest;			/* rcu_read_lock() nesting */
	uintptr_t rcu_pc;		/* where the outermost rcu_read_lock() was */
	bool rcu_in;			/* inside an RCU reader region (any flavour, sim/kernel/rcu.c) */
	bool softirqd;			/* the engine's per-CPU softirq thread (sim/kernel/softirq.c) */
	uint8_t sigpending;		/* send_sig(): 1 a signal is pending, 2 a fatal one */
	int wq_bit;			/* wait_on_bit: 1 + the bit waited on with t->wq (0: none) */
	struct kw_held held[KW_MAX_HELD]; /* locks held, in acquisition order */
	int nheld;
	struct kw_worker *worker;	/* worker: its queue */
	/* memory model and race detector */
	kw_vc_t vc;			/* vector clock */
	kw_vc_t acq_pending;		/* weak model: clocks gathered by relaxed loads (for an acquire fence) */
	kw_vc_t rel_fence;		/* weak model: clock at the last release fence */
	kw_vc_t wmb_fence;		/* weak model: own stores before the last smp_wmb() */
	bool has_rel_fence;		/* rel_fence is meaningful */
	int data_race_depth;		/* inside data_race() */
	uint64_t tsan_pending[8];	/* tsan preset: tokens of stores read relaxed (for a later fence) */
	unsigned tsan_npending;
	int last_src;			/* weak model: writer of the store the last load read, -2 if the latest */
	uintptr_t last_src_pc;		/* its site */
	uintptr_t last_load_loc;	/* location of the last marked load */
	int64_t last_load_ts;		/* position of the store it read */
	uintptr_t stale_pc;		/* weak model: the last load that read an older store (0: none) */
	const void *stale_addr;		/* its location */
	uint64_t stale_val;		/* the value it read */
	int stale_src;			/* writer of that store (-1: initial value) */
	uintptr_t stale_src_pc;		/* its site */
	int stale_new;			/* writer of the latest store then */
	uintptr_t stale_new_pc;		/* its site */
	uintptr_t wait_loc;		/* recognised wait: the location it waits on, 0 = none */
	int64_t wait_ts;		/* ... for a store newer than this */
	uintptr_t spin_loc;		/* fairness: location of its last marked load (or failed cmpxchg) */
	uintptr_t spin_pc;		/* ... its site */
	int64_t spin_ts;		/* ... the store it read */
	bool spin_fresh;		/* spin_loc is the last thing it did (no effect since) */
	bool spin_yield;		/* it re-read an unchanged location: it yields (CHESS-style
					 * fairness) until each thread of spin_mask has stepped or
					 * blocked, or the location changes */
	uint32_t spin_mask;		/* threads that could run when it yielded */
	void *sb;			/* tso model: store buffer */
};

struct kw_cpu {
	struct kw_thread *irq;		/* IRQ handler running on it, or NULL */
	struct kw_thread *softirq;	/* softirq handler running on it (possibly interrupted), or NULL */
	struct kw_thread *owner;	/* task holding it with preemption or IRQs disabled */
};

/* ---- decisions and strategies ----------------------------------------------------------- */

struct kw_decision {
	uint16_t v;	/* chosen alternative */
	uint16_t n;	/* number of alternatives (>= 2) */
};

enum kw_choice_kind { KW_CH_SCHED, KW_CH_READ, KW_CH_STORE };

struct kw_choice {
	uint8_t kind;			/* enum kw_choice_kind */
	unsigned n;			/* alternatives */
	struct kw_thread **cand;	/* SCHED: candidates; cand[0] is the current thread if enabled */
	bool cur_enabled;		/* SCHED: the current thread could go on (others preempt it) */
	struct kw_thread *cur;		/* SCHED: the current thread (NULL at run start) */
};

struct kw_sim;
struct kw_strategy;
struct kw_strategy_ops {
	const char *name;
	void (*begin)(struct kw_strategy *st, struct kw_sim *s);
	unsigned (*choose)(struct kw_strategy *st, struct kw_sim *s, const struct kw_choice *c);
	/* t is about to execute its pending op (after the decision) */
	void (*step)(struct kw_strategy *st, struct kw_sim *s, struct kw_thread *t);
	/* a new thread became schedulable (priority strategies) */
	void (*spawned)(struct kw_strategy *st, struct kw_sim *s, struct kw_thread *t);
	/* end of a run; returns true when the strategy has nothing left to try (dfs) */
	bool (*end)(struct kw_strategy *st, struct kw_sim *s);
	void (*describe)(struct kw_strategy *st, char *buf, size_t n);
	void (*destroy)(struct kw_strategy *st);
};

struct kw_strategy {
	const struct kw_strategy_ops *ops;
};

/* ---- reports ------------------------------------------------------------------------------ */

/* Where a run is: the main context runs the setup, then the threads run, then the main
 * context checks the end of the run (deadlocks, leaks...) and runs the final check. */
enum kw_phase { KW_PH_SETUP, KW_PH_THREADS, KW_PH_END, KW_PH_CHECK };

enum kw_status {
	KW_RUN_OK,	/* ran to the end, every check held */
	KW_RUN_FAIL,	/* a check failed: kw_sim.rep */
	KW_RUN_PRUNED,	/* dfs: sleep-set blocked, not a complete execution */
	KW_RUN_ERROR,	/* replay diverged or bad input: kw_sim.err */
};

struct kw_report {
	char check[48];		/* checker: "assert", "deadlock", "data-race" ... */
	char msg[400];		/* one line */
	uintptr_t pc;		/* primary site (0: none) */
	int tid;		/* thread it fired in; -1 for the main context */
	uint8_t phase;		/* enum kw_phase of the run when it fired */
	char detail[3072];	/* further lines, already formatted (no addresses) */
	size_t dlen;		/* used length of detail */
};

/* ---- trace ------------------------------------------------------------------------------ */

struct kw_event {
	uint32_t step;		/* scheduling step it belongs to */
	int16_t tid;		/* thread */
	uint8_t kind;		/* enum kw_opk, or KW_EV_* below */
	uint8_t size;		/* access size */
	const void *addr;	/* location/object */
	uint64_t v, v2;		/* values: loaded/stored, old/new ... */
	uintptr_t pc;		/* site */
	const char *note;	/* static text, may be NULL */
	int16_t src;		/* weak model: thread whose store was read (-1 initial) */
	uint32_t dec;		/* value decisions (placements, reads-from) made by this event: */
	uint16_t ndec;		/* kw_sim.dec[dec .. dec + ndec), shown when not the default */
};
#define KW_EV_START 200
#define KW_EV_END 201
#define KW_EV_DECIDE 202	/* value decisions not part of an access (tso drains at the end) */

/* ---- configuration --------------------------------------------------------------------- */

enum kw_model { KW_MODEL_SC, KW_MODEL_TSO, KW_MODEL_WEAK };

struct kw_config {
	const struct kw_scenario *sc;	/* what to run */
	long params[KW_MAX_PARAMS];	/* parameter values, in the scenario's order */
	int model;			/* enum kw_model */
	bool races;			/* race detector on */
	bool lockdep;			/* lock-order and IRQ-safety checks on */
	bool plain_points;		/* plain accesses are scheduling points */
	int cpus;			/* 0: the scenario's or 2 */
	long max_steps;			/* 0: the scenario's or the default */
};

/* ---- address-keyed tables (objects, locations, shadow) ------------------------------------ */

struct kw_amap_ent {
	uintptr_t key;		/* address */
	uint32_t gen;		/* valid iff == map's gen */
	uint32_t val;		/* index into the owner's array */
};
struct kw_amap {
	struct kw_amap_ent *e;	/* open addressing, power of two */
	uint32_t cap, used, gen;
};
void kw_amap_init(struct kw_amap *m, uint32_t cap);
void kw_amap_clear(struct kw_amap *m);
uint32_t *kw_amap_get(struct kw_amap *m, uintptr_t key);	/* NULL if absent */
uint32_t *kw_amap_put(struct kw_amap *m, uintptr_t key);	/* inserts (val undefined) */
void kw_amap_del(struct kw_amap *m, uintptr_t key);
void kw_amap_free(struct kw_amap *m);

/* Engine objects keyed by the address of the kernel object they model. */
enum kw_objtype { KW_OBJ_LOCK = 1, KW_OBJ_COMPLETION, KW_OBJ_WQ, KW_OBJ_TASKLET, KW_OBJ_TIMER };

struct kw_lock {
	int owner;		/* thread id + 1; KW_OWNER_HANDOFF; 0 = free (writer for rwsem) */
	int readers;		/* rwsem: read holders */
	uint32_t reader_mask;	/* rwsem: which threads hold it for read (owned reads) */
	uint8_t mode;		/* enum kw_lock_mode of the first acquisition: spin, mutex, rwsem */
	int cls;		/* dense index for the lock-order graph */
	uintptr_t acq_pc;	/* where the current holder took it */
	const char *name;	/* kw_lock_name(), or NULL */
	kw_vc_t vc;		/* release clock: unlock -> lock happens-before */
};
#define KW_OWNER_HANDOFF (-1)

struct kw_completion {
	unsigned done;		/* complete() count */
	kw_vc_t vc;		/* complete() -> wait return happens-before */
};

/* A tasklet or a timer (sim/kernel/softirq.c). */
struct kw_softobj {
	void (*run)(void *);	/* trampoline to the kernel object's handler */
	uint64_t seq;		/* arming order */
	uint64_t expires;	/* timer: jiffies it expires at */
	int16_t cpu;		/* the CPU whose softirq runs it */
	bool pending;		/* scheduled / armed */
	bool running;		/* its handler runs now */
	int disabled;		/* tasklet_disable() nesting */
	kw_vc_t vc;		/* arming -> the handler run */
	kw_vc_t done;		/* the handler's end -> del_timer_sync()/tasklet_kill() */
};

struct kw_obj {
	const void *addr;	/* the kernel object */
	uint8_t type;		/* enum kw_objtype */
	union {
		struct kw_lock lock;
		struct kw_completion comp;
		struct kw_softobj soft;
		struct kw_worker *worker;	/* KW_OBJ_WQ: a work item's last worker */
	} u;
};

struct kw_work {
	void (*fn)(void *);	/* work function */
	void *arg;		/* its argument */
	uint64_t seq;		/* queue sequence number (flush) */
	kw_vc_t vc;		/* queue -> run happens-before */
};

struct kw_worker {
	struct kw_thread *t;	/* the worker thread */
	struct kw_work q[64];	/* FIFO */
	unsigned head, tail;	/* q[head % 64 .. tail % 64) */
	uint64_t done_seq;	/* items run so far */
	bool stopping;		/* destroy requested */
	bool busy;		/* running an item */
	void (*cur_fn)(void *);	/* the item running (busy), for flush/cancel of one item */
	void *cur_arg;
	uint64_t cur_seq;
	kw_vc_t done_vc;	/* clock after the last item (flush -> caller) */
};

/* ---- the simulation ----------------------------------------------------------------------- */

struct kw_kstate;
struct kw_mm;
struct kw_race;
struct kw_alloc;

struct kw_sim {
	struct kw_config cfg;		/* this run's configuration */
	const struct kw_scenario *sc;	/* cfg.sc */
	struct kw_strategy *strat;	/* who answers kw_choose() */
	long max_steps;			/* effective step bound */
	int ncpus;			/* effective CPU count */

	struct kw_thread th[KW_MAX_THREADS]; /* threads of this run, by id */
	int nth;			/* used slots */
	struct kw_thread *cur;		/* running thread; NULL: main context */
	struct kw_fiber main_fib;	/* main context */
	struct kw_cpu cpu[KW_MAX_CPUS];	/* per-CPU state */

	struct kw_decision *dec;	/* this run's decisions */
	int16_t *dec_want;		/* per decision: chosen thread id (scheduling) or value */
	uint8_t *dec_pre;		/* per decision: 1 if it preempted an enabled thread */
	size_t ndec, capdec, capwant;
	unsigned preemptions;		/* decisions that preempted an enabled thread */
	uint64_t steps;			/* scheduling steps taken */
	uint64_t plain_since_point;	/* plain accesses since the last scheduling point */
	uint64_t jiffies;		/* virtual clock */

	int status;			/* enum kw_status of the last run */
	struct kw_report rep;		/* the failure, when status == KW_RUN_FAIL */
	struct kw_report deferred;	/* a predictive finding (lock order): reported at the end
					 * of a run that fails in no more concrete way */
	bool has_deferred;
	char err[256];			/* the error, when status == KW_RUN_ERROR */
	char outcome[256];		/* kw_outcome() of the final check */
	sigjmp_buf crash_jmp;		/* where a signal in a fiber lands */
	bool in_run;			/* fibers may be running */
	bool ending;			/* final check running */
	uint8_t phase;			/* enum kw_phase */
	bool exited;			/* the code under test exited and kw_exit_hook called it a pass */
	int exit_status;		/* ... with this status */

	bool tracing;			/* record events */
	struct kw_event *ev;		/* the trace */
	size_t nev, capev;
	size_t trace_dec;		/* first value decision not yet shown in the trace */

	struct kw_amap objmap;		/* address -> objs[] */
	struct kw_obj *objs;		/* engine objects of this run */
	uint32_t nobjs, capobjs;
	struct kw_worker *workers[16];	/* workers of this run */
	int nworkers;
	int nlockcls;			/* lock classes seen this run */
	uint32_t spin_yielders;		/* threads with spin_yield set (fairness, sched.c) */

	struct kw_kstate *kstate;	/* lock-order graph, worker pool (sim/kernel/) */
	struct kw_mm *mm;		/* memory model state (mm.c) */
	struct kw_race *race;		/* race detector state (race.c) */
	struct kw_alloc *alloc;		/* simulated allocator (alloc.c) */

};

extern struct kw_sim *kw_S;

/* Fuzz targets' interleaving coverage: called with (site of the preempted thread's next op,
 * site of the op that runs instead) at each context switch, and (store site, load site) at
 * each read of a marked location. NULL: no cost. */
extern void (*kw_cov_hook)(uintptr_t a, uintptr_t b);


/* ---- code under test escaping the simulation (escape.c, watchdog.c, wraps.c) ------------- */

/* The watchdog: basic blocks of code under test allowed between two scheduling points. A
 * pure count (never the clock), so a replay stops where the run did. */
#define KW_EDGE_BUDGET (1ull << 27)
/* The wall-clock backstop: seconds without a scheduling point or an instrumented block
 * (KWEAVE_BACKSTOP_SECONDS overrides; 0 turns it off). */
#define KW_BACKSTOP_SECONDS 10
extern uint64_t kw_wd_left;	/* blocks left in this segment */
extern uint64_t kw_wd_seg;	/* segments begun: the backstop's progress mark */
/* A scheduling point (or a thread start, setup, final check) begins a new segment. */
static inline void kw_wd_refill(void)
{
	kw_wd_left = KW_EDGE_BUDGET;
	kw_wd_seg++;
}
void kw_backstop_hold(void);
void kw_backstop_release(void);
void kw_backstop_run(void);

/* What exit(status), _exit(), _Exit() or quick_exit() ("how") from code under test means
 * for this run. NULL (the default): every one is the run's failure, check "exit". A layer
 * that runs a whole program (a pthread main()) can pass exit(0) from its main thread: the
 * run then ends there as passed (no final check; a predictive finding still fails it). */
enum kw_exit_verdict { KW_EXIT_FAIL, KW_EXIT_PASS };
extern enum kw_exit_verdict (*kw_exit_hook)(struct kw_sim *s, struct kw_thread *t, const char *how,
					    int status);
/* True on the OS thread that runs simulations (set by kw_sim_run): a fuzzer's helper thread
 * calling sleep() or crashing is never taken for the code under test. */
extern __thread bool kw_sim_thread;
void kw_escape_exit(const char *how, int status, uintptr_t pc);
void kw_escape_abort(uintptr_t pc);
__attribute__((noreturn)) void kw_escape_unwind(struct kw_sim *s);
void kw_signals_install(void);

/* Whose code a pc (a return address) is: the code under test's, the engine's (sim/), or
 * unknown (no line information: a library). */
enum { KW_PC_UNKNOWN, KW_PC_USER, KW_PC_ENGINE };
int kw_pc_owner(uintptr_t pc);
/* pc itself when it is code under test, else the innermost frame of the code under test on
 * the current stack (below kw_sim_run), else pc. */
uintptr_t kw_user_site(uintptr_t pc);
/* The running context for a report: a thread's label, "setup" or "the final check". */
const char *kw_context_label(struct kw_sim *s, char *buf, size_t n);

/* sched.c */
struct kw_sim *kw_sim_new(void);
void kw_sim_free(struct kw_sim *s);
int kw_sim_run(struct kw_sim *s, const struct kw_config *cfg, struct kw_strategy *st, bool trace);
void kw_sched_point(struct kw_sim *s, const struct kw_op *op);
void kw_spin_note(struct kw_sim *s, struct kw_thread *t, uintptr_t loc, int64_t ts, uintptr_t pc);
unsigned kw_choose(struct kw_sim *s, struct kw_choice *c);
unsigned kw_choose_value(struct kw_sim *s, unsigned kind, unsigned n);
bool kw_op_enabled(struct kw_sim *s, struct kw_thread *t);
bool kw_ops_dependent(const struct kw_thread *a, const struct kw_op *oa, const struct kw_thread *b,
		      const struct kw_op *ob);
__attribute__((noreturn)) void kw_fail_now(struct kw_sim *s);
void kw_report_set(struct kw_sim *s, const char *check, uintptr_t pc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void kw_report_detail(struct kw_sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kw_report_defer(struct kw_sim *s);
void kw_trace_record(struct kw_sim *s, struct kw_thread *t, unsigned kind, const void *addr,
		     unsigned size, uint64_t v, uint64_t v2, uintptr_t pc, const char *note);
/* Record an event for the trace (only when tracing: runs of a search do not pay for it). */
static inline void kw_trace_event(struct kw_sim *s, struct kw_thread *t, unsigned kind, const void *addr,
				  unsigned size, uint64_t v, uint64_t v2, uintptr_t pc, const char *note)
{
	if (s->tracing)
		kw_trace_record(s, t, kind, addr, size, v, v2, pc, note);
}
struct kw_thread *kw_thread_new(struct kw_sim *s, const char *name, void (*fn)(void *), void *arg,
				enum kw_kind kind, int cpu, bool start);
void kw_vc_join(kw_vc_t dst, const kw_vc_t src);
void kw_vc_tick(struct kw_thread *t);
const char *kw_thread_label(const struct kw_thread *t, char *buf, size_t n);

/* access.c: marked accesses with an explicit site */
uint64_t kw_mem_load_at(const void *p, unsigned size, int mo, uintptr_t pc);
void kw_mem_store_at(void *p, unsigned size, uint64_t v, int mo, uintptr_t pc);
uint64_t kw_mem_rmw_at(void *p, unsigned size, enum kw_rmw_op op, uint64_t v, int mo, uintptr_t pc);
bool kw_mem_cmpxchg_at(void *p, unsigned size, uint64_t *expected, uint64_t desired, int mo_ok, int mo_fail,
		       uintptr_t pc);
void kw_fence_at(enum kw_fence f, uintptr_t pc);

/* sim/kernel/ */
struct kw_obj *kw_obj_get(struct kw_sim *s, const void *addr, enum kw_objtype type);
struct kw_obj *kw_obj_find(struct kw_sim *s, const void *addr);
void kw_obj_forget_range(struct kw_sim *s, const void *p, size_t n);
void kw_kernel_reset(struct kw_sim *s);
void kw_kernel_thread_exit(struct kw_sim *s, struct kw_thread *t);
bool kw_kernel_op_enabled(struct kw_sim *s, struct kw_thread *t, const struct kw_op *op);
bool kw_kernel_timing_out(struct kw_sim *s, struct kw_thread *t);
void kw_kernel_deadlock_report(struct kw_sim *s);
bool kw_kernel_timer_advance(struct kw_sim *s);
void kw_might_sleep_at(uintptr_t pc, const char *what);
void kw_rcu_region_update(struct kw_sim *s, struct kw_thread *t);
bool kw_kernel_softirq_ready(struct kw_sim *s, struct kw_thread *t);
void kw_kernel_intr_end(struct kw_sim *s, struct kw_thread *t);
const char *kw_percpu_label(const void *p, char *buf, size_t n);
bool kw_rcu_ops_dependent(const struct kw_thread *a, const struct kw_op *oa, const struct kw_thread *b,
			  const struct kw_op *ob);
const char *kw_lock_label(struct kw_sim *s, const void *lock, char *buf, size_t n);

/* mm.c: the memory model */
struct kw_mm *kw_mm_new(void);
void kw_mm_free(struct kw_mm *mm);
void kw_mm_reset(struct kw_sim *s);
uint64_t kw_mm_load(struct kw_sim *s, struct kw_thread *t, const void *p, unsigned size, int mo, uintptr_t pc);
void kw_mm_store(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, uint64_t v, int mo, uintptr_t pc);
uint64_t kw_mm_rmw(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, enum kw_rmw_op op,
		   uint64_t v, int mo, uintptr_t pc);
bool kw_mm_cmpxchg(struct kw_sim *s, struct kw_thread *t, void *p, unsigned size, uint64_t *expected,
		   uint64_t desired, int mo_ok, int mo_fail, uintptr_t pc);
void kw_mm_fence(struct kw_sim *s, struct kw_thread *t, enum kw_fence f);
void kw_mm_plain_write(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n);
void kw_mm_forget(struct kw_sim *s, const void *p, size_t n);
void kw_mm_sync_op(struct kw_sim *s, struct kw_thread *t);
void kw_mm_end_of_run(struct kw_sim *s);
bool kw_mm_wait_enabled(struct kw_sim *s, const struct kw_thread *t);
void kw_mm_wait_begin(struct kw_sim *s, struct kw_thread *t);
uint64_t kw_raw_load(const void *p, unsigned size);
void kw_raw_store(void *p, unsigned size, uint64_t v);

/* race.c: the data-race detector and the plain-access path */
struct kw_race *kw_race_new(void);
void kw_race_free(struct kw_race *r);
void kw_race_reset(struct kw_sim *s);
/* kind: KW_OP_PLAIN_READ/PLAIN_WRITE (plain) or KW_OP_LOAD/STORE/RMW (marked) */
void kw_race_access(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, unsigned kind, uintptr_t pc);
void kw_race_access_at(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, unsigned kind, uintptr_t pc,
		       uint32_t epoch);
void kw_race_forget(struct kw_sim *s, const void *p, size_t n);

/* alloc.c */
void *kw_malloc_at(size_t size, bool zero, uintptr_t pc);
void kw_free_at(const void *p, uintptr_t pc);
struct kw_alloc *kw_alloc_new(void);
void kw_alloc_free_all(struct kw_alloc *a);
void kw_alloc_reset(struct kw_sim *s);
void kw_alloc_end_of_run(struct kw_sim *s);
bool kw_alloc_check(struct kw_sim *s, struct kw_thread *t, const void *p, size_t n, bool write, uintptr_t pc);
const char *kw_alloc_name(struct kw_sim *s, const void *p, char *buf, size_t n);

/* trace.c */
void kw_trace_print(struct kw_sim *s, FILE *out);
const char *kw_site(uintptr_t pc, char *buf, size_t n);
const char *kw_addr_label(struct kw_sim *s, const void *p, char *buf, size_t n);

/* registry.c */
const struct kw_scenario *kw_scenario_find(const char *name);
size_t kw_scenario_count(void);
const struct kw_scenario *kw_scenario_at(size_t i);	/* sorted by name */
int kw_param_index(const struct kw_scenario *sc, const char *name);
void kw_config_defaults(struct kw_config *cfg, const struct kw_scenario *sc);

/* strategies (strategy.c, dfs.c) */
struct kw_strategy *kw_strategy_random(uint64_t seed);
struct kw_strategy *kw_strategy_bytes(const uint8_t *buf, size_t n);
struct kw_strategy *kw_strategy_replay(const struct kw_decision *d, size_t n);
struct kw_strategy *kw_strategy_guided(const int16_t *tids, size_t n);
struct kw_strategy *kw_strategy_pct(uint64_t seed, int depth);
struct kw_strategy *kw_strategy_pos(uint64_t seed);
struct kw_strategy *kw_strategy_dfs(int preemption_bound, bool reduction);
struct kw_dfs_stats {
	uint64_t explored;	/* complete executions */
	uint64_t pruned;	/* sleep-set blocked executions */
	uint64_t bound_cuts;	/* branches not taken because of the preemption bound */
	int phase;		/* 1: plain sleep sets; 2: bound-aware sleep sets */
	bool exhausted;		/* nothing left to explore */
};
void kw_dfs_stats(struct kw_strategy *st, struct kw_dfs_stats *out);
void kw_strategy_destroy(struct kw_strategy *st);

/* util */
uint64_t kw_rng_next(uint64_t *state);
uint64_t kw_hash64(uint64_t x);
void *kw_xrealloc(void *p, size_t n);

#endif /* KW_INTERNAL_H */
