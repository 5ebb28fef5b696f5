/*
 * Copying between kernel and user memory.  A bad or kernel-space user
 * address gives EFAULT: ranges are checked against the user half first,
 * and a fault inside copy_user resumes at its error return through
 * pcb_onfault instead of panicking.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <machine/pmap.h>

int	copy_user(void *dst, const void *src, size_t len, uint64_t *onfault);

bool
uaddr_ok(uint64_t uaddr, size_t len)
{
	return uaddr + len >= uaddr && uaddr + len <= VM_MAX_USER;
}

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!uaddr_ok((uint64_t)uaddr, len))
		return EFAULT;
	return copy_user(kaddr, uaddr, len, &curlwp->l_pcb->pcb_onfault);
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!uaddr_ok((uint64_t)uaddr, len))
		return EFAULT;
	return copy_user(uaddr, kaddr, len, &curlwp->l_pcb->pcb_onfault);
}

/*
 * Copies a NUL-terminated string of at most `len` bytes (NUL included);
 * *done gets the length with the NUL.  Returns 0, EFAULT or ENAMETOOLONG.
 */
int
copyinstr(const void *uaddr, char *kaddr, size_t len, size_t *done)
{
	uint64_t u = (uint64_t)uaddr;
	size_t n = 0;

	while (n < len) {
		size_t chunk = MIN(len - n, PAGE_SIZE - ((u + n) & PAGE_MASK));

		if (copyin((void *)(u + n), kaddr + n, chunk) != 0)
			return EFAULT;
		for (size_t i = 0; i < chunk; i++) {
			if (kaddr[n + i] == '\0') {
				if (done != NULL)
					*done = n + i + 1;
				return 0;
			}
		}
		n += chunk;
	}
	return ENAMETOOLONG;
}

int
fuword32(const void *uaddr, uint32_t *val)
{
	return copyin(uaddr, val, sizeof(*val));
}

int
suword32(void *uaddr, uint32_t val)
{
	return copyout(&val, uaddr, sizeof(val));
}

int
suword64(void *uaddr, uint64_t val)
{
	return copyout(&val, uaddr, sizeof(val));
}
