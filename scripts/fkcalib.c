/*
 * fkcalib: runs a fixed chain of dependent integer operations and exits 0.
 *
 * The harness times it natively and inside a guest; a hardware-assisted
 * KVM runs it at about native speed, while emulation or a software
 * hypervisor is many times slower.  Usage: fkcalib [ITERATIONS]
 * (default 100000000, about 0.1 s natively).
 */
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	unsigned long long n = 100000000ULL, x = 88172645463325252ULL;
	char *end;

	if (argc > 1) {
		n = strtoull(argv[1], &end, 10);
		if (*end != '\0' || n == 0) {
			fprintf(stderr, "fkcalib: iterations '%s' is not a positive integer\n",
				argv[1]);
			return 2;
		}
	}
	/* xorshift: each step depends on the last, so nothing is folded away. */
	for (unsigned long long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x == 0 ? 1 : 0;
}
