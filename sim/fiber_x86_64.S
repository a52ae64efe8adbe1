// SPDX-License-Identifier: GPL-2.0-only
// Fiber context switch for x86-64 (System V): save the callee-saved registers, MXCSR and the
// x87 control word on the old stack, store its pointer, load the new one, restore, return.
#if defined(__x86_64__) && !defined(KW_FIBER_UCONTEXT)
	.text
	.globl	kw_ctx_switch
	.hidden	kw_ctx_switch
	.type	kw_ctx_switch, @function
	// void kw_ctx_switch(void **save_sp /* rdi */, void *new_sp /* rsi */)
kw_ctx_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	kw_ctx_switch, .-kw_ctx_switch

	// First return of a new fiber lands here with the entry function in r12.
	.globl	kw_ctx_trampoline
	.hidden	kw_ctx_trampoline
	.type	kw_ctx_trampoline, @function
kw_ctx_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	callq	*%r12
	ud2
	.cfi_endproc
	.size	kw_ctx_trampoline, .-kw_ctx_trampoline
#endif
	.section .note.GNU-stack,"",@progbits
