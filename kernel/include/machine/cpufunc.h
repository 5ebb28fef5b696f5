/* Inline wrappers for x86-64 instructions the kernel needs. */
#ifndef _MACHINE_CPUFUNC_H_
#define _MACHINE_CPUFUNC_H_

#include <sys/types.h>

static inline void outb(uint16_t port, uint8_t v) { __asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline uint64_t rdmsr(uint32_t msr) { uint32_t lo, hi; __asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v) { __asm volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
static inline uint64_t rcr0(void) { uint64_t v; __asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void lcr0(uint64_t v) { __asm volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline uint64_t rcr2(void) { uint64_t v; __asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t rcr3(void) { uint64_t v; __asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void lcr3(uint64_t v) { __asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline uint64_t rcr4(void) { uint64_t v; __asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void lcr4(uint64_t v) { __asm volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline void invlpg(uint64_t va) { __asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline void cli(void) { __asm volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm volatile("hlt" ::: "memory"); }
static inline uint64_t read_rflags(void) { uint64_t f; __asm volatile("pushfq; popq %0" : "=r"(f) :: "memory"); return f; }
static inline void write_rflags(uint64_t f) { __asm volatile("pushq %0; popfq" :: "r"(f) : "memory", "cc"); }
static inline void clts(void) { __asm volatile("clts"); }
static inline void stts(void) { lcr0(rcr0() | 0x8); }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
	__asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#define PSL_I		0x200		/* RFLAGS interrupt enable */
#define CR0_WP		0x10000
#define CR0_TS		0x8
#define CR0_MP		0x2
#define CR0_EM		0x4
#define CR4_OSFXSR	0x200
#define CR4_OSXMMEXCPT	0x400
#define CR4_PGE		0x80

#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_SFMASK	0xc0000084
#define MSR_FSBASE	0xc0000100
#define MSR_GSBASE	0xc0000101
#define MSR_KERNELGSBASE 0xc0000102
#define EFER_SCE	0x1
#define EFER_NXE	0x800

#endif
