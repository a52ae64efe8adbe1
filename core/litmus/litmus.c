// SPDX-License-Identifier: GPL-2.0-only
/*
 * Litmus shapes, written here as scenarios (kweave run litmus/SB --model weak --strategy dfs) (the names follow the kernel's litmus tests,
 * tools/memory-model/litmus-tests/). Each records its registers and final values as the
 * run's outcome; test_litmus enumerates every outcome per memory model with dfs and compares
 * it with the allowed set.
 */
#include <kweave/kernel.h>

static int x, y, z;
static int r0, r1, r2, r3;

static void reset(void)
{
	x = y = z = 0;
	r0 = r1 = r2 = r3 = 0;
}

static void out2(void) { kw_outcome("%d%d", r0, r1); }
static void out3(void) { kw_outcome("%d%d%d", r0, r1, r2); }
static void out4(void) { kw_outcome("%d%d%d%d", r0, r1, r2, r3); }

#define LITMUS(id, nm, chk, ...)                                                        \
	KW_SCENARIO(lit_##id, .name = "litmus/" nm, .setup = reset, .check = chk,       \
		    .threads = { __VA_ARGS__ }, .no_races = false)

/* MP: message passing */
static void mp_w(void *a) { WRITE_ONCE(x, 1); WRITE_ONCE(y, 1); }
static void mp_r(void *a) { r0 = READ_ONCE(y); r1 = READ_ONCE(x); }
LITMUS(mp, "MP", out2, { "P0", mp_w }, { "P1", mp_r })

static void mpra_w(void *a) { WRITE_ONCE(x, 1); smp_store_release(&y, 1); }
static void mpra_r(void *a) { r0 = smp_load_acquire(&y); r1 = READ_ONCE(x); }
LITMUS(mp_relacq, "MP+rel-acq", out2, { "P0", mpra_w }, { "P1", mpra_r })

static void mpwr_w(void *a) { WRITE_ONCE(x, 1); smp_wmb(); WRITE_ONCE(y, 1); }
static void mpwr_r(void *a) { r0 = READ_ONCE(y); smp_rmb(); r1 = READ_ONCE(x); }
LITMUS(mp_wmbrmb, "MP+wmb-rmb", out2, { "P0", mpwr_w }, { "P1", mpwr_r })

/* SB: store buffering */
static void sb_0(void *a) { WRITE_ONCE(x, 1); r0 = READ_ONCE(y); }
static void sb_1(void *a) { WRITE_ONCE(y, 1); r1 = READ_ONCE(x); }
LITMUS(sb, "SB", out2, { "P0", sb_0 }, { "P1", sb_1 })

static void sbm_0(void *a) { WRITE_ONCE(x, 1); smp_mb(); r0 = READ_ONCE(y); }
static void sbm_1(void *a) { WRITE_ONCE(y, 1); smp_mb(); r1 = READ_ONCE(x); }
LITMUS(sb_mbs, "SB+mbs", out2, { "P0", sbm_0 }, { "P1", sbm_1 })

/* LB: load buffering */
static void lb_0(void *a) { r0 = READ_ONCE(x); WRITE_ONCE(y, 1); }
static void lb_1(void *a) { r1 = READ_ONCE(y); WRITE_ONCE(x, 1); }
LITMUS(lb, "LB", out2, { "P0", lb_0 }, { "P1", lb_1 })

static void lbc_0(void *a) { r0 = READ_ONCE(x); if (r0) WRITE_ONCE(y, 1); }
static void lbc_1(void *a) { r1 = READ_ONCE(y); smp_mb(); WRITE_ONCE(x, 1); }
LITMUS(lb_ctrl, "LB+ctrl-mb", out2, { "P0", lbc_0 }, { "P1", lbc_1 })

/* WRC: write-to-read causality */
static void wrc_0(void *a) { WRITE_ONCE(x, 1); }
static void wrc_1(void *a) { r0 = READ_ONCE(x); WRITE_ONCE(y, 1); }
static void wrc_2(void *a) { r1 = READ_ONCE(y); r2 = READ_ONCE(x); }
LITMUS(wrc, "WRC", out3, { "P0", wrc_0 }, { "P1", wrc_1 }, { "P2", wrc_2 })

static void wrcra_1(void *a) { r0 = READ_ONCE(x); smp_store_release(&y, 1); }
static void wrcra_2(void *a) { r1 = smp_load_acquire(&y); r2 = READ_ONCE(x); }
LITMUS(wrc_relacq, "WRC+rel-acq", out3, { "P0", wrc_0 }, { "P1", wrcra_1 }, { "P2", wrcra_2 })

/* IRIW: independent reads of independent writes */
static void iriw_0(void *a) { WRITE_ONCE(x, 1); }
static void iriw_1(void *a) { WRITE_ONCE(y, 1); }
static void iriw_2(void *a) { r0 = READ_ONCE(x); r1 = READ_ONCE(y); }
static void iriw_3(void *a) { r2 = READ_ONCE(y); r3 = READ_ONCE(x); }
LITMUS(iriw, "IRIW", out4, { "P0", iriw_0 }, { "P1", iriw_1 }, { "P2", iriw_2 }, { "P3", iriw_3 })

static void iriwm_2(void *a) { r0 = READ_ONCE(x); smp_mb(); r1 = READ_ONCE(y); }
static void iriwm_3(void *a) { r2 = READ_ONCE(y); smp_mb(); r3 = READ_ONCE(x); }
LITMUS(iriw_mbs, "IRIW+mbs", out4, { "P0", iriw_0 }, { "P1", iriw_1 }, { "P2", iriwm_2 }, { "P3", iriwm_3 })

/* 2+2W: two writers, final values */
static void ww_0(void *a) { WRITE_ONCE(x, 1); WRITE_ONCE(y, 2); }
static void ww_1(void *a) { WRITE_ONCE(y, 1); WRITE_ONCE(x, 2); }
static void out_xy(void) { kw_outcome("x=%d y=%d", x, y); }
LITMUS(ww22, "2+2W", out_xy, { "P0", ww_0 }, { "P1", ww_1 })

/* R */
static void r_0(void *a) { WRITE_ONCE(x, 1); WRITE_ONCE(y, 1); }
static void r_1(void *a) { WRITE_ONCE(y, 2); r0 = READ_ONCE(x); }
static void out_yr(void) { kw_outcome("y=%d r0=%d", y, r0); }
LITMUS(r, "R", out_yr, { "P0", r_0 }, { "P1", r_1 })

static void rm_0(void *a) { WRITE_ONCE(x, 1); smp_mb(); WRITE_ONCE(y, 1); }
static void rm_1(void *a) { WRITE_ONCE(y, 2); smp_mb(); r0 = READ_ONCE(x); }
LITMUS(r_mbs, "R+mbs", out_yr, { "P0", rm_0 }, { "P1", rm_1 })

/* S */
static void s_0(void *a) { WRITE_ONCE(x, 2); WRITE_ONCE(y, 1); }
static void s_1(void *a) { r0 = READ_ONCE(y); WRITE_ONCE(x, 1); }
static void out_rx(void) { kw_outcome("r0=%d x=%d", r0, x); }
LITMUS(s, "S", out_rx, { "P0", s_0 }, { "P1", s_1 })

static void swa_0(void *a) { WRITE_ONCE(x, 2); smp_wmb(); WRITE_ONCE(y, 1); }
static void swa_1(void *a) { r0 = smp_load_acquire(&y); WRITE_ONCE(x, 1); }
LITMUS(s_wmbacq, "S+wmb-acq", out_rx, { "P0", swa_0 }, { "P1", swa_1 })

/* coherence */
static void corr_0(void *a) { WRITE_ONCE(x, 1); }
static void corr_1(void *a) { r0 = READ_ONCE(x); r1 = READ_ONCE(x); }
LITMUS(corr, "CoRR", out2, { "P0", corr_0 }, { "P1", corr_1 })

static void cowr_0(void *a) { WRITE_ONCE(x, 1); r0 = READ_ONCE(x); }
static void cowr_1(void *a) { WRITE_ONCE(x, 2); }
LITMUS(cowr, "CoWR", out_rx, { "P0", cowr_0 }, { "P1", cowr_1 })

static void corw_0(void *a) { r0 = READ_ONCE(x); WRITE_ONCE(x, 1); }
static void corw_1(void *a) { WRITE_ONCE(x, 2); }
LITMUS(corw, "CoRW", out_rx, { "P0", corw_0 }, { "P1", corw_1 })

static void coww_0(void *a) { WRITE_ONCE(x, 1); WRITE_ONCE(x, 2); }
static void out_x(void) { kw_outcome("x=%d", x); }
LITMUS(coww, "CoWW", out_x, { "P0", coww_0 })

/* cmpxchg: ordered on success only */
static void cfu1_0(void *a) { WRITE_ONCE(x, 1); r2 = cmpxchg(&z, 1, 0); r0 = READ_ONCE(y); }
static void cfu1_1(void *a) { WRITE_ONCE(y, 1); r3 = cmpxchg(&z, 1, 0); r1 = READ_ONCE(x); }
LITMUS(cfu1, "cmpxchg-fail-unordered-1", out2, { "P0", cfu1_0 }, { "P1", cfu1_1 })

static void cfo1_0(void *a) { WRITE_ONCE(x, 1); r2 = cmpxchg(&z, 1, 0); smp_mb__after_atomic(); r0 = READ_ONCE(y); }
static void cfo1_1(void *a) { WRITE_ONCE(y, 1); r3 = cmpxchg(&z, 1, 0); smp_mb__after_atomic(); r1 = READ_ONCE(x); }
LITMUS(cfo1, "cmpxchg-fail-ordered-1", out2, { "P0", cfo1_0 }, { "P1", cfo1_1 })

static void cfu2_0(void *a) { WRITE_ONCE(x, 1); r0 = cmpxchg(&y, 0, 1); }
static void cfu2_1(void *a) { r1 = cmpxchg(&y, 0, 1); r2 = READ_ONCE(x); }
LITMUS(cfu2, "cmpxchg-fail-unordered-2", out3, { "P0", cfu2_0 }, { "P1", cfu2_1 })

static void cfo2_1(void *a) { r1 = cmpxchg(&y, 0, 1); smp_mb__after_atomic(); r2 = READ_ONCE(x); }
LITMUS(cfo2, "cmpxchg-fail-ordered-2", out3, { "P0", cfu2_0 }, { "P1", cfo2_1 })

/* RMW atomicity: two increments never lose one */
static void inc2(void *a) { atomic_inc((atomic_t *)&z); }
static void out_z(void) { kw_outcome("z=%d", z); }
LITMUS(rmw_atomic, "RMW-atomicity", out_z, { "P0", inc2 }, { "P1", inc2 }, { "P2", inc2 })
