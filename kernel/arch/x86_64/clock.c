/*
 * Time: the 8259 interrupt controllers, the 8254 timer for the scheduler
 * tick, the TSC calibrated against the 8254, and the CMOS clock for the
 * wall-clock time at boot.  Under QEMU's -icount the TSC and the 8254 both
 * follow virtual time, so the calibration holds there too.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <machine/cpufunc.h>

#define HZ		100		/* scheduler ticks per second */
#define PIT_HZ		1193182		/* 8254 input clock */

uint64_t tsc_hz;
uint64_t boottime_ns;
static uint64_t tsc_boot;
static uint64_t ns_per_cycle_q32;	/* ns per TSC cycle in 32.32 fixed point */

uint64_t
tsc_to_ns(uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * ns_per_cycle_q32) >> 32);
}

uint64_t
nanouptime(void)
{
	return tsc_to_ns(rdtsc() - tsc_boot);
}

static void
pic_init(void)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);	/* init, expect ICW4 */
	outb(0x21, 32);   outb(0xa1, 40);	/* vectors 32..47 */
	outb(0x21, 4);    outb(0xa1, 2);	/* cascade on IRQ2 */
	outb(0x21, 1);    outb(0xa1, 1);	/* 8086 mode */
	outb(0x21, 0xfe); outb(0xa1, 0xff);	/* only IRQ0, the timer */
}

void
pic_eoi(int irq)
{
	if (irq >= 8)
		outb(0xa0, 0x20);
	outb(0x20, 0x20);
}

/* Counts TSC cycles over a 50 ms one-shot of 8254 channel 2. */
static void
tsc_calibrate(void)
{
	uint32_t count = PIT_HZ / 20;
	uint64_t t0, t1;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, mode 0, binary */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	t1 = rdtsc();
	tsc_hz = (t1 - t0) * 20;
	if (tsc_hz == 0)
		panic("tsc_calibrate: TSC does not advance");
	ns_per_cycle_q32 = ((uint64_t)1000000000 << 32) / tsc_hz;
}

static int
cmos_read(int reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static int
bcd(int v, bool binary)
{
	return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void
rtc_read_boottime(void)
{
	while (cmos_read(0x0a) & 0x80)		/* update in progress */
		;
	bool binary = cmos_read(0x0b) & 0x04;
	int sec = bcd(cmos_read(0x00), binary);
	int min = bcd(cmos_read(0x02), binary);
	int hour = bcd(cmos_read(0x04), binary);
	int day = bcd(cmos_read(0x07), binary);
	int mon = bcd(cmos_read(0x08), binary);
	int year = bcd(cmos_read(0x09), binary) + 2000;
	int64_t days = days_from_civil(year, mon, day);

	boottime_ns = (uint64_t)(((days * 24 + hour) * 60 + min) * 60 + sec) * 1000000000ULL;
}

void
clock_init(void)
{
	uint32_t div = PIT_HZ / HZ;

	pic_init();
	tsc_boot = rdtsc();
	tsc_calibrate();
	rtc_read_boottime();
	outb(0x43, 0x34);			/* channel 0, rate generator */
	outb(0x40, div & 0xff);
	outb(0x40, div >> 8);
}

void
clock_intr(void)
{
	sched_tick();
}
