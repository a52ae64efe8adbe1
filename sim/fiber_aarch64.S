// SPDX-License-Identifier: GPL-2.0-only
// Fiber context switch for AArch64 (AAPCS64): x19-x30 and d8-d15 are callee-saved.
#if defined(__aarch64__) && !defined(KW_FIBER_UCONTEXT)
	.text
	.globl	kw_ctx_switch
	.hidden	kw_ctx_switch
	.type	kw_ctx_switch, %function
	// void kw_ctx_switch(void **save_sp /* x0 */, void *new_sp /* x1 */)
kw_ctx_switch:
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x2, sp
	str	x2, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	ret
	.size	kw_ctx_switch, .-kw_ctx_switch

	// First return of a new fiber lands here with the entry function in x19.
	.globl	kw_ctx_trampoline
	.hidden	kw_ctx_trampoline
	.type	kw_ctx_trampoline, %function
kw_ctx_trampoline:
	mov	x29, #0
	blr	x19
	brk	#0
	.size	kw_ctx_trampoline, .-kw_ctx_trampoline
#endif
	.section .note.GNU-stack,"",%progbits
