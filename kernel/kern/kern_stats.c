/*
 * /proc/forklab: the kernel's counters (stats), the tunables (config,
 * writable) and the last fork's phase breakdown (trace).  Files are text,
 * one "name value" per line, so a shell or a C program reads them alike.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/tunable.h>
#include <uvm/uvm.h>

void	lwp_cache_drain(void);
uint64_t syscall_enosys_total(void);

/*
 * Reading stats first drains every cache (u-areas, recycled LWPs, empty
 * object-cache pages), as NetBSD drains its pools under memory pressure, so
 * that free_pages counts every page not in use and a leak check is exact.
 */
size_t	pool_format_stats(char *buf, size_t size);

size_t
procfs_stats_read(char *buf, size_t size)
{
	size_t n;

	proc_reap_dead();
	uvm_uarea_drain();
	lwp_cache_drain();
	pool_drain_all();
	n = snprintf(buf, size,
	    "free_pages %lu\n"
	    "total_pages %lu\n"
	    "procs %u\n"
	    "lwps %u\n"
	    "uareas %lu\n"
	    "ptpages %lu\n"
	    "enosys %lu\n"
	    "cow_faults %lu\n"
	    "pt_copies %lu\n"
	    "zero_fills %lu\n"
	    "tsc_hz %lu\n",
	    uvmexp.free, uvmexp.npages, nprocs, nlwps, uvm_uareas_inuse, uvmexp.ptpages,
	    syscall_enosys_total(), uvmexp.cow_faults, uvmexp.pt_copies, uvmexp.zero_fills,
	    tsc_hz);
	n += pool_format_stats(buf + n, n < size ? size - n : 0);
	return MIN(n, size);
}

size_t
procfs_config_read(char *buf, size_t size)
{
	return tunables_format(buf, size);
}

int
procfs_config_write(const char *buf, size_t len)
{
	char err[160];
	int error = tunables_apply(buf, len, err, sizeof(err));

	if (error)
		printf("forklab: config: %s\n", err);
	return error;
}

size_t
procfs_trace_read(char *buf, size_t size)
{
	size_t n = snprintf(buf, size, "seq %lu\n", fork_trace.ft_seq);

	for (int i = 0; i < PH_NPHASES; i++)
		n += snprintf(buf + n, n < size ? size - n : 0, "phase %s %lu\n",
		    fork_phase_names[i], fork_trace.ft_ns[i]);
	n += snprintf(buf + n, n < size ? size - n : 0,
	    "counter cow_faults %lu\ncounter cow_fault_ns %lu\n"
	    "counter pt_copies %lu\ncounter pt_copy_ns %lu\n",
	    uvmexp.cow_faults, uvmexp.cow_fault_ns, uvmexp.pt_copies, uvmexp.pt_copy_ns);
	return n;
}
