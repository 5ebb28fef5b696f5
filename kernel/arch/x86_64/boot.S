/*
 * Multiboot (version 1) entry.  QEMU's -kernel loads the image with the
 * a.out kludge addresses below, so the ELF may be 64-bit; it enters here in
 * 32-bit protected mode with paging off, EAX = multiboot magic and EBX =
 * physical address of the multiboot information.
 *
 * We build a minimal set of page tables that map the first GiB of physical
 * memory three times (identity, direct map, kernel image at -2 GiB), turn
 * on long mode and jump to the kernel's virtual addresses.  pmap_bootstrap
 * replaces these tables with complete ones.
 */
#include <machine/frame.h>

#define KERNBASE	0xffffffff80000000
#define V2P(x)		((x) - KERNBASE)
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00010003	/* page-align modules, memory map, a.out kludge */

	.section .multiboot, "a"
	.align 4
multiboot_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	V2P(multiboot_header)
	.long	V2P(_load_start)
	.long	V2P(_load_end)
	.long	V2P(_bss_end)
	.long	V2P(start32)

	.section .boot.text, "ax"
	.code32
	.globl	start32
start32:
	cli
	movl	%eax, %edi			/* multiboot magic */
	movl	%ebx, %esi			/* multiboot info (physical) */
	movl	$V2P(boot_stack_top), %esp

	/* One page directory of 2 MiB pages maps physical 0..1 GiB. */
	movl	$V2P(boot_pd), %ebx
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax			/* present, writable, 2 MiB */
	movl	%eax, (%ebx, %ecx, 8)
	movl	$0, 4(%ebx, %ecx, 8)
	incl	%ecx
	cmpl	$512, %ecx
	jne	1b

	movl	$V2P(boot_pd) + 3, %eax
	movl	%eax, V2P(boot_pdpt_lo)		/* [0]: 0..1 GiB */
	movl	%eax, V2P(boot_pdpt_hi) + 510*8	/* [510]: -2 GiB */
	movl	$V2P(boot_pdpt_lo) + 3, %eax
	movl	%eax, V2P(boot_pml4)		/* identity */
	movl	%eax, V2P(boot_pml4) + 256*8	/* direct map */
	movl	$V2P(boot_pdpt_hi) + 3, %eax
	movl	%eax, V2P(boot_pml4) + 511*8	/* kernel image */

	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	$V2P(boot_pml4), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$0x100, %eax			/* long mode enable */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80010001, %eax		/* paging, write protect, protected mode */
	movl	%eax, %cr0

	lgdt	V2P(boot_gdtr)
	ljmp	$GSEL_KCODE, $V2P(start64_low)

	.code64
start64_low:
	movabsq	$start64, %rax
	jmp	*%rax

	.text
start64:
	movw	$GSEL_KDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movabsq	$boot_stack_top, %rsp
	xorq	%rbp, %rbp
	/* kmain(magic, mbinfo_phys) */
	call	kmain
2:	hlt
	jmp	2b

	.section .boot.data, "aw"
	.align 16
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08 kernel code, 64-bit */
	.quad	0x00cf92000000ffff		/* 0x10 kernel data */
boot_gdtr:
	.word	boot_gdtr - boot_gdt - 1
	.long	V2P(boot_gdt)

	.section .bss
	.align 4096
boot_pml4:	.space 4096
boot_pdpt_lo:	.space 4096
boot_pdpt_hi:	.space 4096
boot_pd:	.space 4096
	.globl	boot_stack_top
boot_stack:	.space 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
