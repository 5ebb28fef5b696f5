/*
 * Descriptor tables and open files.  A table is copied at fork (the open
 * files themselves are shared, so parent and child move one offset) or
 * shared with FORK_SHAREFILES.  Locking: (d) fd_lock, (f) f_lock.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/file.h>
#include <sys/tunable.h>
#include <uvm/uvm.h>

static struct pool file_pool;
static struct pool filedesc_pool;

void
fd_init_pools(void)
{
	pool_init(&file_pool, sizeof(struct file), "file");
	pool_init(&filedesc_pool, sizeof(struct filedesc), "filedesc");
}

/* Returns an empty table with one reference, or NULL. */
struct filedesc *
fd_alloc(void)
{
	struct filedesc *fdp;

	if (failpoint_hit(FP_FILES))
		return NULL;
	if ((fdp = pool_get(&filedesc_pool)) == NULL)
		return NULL;
	mutex_init(&fdp->fd_lock, "filedesc");
	fdp->fd_refcnt = 1;
	return fdp;
}

/* Fills `dst` (from fd_alloc) with src's descriptors, each file gaining a reference. */
struct filedesc *
fd_copy(struct filedesc *src, struct filedesc *dst)
{
	mutex_enter(&src->fd_lock);
	for (int i = 0; i < src->fd_nfiles; i++) {
		struct file *fp = src->fd_ofiles[i];

		if (fp == NULL)
			continue;
		file_hold(fp);
		dst->fd_ofiles[i] = fp;
		dst->fd_cloexec[i] = src->fd_cloexec[i];
	}
	dst->fd_nfiles = src->fd_nfiles;
	mutex_exit(&src->fd_lock);
	return dst;
}

void
fd_share(struct filedesc *fdp)
{
	mutex_enter(&fdp->fd_lock);
	fdp->fd_refcnt++;
	mutex_exit(&fdp->fd_lock);
}

void
fd_free(struct filedesc *fdp)
{
	mutex_enter(&fdp->fd_lock);
	if (--fdp->fd_refcnt > 0) {
		mutex_exit(&fdp->fd_lock);
		return;
	}
	mutex_exit(&fdp->fd_lock);
	for (int i = 0; i < fdp->fd_nfiles; i++)
		if (fdp->fd_ofiles[i] != NULL)
			file_release(fdp->fd_ofiles[i]);
	pool_put(&filedesc_pool, fdp);
}

/* Closes every close-on-exec descriptor (execve). */
void
fd_closeexec(struct filedesc *fdp)
{
	for (int i = 0; i < fdp->fd_nfiles; i++)
		if (fdp->fd_ofiles[i] != NULL && fdp->fd_cloexec[i])
			(void)fd_close(fdp, i);
}

int
fd_install(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec)
{
	mutex_enter(&fdp->fd_lock);
	for (int i = minfd; i < NDFILE_MAX; i++) {
		if (fdp->fd_ofiles[i] == NULL) {
			fdp->fd_ofiles[i] = fp;
			fdp->fd_cloexec[i] = cloexec;
			if (i >= fdp->fd_nfiles)
				fdp->fd_nfiles = i + 1;
			mutex_exit(&fdp->fd_lock);
			return i;
		}
	}
	mutex_exit(&fdp->fd_lock);
	return -EMFILE;
}

struct file *
fd_getfile(struct filedesc *fdp, int fd)
{
	struct file *fp = NULL;

	if (fd < 0 || fd >= NDFILE_MAX)
		return NULL;
	mutex_enter(&fdp->fd_lock);
	if ((fp = fdp->fd_ofiles[fd]) != NULL)
		file_hold(fp);
	mutex_exit(&fdp->fd_lock);
	return fp;
}

int
fd_close(struct filedesc *fdp, int fd)
{
	struct file *fp;

	if (fd < 0 || fd >= NDFILE_MAX)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	fp = fdp->fd_ofiles[fd];
	fdp->fd_ofiles[fd] = NULL;
	fdp->fd_cloexec[fd] = 0;
	mutex_exit(&fdp->fd_lock);
	if (fp == NULL)
		return EBADF;
	file_release(fp);
	return 0;
}

/* Makes newfd refer to oldfd's file (dup2/dup3); returns newfd or a negative errno. */
int
fd_dup2(struct filedesc *fdp, int oldfd, int newfd, bool cloexec)
{
	struct file *fp, *old;

	if (newfd < 0 || newfd >= NDFILE_MAX)
		return -EBADF;
	if ((fp = fd_getfile(fdp, oldfd)) == NULL)
		return -EBADF;
	mutex_enter(&fdp->fd_lock);
	old = fdp->fd_ofiles[newfd];
	fdp->fd_ofiles[newfd] = fp;
	fdp->fd_cloexec[newfd] = cloexec;
	if (newfd >= fdp->fd_nfiles)
		fdp->fd_nfiles = newfd + 1;
	mutex_exit(&fdp->fd_lock);
	if (old != NULL)
		file_release(old);
	return newfd;
}

int
fd_set_cloexec(struct filedesc *fdp, int fd, int on)
{
	if (fd < 0 || fd >= NDFILE_MAX)
		return -EBADF;
	mutex_enter(&fdp->fd_lock);
	if (fdp->fd_ofiles[fd] == NULL) {
		mutex_exit(&fdp->fd_lock);
		return -EBADF;
	}
	if (on >= 0)
		fdp->fd_cloexec[fd] = on;
	int v = fdp->fd_cloexec[fd];
	mutex_exit(&fdp->fd_lock);
	return v;
}

struct file *
file_alloc(enum ftype type, int flag)
{
	struct file *fp = pool_get(&file_pool);

	if (fp == NULL)
		return NULL;
	mutex_init(&fp->f_lock, "file");
	fp->f_refcnt = 1;
	fp->f_type = type;
	fp->f_flag = flag;
	return fp;
}

void
file_hold(struct file *fp)
{
	mutex_enter(&fp->f_lock);
	fp->f_refcnt++;
	mutex_exit(&fp->f_lock);
}

void
file_release(struct file *fp)
{
	mutex_enter(&fp->f_lock);
	if (--fp->f_refcnt > 0) {
		mutex_exit(&fp->f_lock);
		return;
	}
	mutex_exit(&fp->f_lock);
	if (fp->f_type == FT_PIPE)
		pipe_close(fp);
	if (fp->f_procbuf != NULL)
		kmem_free(fp->f_procbuf, PROCBUF_SIZE);
	pool_put(&file_pool, fp);
}

/* Reads from an in-memory file or a /proc/forklab snapshot at the shared offset. */
static ssize_t
file_read_buffer(struct file *fp, const uint8_t *data, size_t size, void *ubuf, size_t len)
{
	ssize_t n;

	mutex_enter(&fp->f_lock);
	off_t off = fp->f_offset;
	mutex_exit(&fp->f_lock);
	if (off >= (off_t)size)
		return 0;
	n = MIN(len, size - off);
	if (copyout(data + off, ubuf, n) != 0)
		return -EFAULT;
	mutex_enter(&fp->f_lock);
	fp->f_offset = off + n;
	mutex_exit(&fp->f_lock);
	return n;
}

ssize_t
file_read(struct file *fp, void *ubuf, size_t len)
{
	if ((fp->f_flag & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	switch (fp->f_type) {
	case FT_NODE:
		if (fp->f_node->mn_type == MEMFS_DIR)
			return -EISDIR;
		return file_read_buffer(fp, fp->f_node->mn_data, fp->f_node->mn_size, ubuf, len);
	case FT_PROC:
		return file_read_buffer(fp, (uint8_t *)fp->f_procbuf, fp->f_proclen, ubuf, len);
	case FT_PIPE:
		return pipe_read(fp, ubuf, len);
	case FT_CONSOLE:
		return 0;	/* no console input: end of file */
	}
	return -EBADF;
}

ssize_t
file_write(struct file *fp, const void *ubuf, size_t len)
{
	char buf[256];
	size_t done = 0;

	if ((fp->f_flag & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	switch (fp->f_type) {
	case FT_PIPE:
		return pipe_write(fp, ubuf, len);
	case FT_CONSOLE:
		while (done < len) {
			size_t n = MIN(len - done, sizeof(buf));

			if (copyin((const char *)ubuf + done, buf, n) != 0)
				return done ? (ssize_t)done : -EFAULT;
			cons_write(fp->f_console, buf, n);
			done += n;
		}
		return done;
	case FT_PROC: {
		char *kbuf;
		int error;

		if (fp->f_node->mn_proc_write == NULL)
			return -EBADF;
		if (len > 1024)
			return -EINVAL;
		if ((kbuf = kmem_zalloc(len + 1)) == NULL)
			return -ENOMEM;
		if (copyin(ubuf, kbuf, len) != 0) {
			kmem_free(kbuf, len + 1);
			return -EFAULT;
		}
		error = fp->f_node->mn_proc_write(kbuf, len);
		kmem_free(kbuf, len + 1);
		return error ? -error : (ssize_t)len;
	}
	case FT_NODE:
		return -EBADF;
	}
	return -EBADF;
}
