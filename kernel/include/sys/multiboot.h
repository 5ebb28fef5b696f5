/* The multiboot (version 1) information structure, as QEMU's -kernel fills it. */
#ifndef _SYS_MULTIBOOT_H_
#define _SYS_MULTIBOOT_H_

#include <sys/types.h>

#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002
#define MBI_CMDLINE	0x004
#define MBI_MODS	0x008
#define MBI_MMAP	0x040

struct multiboot_info {
	uint32_t	flags;
	uint32_t	mem_lower, mem_upper;
	uint32_t	boot_device;
	uint32_t	cmdline;
	uint32_t	mods_count;
	uint32_t	mods_addr;
	uint32_t	syms[4];
	uint32_t	mmap_length;
	uint32_t	mmap_addr;
} __packed;

struct multiboot_mmap {
	uint32_t	size;		/* of the rest of this entry */
	uint64_t	addr;
	uint64_t	len;
	uint32_t	type;		/* 1: usable RAM */
} __packed;

struct multiboot_module {
	uint32_t	mod_start, mod_end;
	uint32_t	string;		/* "HOSTPATH GUESTPATH" as given to -initrd */
	uint32_t	reserved;
} __packed;

#endif
