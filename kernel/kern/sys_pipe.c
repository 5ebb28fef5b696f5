/*
 * Pipes: a 16 KiB ring buffer between a read end and a write end.
 * Readers sleep while it is empty and writers while it is full; a read
 * with no writers left returns end of file, and a write with no readers
 * left fails with EPIPE after SIGPIPE, as on Linux.  Locking: pipe_lock.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/proc.h>
#include <sys/file.h>
#include <uvm/uvm.h>

#define PIPE_SIZE	16384

struct pipe {
	kmutex_t	pipe_lock;
	uint8_t		*pipe_buf;
	size_t		pipe_head;	/* next byte to read */
	size_t		pipe_count;	/* bytes in the buffer */
	int		pipe_readers;
	int		pipe_writers;
};

int
pipe_create(struct file **rfp, struct file **wfp)
{
	struct pipe *pp = kmem_zalloc(sizeof(*pp));

	if (pp == NULL)
		return ENOMEM;
	if ((pp->pipe_buf = uvm_km_alloc(PIPE_SIZE / PAGE_SIZE, false)) == NULL)
		goto bad;
	mutex_init(&pp->pipe_lock, "pipe");
	if ((*rfp = file_alloc(FT_PIPE, O_RDONLY)) == NULL)
		goto bad_buf;
	if ((*wfp = file_alloc(FT_PIPE, O_WRONLY)) == NULL) {
		file_release(*rfp);
		goto bad_buf;
	}
	(*rfp)->f_pipe = pp;
	(*rfp)->f_pipe_end = 0;
	(*wfp)->f_pipe = pp;
	(*wfp)->f_pipe_end = 1;
	pp->pipe_readers = pp->pipe_writers = 1;
	return 0;

bad_buf:
	uvm_km_free(pp->pipe_buf, PIPE_SIZE / PAGE_SIZE);
bad:
	kmem_free(pp, sizeof(*pp));
	return ENOMEM;
}

ssize_t
pipe_read(struct file *fp, void *ubuf, size_t len)
{
	struct pipe *pp = fp->f_pipe;
	size_t done = 0;

	mutex_enter(&pp->pipe_lock);
	while (pp->pipe_count == 0) {
		if (pp->pipe_writers == 0 || len == 0) {
			mutex_exit(&pp->pipe_lock);
			return 0;
		}
		if (fp->f_flag & O_NONBLOCK) {
			mutex_exit(&pp->pipe_lock);
			return -EAGAIN;
		}
		mutex_exit(&pp->pipe_lock);
		if (tsleep(pp, true, "piperd", 0) != 0)
			return -ERESTART;
		mutex_enter(&pp->pipe_lock);
	}
	while (done < len && pp->pipe_count > 0) {
		size_t chunk = MIN(len - done, MIN(pp->pipe_count, PIPE_SIZE - pp->pipe_head));
		uint8_t tmp[256];

		chunk = MIN(chunk, sizeof(tmp));
		memcpy(tmp, pp->pipe_buf + pp->pipe_head, chunk);
		mutex_exit(&pp->pipe_lock);
		if (copyout(tmp, (uint8_t *)ubuf + done, chunk) != 0)
			return done ? (ssize_t)done : -EFAULT;
		mutex_enter(&pp->pipe_lock);
		pp->pipe_head = (pp->pipe_head + chunk) % PIPE_SIZE;
		pp->pipe_count -= chunk;
		done += chunk;
	}
	mutex_exit(&pp->pipe_lock);
	wakeup(pp);
	return done;
}

ssize_t
pipe_write(struct file *fp, const void *ubuf, size_t len)
{
	struct pipe *pp = fp->f_pipe;
	size_t done = 0;

	while (done < len) {
		mutex_enter(&pp->pipe_lock);
		if (pp->pipe_readers == 0) {
			mutex_exit(&pp->pipe_lock);
			psignal(curproc, SIGPIPE);
			return done ? (ssize_t)done : -EPIPE;
		}
		if (pp->pipe_count == PIPE_SIZE) {
			mutex_exit(&pp->pipe_lock);
			if (fp->f_flag & O_NONBLOCK)
				return done ? (ssize_t)done : -EAGAIN;
			wakeup(pp);
			if (tsleep(pp, true, "pipewr", 0) != 0)
				return done ? (ssize_t)done : -ERESTART;
			continue;
		}
		size_t tail = (pp->pipe_head + pp->pipe_count) % PIPE_SIZE;
		size_t chunk = MIN(len - done, MIN(PIPE_SIZE - pp->pipe_count, PIPE_SIZE - tail));
		uint8_t tmp[256];

		chunk = MIN(chunk, sizeof(tmp));
		mutex_exit(&pp->pipe_lock);
		if (copyin((const uint8_t *)ubuf + done, tmp, chunk) != 0)
			return done ? (ssize_t)done : -EFAULT;
		mutex_enter(&pp->pipe_lock);
		memcpy(pp->pipe_buf + tail, tmp, chunk);
		pp->pipe_count += chunk;
		done += chunk;
		mutex_exit(&pp->pipe_lock);
	}
	wakeup(pp);
	return done;
}

void
pipe_close(struct file *fp)
{
	struct pipe *pp = fp->f_pipe;
	bool last;

	mutex_enter(&pp->pipe_lock);
	if (fp->f_pipe_end == 0)
		pp->pipe_readers--;
	else
		pp->pipe_writers--;
	last = pp->pipe_readers == 0 && pp->pipe_writers == 0;
	mutex_exit(&pp->pipe_lock);
	wakeup(pp);
	if (last) {
		uvm_km_free(pp->pipe_buf, PIPE_SIZE / PAGE_SIZE);
		kmem_free(pp, sizeof(*pp));
	}
}
