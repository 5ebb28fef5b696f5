/*
 * Open files and descriptor tables.  An open file (struct file) is shared
 * by every descriptor that refers to it, across fork too, so parent and
 * child move one offset.
 */
#ifndef _SYS_FILE_H_
#define _SYS_FILE_H_

#include <sys/types.h>
#include <sys/lock.h>

struct memfs_node;
struct pipe;
struct uio;

enum ftype { FT_NODE = 1, FT_PIPE, FT_CONSOLE, FT_PROC };

#define O_RDONLY	0
#define O_WRONLY	1
#define O_RDWR		2
#define O_ACCMODE	3
#define O_CREAT		0100
#define O_EXCL		0200
#define O_TRUNC		01000
#define O_APPEND	02000
#define O_NONBLOCK	04000
#define O_DIRECTORY	0200000
#define O_CLOEXEC	02000000

struct file {
	kmutex_t	f_lock;
	uint32_t	f_refcnt;	/* (f) descriptors and in-flight users */
	enum ftype	f_type;
	int		f_flag;		/* (f) O_* status flags and access mode */
	off_t		f_offset;	/* (f) */
	struct memfs_node *f_node;	/* FT_NODE, FT_PROC */
	struct pipe	*f_pipe;	/* FT_PIPE */
	int		f_pipe_end;	/* 0 read end, 1 write end */
	int		f_console;	/* FT_CONSOLE: serial port index */
	char		*f_procbuf;	/* FT_PROC: text snapshot taken at open */
	size_t		f_proclen;
};

#define PROCBUF_SIZE	4096	/* bytes of a /proc/forklab snapshot */
#define NDFILE_MAX	256	/* descriptors per table */
#define NDFILE_MAX_LIMIT NDFILE_MAX

/* Descriptor table; shared between processes with FORK_SHAREFILES. */
struct filedesc {
	kmutex_t	fd_lock;
	uint32_t	fd_refcnt;	/* (d) processes sharing it */
	int		fd_nfiles;	/* (d) slots in use up to this index */
	struct file	*fd_ofiles[NDFILE_MAX];	/* (d) */
	uint8_t		fd_cloexec[NDFILE_MAX];	/* (d) */
};

struct filedesc *fd_alloc(void);
struct filedesc *fd_copy(struct filedesc *src, struct filedesc *prealloc);
void	fd_share(struct filedesc *);
void	fd_free(struct filedesc *);
void	fd_closeexec(struct filedesc *);
/* Installs `fp` in the lowest free slot >= minfd; returns the descriptor or -EMFILE. */
int	fd_install(struct filedesc *, struct file *, int minfd, bool cloexec);
/* Returns the open file with a new reference, or NULL for a bad descriptor. */
struct file *fd_getfile(struct filedesc *, int fd);
struct file *file_alloc(enum ftype type, int flag);
void	file_hold(struct file *);
void	file_release(struct file *);
int	fd_close(struct filedesc *, int fd);

ssize_t	file_read(struct file *, void *ubuf, size_t len);
ssize_t	file_write(struct file *, const void *ubuf, size_t len);

/* The in-memory file system built from boot modules, plus /proc/forklab. */
#define MEMFS_DIR	1
#define MEMFS_REG	2
#define MEMFS_PROC	3

struct memfs_node {
	char		mn_name[64];
	int		mn_type;
	const uint8_t	*mn_data;	/* file contents (read-only) */
	size_t		mn_size;
	struct memfs_node *mn_parent;
	struct memfs_node *mn_child;	/* first entry of a directory */
	struct memfs_node *mn_next;	/* next entry in the same directory */
	uint64_t	mn_ino;
	/* /proc/forklab files: fill a text snapshot, and take writes. */
	size_t		(*mn_proc_read)(char *buf, size_t size);
	int		(*mn_proc_write)(const char *buf, size_t len);
};

void	memfs_init(void *mbinfo);
struct memfs_node *memfs_add(const char *path, int type, const void *data, size_t size);
/* Looks up an absolute or cwd-relative path; 0 or ENOENT/ENOTDIR/ENAMETOOLONG. */
int	memfs_lookup(const char *cwd, const char *path, struct memfs_node **np);
void	memfs_path(struct memfs_node *, char *buf, size_t size);

/* Pipes. */
int	pipe_create(struct file **rf, struct file **wf);
ssize_t	pipe_read(struct file *, void *ubuf, size_t len);
ssize_t	pipe_write(struct file *, const void *ubuf, size_t len);
void	pipe_close(struct file *);

/* Serial console: port 0 = COM1 (stdout), 1 = COM2 (stderr), 2 = COM3 (kernel log). */
void	cons_init(void);
void	cons_write(int port, const char *buf, size_t len);

#endif
