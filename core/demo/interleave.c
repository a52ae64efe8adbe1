// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo/interleave-2x2: two tasks, each two marked stores to the same variable; the final
 * value is recorded. Every store conflicts with every other: dfs must explore all
 * C(4,2) = 6 interleavings, with or without reduction.
 *
 * demo/independent-2x2: the same shape, each task storing to its own variable: every
 * interleaving is equivalent, so dfs with sleep sets explores 1 and without them 6.
 */
#include <kweave/kweave.h>

static int x, y;

static void setup(void)
{
	x = 0;
	y = 0;
}

static void a_shared(void *arg)
{
	kw_store(&x, 1);
	kw_store(&x, 2);
}

static void b_shared(void *arg)
{
	kw_store(&x, 3);
	kw_store(&x, 4);
}

static void a_own(void *arg)
{
	kw_store(&x, 1);
	kw_store(&x, 2);
}

static void b_own(void *arg)
{
	kw_store(&y, 3);
	kw_store(&y, 4);
}

static void check(void)
{
	kw_outcome("x=%d y=%d", x, y);
}

KW_SCENARIO(interleave_2x2,
	.name = "demo/interleave-2x2",
	.about = "two tasks, two stores each to one variable: 6 interleavings",
	.setup = setup,
	.threads = { { "writer-a", a_shared }, { "writer-b", b_shared } },
	.check = check)

KW_SCENARIO(independent_2x2,
	.name = "demo/independent-2x2",
	.about = "two tasks, two stores each to their own variables: 1 up to equivalence",
	.setup = setup,
	.threads = { { "writer-a", a_own }, { "writer-b", b_own } },
	.check = check)
