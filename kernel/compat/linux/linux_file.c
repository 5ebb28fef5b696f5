/*
 * File system calls of the Linux ABI over the in-memory file system,
 * pipes and the serial console.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/file.h>
#include <uvm/uvm.h>
#include "linux_syscall.h"

#define AT_FDCWD	-100
#define AT_EMPTY_PATH	0x1000
#define AT_SYMLINK_NOFOLLOW 0x100
#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030
#define FD_CLOEXEC	1
#define TIOCGWINSZ	0x5413
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
#define IOV_MAX		1024
#define S_IFIFO		0010000
#define S_IFCHR		0020000
#define S_IFDIR		0040000
#define S_IFREG		0100000

int	fd_dup2(struct filedesc *, int oldfd, int newfd, bool cloexec);
int	fd_set_cloexec(struct filedesc *, int fd, int on);

struct linux_stat {
	uint64_t	st_dev, st_ino, st_nlink;
	uint32_t	st_mode, st_uid, st_gid, __pad0;
	uint64_t	st_rdev;
	int64_t		st_size, st_blksize, st_blocks;
	uint64_t	st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
	int64_t		st_reserved[3];
};

struct iovec_k {
	uint64_t	iov_base;
	uint64_t	iov_len;
};

/* read(2) and write(2): one user buffer, checked against the user half first. */
static int64_t
rw_single(struct lwp *l, const uint64_t *a, bool write)
{
	struct file *fp = fd_getfile(l->l_proc->p_fd, (int)a[0]);
	int64_t n;

	if (fp == NULL)
		return -EBADF;
	if (!uaddr_ok(a[1], a[2]))
		n = -EFAULT;
	else if (write)
		n = file_write(fp, (const void *)a[1], a[2]);
	else
		n = file_read(fp, (void *)a[1], a[2]);
	file_release(fp);
	return n;
}

static int64_t linux_read(struct lwp *l, const uint64_t *a) { return rw_single(l, a, false); }
static int64_t linux_write(struct lwp *l, const uint64_t *a) { return rw_single(l, a, true); }

static int64_t
rw_vector(struct lwp *l, const uint64_t *a, bool write)
{
	struct file *fp;
	struct iovec_k iov;
	int64_t total = 0;

	if (a[2] > IOV_MAX)
		return -EINVAL;
	if ((fp = fd_getfile(l->l_proc->p_fd, (int)a[0])) == NULL)
		return -EBADF;
	for (uint64_t i = 0; i < a[2]; i++) {
		int64_t n;

		if (copyin((struct iovec_k *)a[1] + i, &iov, sizeof(iov)) != 0) {
			total = total ? total : -EFAULT;
			break;
		}
		if (iov.iov_len == 0)
			continue;
		if (!uaddr_ok(iov.iov_base, iov.iov_len))
			n = -EFAULT;
		else if (write)
			n = file_write(fp, (void *)iov.iov_base, iov.iov_len);
		else
			n = file_read(fp, (void *)iov.iov_base, iov.iov_len);
		if (n < 0) {
			total = total ? total : n;
			break;
		}
		total += n;
		if ((uint64_t)n < iov.iov_len)
			break;
	}
	file_release(fp);
	return total;
}

static int64_t linux_readv(struct lwp *l, const uint64_t *a) { return rw_vector(l, a, false); }
static int64_t linux_writev(struct lwp *l, const uint64_t *a) { return rw_vector(l, a, true); }

static int64_t
linux_close(struct lwp *l, const uint64_t *a)
{
	return -fd_close(l->l_proc->p_fd, (int)a[0]);
}

/* Resolves a user path relative to the cwd (dirfd other than AT_FDCWD is not supported for relative paths). */
static int
lookup_user(struct lwp *l, int dirfd, uint64_t upath, struct memfs_node **np, char *path, size_t size)
{
	size_t done;
	int error;

	if ((error = copyinstr((void *)upath, path, size, &done)) != 0)
		return error;
	if (path[0] != '/' && dirfd != AT_FDCWD)
		return EBADF;	/* XXX directory descriptors are not supported */
	return memfs_lookup(l->l_proc->p_cwdi->cwdi_path, path, np);
}

static int64_t
do_openat(struct lwp *l, int dirfd, uint64_t upath, int flags)
{
	struct memfs_node *n;
	struct file *fp;
	char path[256];
	int acc = flags & O_ACCMODE, error, fd;

	error = lookup_user(l, dirfd, upath, &n, path, sizeof(path));
	if (error == ENOENT && (flags & O_CREAT))
		return -EROFS;
	if (error)
		return -error;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if ((flags & O_DIRECTORY) && n->mn_type != MEMFS_DIR)
		return -ENOTDIR;
	if (acc != O_RDONLY || (flags & O_TRUNC)) {
		if (n->mn_type == MEMFS_DIR)
			return -EISDIR;
		if (n->mn_type != MEMFS_PROC || n->mn_proc_write == NULL)
			return -EROFS;
	}
	if ((fp = file_alloc(n->mn_type == MEMFS_PROC ? FT_PROC : FT_NODE, flags & ~O_CLOEXEC)) == NULL)
		return -ENOMEM;
	fp->f_node = n;
	if (n->mn_type == MEMFS_PROC && n->mn_proc_read != NULL) {
		/* A snapshot at open, so reads at any offset see one consistent text. */
		if ((fp->f_procbuf = kmem_zalloc(PROCBUF_SIZE)) == NULL) {
			file_release(fp);
			return -ENOMEM;
		}
		fp->f_proclen = MIN(n->mn_proc_read(fp->f_procbuf, PROCBUF_SIZE), PROCBUF_SIZE - 1);
	}
	fd = fd_install(l->l_proc->p_fd, fp, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_release(fp);
	return fd;
}

static int64_t linux_open(struct lwp *l, const uint64_t *a) { return do_openat(l, AT_FDCWD, a[0], (int)a[1]); }
static int64_t linux_openat(struct lwp *l, const uint64_t *a) { return do_openat(l, (int)a[0], a[1], (int)a[2]); }

static void
stat_node(struct memfs_node *n, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 1;
	st->st_ino = n->mn_ino;
	st->st_nlink = 1;
	st->st_blksize = PAGE_SIZE;
	switch (n->mn_type) {
	case MEMFS_DIR:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		break;
	case MEMFS_REG:
		st->st_mode = S_IFREG | 0555;
		st->st_size = n->mn_size;
		st->st_blocks = howmany(n->mn_size, 512);
		break;
	default:
		st->st_mode = S_IFREG | (n->mn_proc_write ? 0644 : 0444);
		break;
	}
}

static int64_t
do_fstat(struct lwp *l, int fd, uint64_t ust)
{
	struct file *fp = fd_getfile(l->l_proc->p_fd, fd);
	struct linux_stat st;

	if (fp == NULL)
		return -EBADF;
	memset(&st, 0, sizeof(st));
	switch (fp->f_type) {
	case FT_NODE:
	case FT_PROC:
		stat_node(fp->f_node, &st);
		break;
	case FT_PIPE:
		st.st_mode = S_IFIFO | 0600;
		st.st_blksize = PAGE_SIZE;
		break;
	case FT_CONSOLE:
		st.st_mode = S_IFCHR | 0620;
		st.st_rdev = (4 << 8) | (64 + fp->f_console);	/* ttyS0..: major 4, minor 64 */
		st.st_blksize = 1024;
		break;
	}
	file_release(fp);
	return copyout(&st, (void *)ust, sizeof(st)) ? -EFAULT : 0;
}

static int64_t linux_fstat(struct lwp *l, const uint64_t *a) { return do_fstat(l, (int)a[0], a[1]); }

static int64_t
do_stat(struct lwp *l, int dirfd, uint64_t upath, uint64_t ust, int flags)
{
	struct memfs_node *n;
	struct linux_stat st;
	char path[256];
	size_t done;
	int error;

	if (flags & AT_EMPTY_PATH) {
		if (copyinstr((void *)upath, path, sizeof(path), &done) != 0)
			return -EFAULT;
		if (path[0] == '\0')
			return do_fstat(l, dirfd, ust);
	}
	if ((error = lookup_user(l, dirfd, upath, &n, path, sizeof(path))) != 0)
		return -error;
	stat_node(n, &st);
	return copyout(&st, (void *)ust, sizeof(st)) ? -EFAULT : 0;
}

static int64_t linux_stat(struct lwp *l, const uint64_t *a) { return do_stat(l, AT_FDCWD, a[0], a[1], 0); }
static int64_t linux_newfstatat(struct lwp *l, const uint64_t *a) { return do_stat(l, (int)a[0], a[1], a[2], (int)a[3]); }

static int64_t
do_access(struct lwp *l, int dirfd, uint64_t upath, int mode)
{
	struct memfs_node *n;
	char path[256];
	int error;

	if (mode & ~7)
		return -EINVAL;
	if ((error = lookup_user(l, dirfd, upath, &n, path, sizeof(path))) != 0)
		return -error;
	if ((mode & 2) && !(n->mn_type == MEMFS_PROC && n->mn_proc_write != NULL))
		return -EROFS;
	return 0;
}

static int64_t linux_access(struct lwp *l, const uint64_t *a) { return do_access(l, AT_FDCWD, a[0], (int)a[1]); }
static int64_t linux_faccessat(struct lwp *l, const uint64_t *a) { return do_access(l, (int)a[0], a[1], (int)a[2]); }

static int64_t
linux_lseek(struct lwp *l, const uint64_t *a)
{
	struct file *fp = fd_getfile(l->l_proc->p_fd, (int)a[0]);
	int64_t off = (int64_t)a[1], base, ret;

	if (fp == NULL)
		return -EBADF;
	if (fp->f_type == FT_PIPE || fp->f_type == FT_CONSOLE) {
		file_release(fp);
		return -ESPIPE;
	}
	mutex_enter(&fp->f_lock);
	switch ((int)a[2]) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = fp->f_offset;
		break;
	case SEEK_END:
		base = fp->f_type == FT_PROC ? (int64_t)fp->f_proclen : (int64_t)fp->f_node->mn_size;
		break;
	default:
		base = -1;
		break;
	}
	if (base < 0 || base + off < 0) {
		ret = -EINVAL;
	} else {
		fp->f_offset = base + off;
		ret = fp->f_offset;
	}
	mutex_exit(&fp->f_lock);
	file_release(fp);
	return ret;
}

static int64_t
linux_ioctl(struct lwp *l, const uint64_t *a)
{
	struct file *fp = fd_getfile(l->l_proc->p_fd, (int)a[0]);

	if (fp == NULL)
		return -EBADF;
	file_release(fp);
	/* No terminal here: TIOCGWINSZ and every other request get ENOTTY, as for a file. */
	return -ENOTTY;
}

static int64_t
do_pipe2(struct lwp *l, uint64_t ufds, int flags)
{
	struct filedesc *fdp = l->l_proc->p_fd;
	struct file *rf, *wf;
	int fds[2], error;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if ((error = pipe_create(&rf, &wf)) != 0)
		return -error;
	rf->f_flag |= flags & O_NONBLOCK;
	wf->f_flag |= flags & O_NONBLOCK;
	if ((fds[0] = fd_install(fdp, rf, 0, flags & O_CLOEXEC)) < 0) {
		file_release(rf);
		file_release(wf);
		return fds[0];
	}
	if ((fds[1] = fd_install(fdp, wf, 0, flags & O_CLOEXEC)) < 0) {
		fd_close(fdp, fds[0]);
		file_release(wf);
		return fds[1];
	}
	if (copyout(fds, (void *)ufds, sizeof(fds)) != 0) {
		fd_close(fdp, fds[0]);
		fd_close(fdp, fds[1]);
		return -EFAULT;
	}
	return 0;
}

static int64_t linux_pipe(struct lwp *l, const uint64_t *a) { return do_pipe2(l, a[0], 0); }
static int64_t linux_pipe2(struct lwp *l, const uint64_t *a) { return do_pipe2(l, a[0], (int)a[1]); }

static int64_t
do_dupfd(struct lwp *l, int oldfd, int minfd, bool cloexec)
{
	struct file *fp = fd_getfile(l->l_proc->p_fd, oldfd);
	int fd;

	if (fp == NULL)
		return -EBADF;
	if (minfd < 0 || minfd >= NDFILE_MAX) {
		file_release(fp);
		return -EINVAL;
	}
	fd = fd_install(l->l_proc->p_fd, fp, minfd, cloexec);
	if (fd < 0)
		file_release(fp);
	return fd;
}

static int64_t linux_dup(struct lwp *l, const uint64_t *a) { return do_dupfd(l, (int)a[0], 0, false); }

static int64_t
linux_dup2(struct lwp *l, const uint64_t *a)
{
	struct file *fp;

	if ((int)a[0] == (int)a[1]) {
		/* dup2 to itself checks the descriptor and changes nothing. */
		if ((fp = fd_getfile(l->l_proc->p_fd, (int)a[0])) == NULL)
			return -EBADF;
		file_release(fp);
		return (int)a[1];
	}
	return fd_dup2(l->l_proc->p_fd, (int)a[0], (int)a[1], false);
}

static int64_t
linux_dup3(struct lwp *l, const uint64_t *a)
{
	if ((int)a[2] & ~O_CLOEXEC)
		return -EINVAL;
	if ((int)a[0] == (int)a[1])
		return -EINVAL;
	return fd_dup2(l->l_proc->p_fd, (int)a[0], (int)a[1], ((int)a[2] & O_CLOEXEC) != 0);
}

static int64_t
linux_fcntl(struct lwp *l, const uint64_t *a)
{
	struct filedesc *fdp = l->l_proc->p_fd;
	int fd = (int)a[0];
	struct file *fp;
	int64_t ret;

	switch ((int)a[1]) {
	case F_DUPFD:
		return do_dupfd(l, fd, (int)a[2], false);
	case F_DUPFD_CLOEXEC:
		return do_dupfd(l, fd, (int)a[2], true);
	case F_GETFD:
		ret = fd_set_cloexec(fdp, fd, -1);
		return ret < 0 ? ret : (ret ? FD_CLOEXEC : 0);
	case F_SETFD:
		ret = fd_set_cloexec(fdp, fd, (a[2] & FD_CLOEXEC) != 0);
		return ret < 0 ? ret : 0;
	case F_GETFL:
		if ((fp = fd_getfile(fdp, fd)) == NULL)
			return -EBADF;
		ret = fp->f_flag & (O_ACCMODE | O_APPEND | O_NONBLOCK);
		file_release(fp);
		return ret;
	case F_SETFL:
		if ((fp = fd_getfile(fdp, fd)) == NULL)
			return -EBADF;
		mutex_enter(&fp->f_lock);
		fp->f_flag = (fp->f_flag & ~(O_APPEND | O_NONBLOCK)) | (a[2] & (O_APPEND | O_NONBLOCK));
		mutex_exit(&fp->f_lock);
		file_release(fp);
		return 0;
	default:
		if ((fp = fd_getfile(fdp, fd)) == NULL)
			return -EBADF;
		file_release(fp);
		return -EINVAL;
	}
}

static int64_t
linux_getcwd(struct lwp *l, const uint64_t *a)
{
	const char *cwd = l->l_proc->p_cwdi->cwdi_path;
	size_t len = strlen(cwd) + 1;

	if (a[1] < len)
		return -ERANGE;
	if (copyout(cwd, (void *)a[0], len) != 0)
		return -EFAULT;
	return len;
}

static int64_t
linux_chdir(struct lwp *l, const uint64_t *a)
{
	struct memfs_node *n;
	char path[256];
	int error;

	if ((error = lookup_user(l, AT_FDCWD, a[0], &n, path, sizeof(path))) != 0)
		return -error;
	if (n->mn_type != MEMFS_DIR)
		return -ENOTDIR;
	memfs_path(n, l->l_proc->p_cwdi->cwdi_path, sizeof(l->l_proc->p_cwdi->cwdi_path));
	return 0;
}

static int64_t
linux_umask(struct lwp *l, const uint64_t *a)
{
	struct cwdinfo *cw = l->l_proc->p_cwdi;
	mode_t old = cw->cwdi_cmask;

	cw->cwdi_cmask = a[0] & 0777;
	return old;
}

void
linux_file_register(linux_sysfn_t *t)
{
	t[0] = linux_read;
	t[1] = linux_write;
	t[2] = linux_open;
	t[3] = linux_close;
	t[4] = linux_stat;
	t[5] = linux_fstat;
	t[6] = linux_stat;	/* lstat: there are no symbolic links */
	t[8] = linux_lseek;
	t[16] = linux_ioctl;
	t[19] = linux_readv;
	t[20] = linux_writev;
	t[21] = linux_access;
	t[22] = linux_pipe;
	t[32] = linux_dup;
	t[33] = linux_dup2;
	t[72] = linux_fcntl;
	t[79] = linux_getcwd;
	t[80] = linux_chdir;
	t[95] = linux_umask;
	t[257] = linux_openat;
	t[262] = linux_newfstatat;
	t[269] = linux_faccessat;
	t[292] = linux_dup3;
	t[293] = linux_pipe2;
}
