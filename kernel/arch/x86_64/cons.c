/*
 * Serial ports.  COM1 carries the programs' standard output, COM2 their
 * standard error and COM3 the kernel's own messages, so kernel output can
 * never corrupt a benchmark's CSV stream.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/lock.h>
#include <sys/file.h>
#include <machine/cpufunc.h>

static const uint16_t com_base[3] = { 0x3f8, 0x2f8, 0x3e8 };
static kmutex_t cons_lock = KMUTEX_INITIALIZER("cons");

static void
com_init(uint16_t base)
{
	outb(base + 1, 0x00);	/* no interrupts: output is polled */
	outb(base + 3, 0x80);	/* divisor latch */
	outb(base + 0, 0x01);	/* 115200 baud */
	outb(base + 1, 0x00);
	outb(base + 3, 0x03);	/* 8N1 */
	outb(base + 2, 0xc7);	/* FIFO */
	outb(base + 4, 0x03);
}

void
cons_init(void)
{
	for (int i = 0; i < 3; i++)
		com_init(com_base[i]);
}

void
cons_write(int port, const char *buf, size_t len)
{
	uint16_t base = com_base[port];

	mutex_enter(&cons_lock);
	for (size_t i = 0; i < len; i++) {
		/* QEMU's UART is always ready; a real one may need the wait. */
		for (int spin = 0; spin < 100000 && !(inb(base + 5) & 0x20); spin++)
			;
		outb(base, (uint8_t)buf[i]);
	}
	mutex_exit(&cons_lock);
}
