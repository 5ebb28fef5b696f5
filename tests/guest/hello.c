/* The smallest useful guest: a greeting on stdout and stderr, then exit 0 (or argv[1]). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	printf("hello from forklab guest, pid %d\n", (int)getpid());
	fprintf(stderr, "hello on stderr\n");
	return argc > 1 ? atoi(argv[1]) : 0;
}
