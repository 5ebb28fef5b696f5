/*
 * spin: a guest program that never ends, for the harness's hang tests: a
 * boot of it must end by the per-boot timeout and be reported as such.
 * Arguments are ignored, so it can stand in for forkbench.
 */
int
main(void)
{
	for (;;)
		__asm__ volatile("pause");
}
