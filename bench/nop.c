/*
 * nop: exits 0 at once.  The program that fork_exec, vfork_exec and
 * posix_spawn run, so that their times are creation and exec, not work.
 */
int
main(void)
{
	return 0;
}
