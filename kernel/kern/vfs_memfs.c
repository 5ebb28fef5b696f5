/*
 * The in-memory file system: boot modules become read-only files (their
 * data stays where the boot loader put it), and /proc/forklab contains the
 * kernel's counters, tunables and fork trace as text files.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/file.h>
#include <sys/multiboot.h>
#include <machine/pmap.h>
#include <uvm/uvm.h>

static struct memfs_node *memfs_root;
static struct pool node_pool;
static uint64_t next_ino = 1;

static struct memfs_node *
node_new(struct memfs_node *dir, const char *name, size_t namelen, int type)
{
	struct memfs_node *n = pool_get(&node_pool);

	if (n == NULL)
		panic("memfs: no memory for a node");
	namelen = MIN(namelen, sizeof(n->mn_name) - 1);
	memcpy(n->mn_name, name, namelen);
	n->mn_name[namelen] = '\0';
	n->mn_type = type;
	n->mn_ino = next_ino++;
	n->mn_parent = dir != NULL ? dir : n;
	if (dir != NULL) {
		n->mn_next = dir->mn_child;
		dir->mn_child = n;
	}
	return n;
}

static struct memfs_node *
dir_find(struct memfs_node *dir, const char *name, size_t len)
{
	for (struct memfs_node *n = dir->mn_child; n != NULL; n = n->mn_next)
		if (strlen(n->mn_name) == len && strncmp(n->mn_name, name, len) == 0)
			return n;
	return NULL;
}

/* Adds a file at an absolute path, creating missing directories. */
struct memfs_node *
memfs_add(const char *path, int type, const void *data, size_t size)
{
	struct memfs_node *dir = memfs_root, *n = NULL;
	const char *p = path;

	while (*p == '/')
		p++;
	while (*p != '\0') {
		const char *end = p;
		bool last;

		while (*end != '\0' && *end != '/')
			end++;
		last = (*end == '\0');
		n = dir_find(dir, p, end - p);
		if (n == NULL)
			n = node_new(dir, p, end - p, last ? type : MEMFS_DIR);
		dir = n;
		p = *end ? end + 1 : end;
	}
	if (n != NULL) {
		n->mn_data = data;
		n->mn_size = size;
	}
	return n;
}

/*
 * Resolves `path` (absolute, or relative to the absolute `cwd`), with "."
 * and ".." components.  Returns 0, ENOENT, ENOTDIR or ENAMETOOLONG.
 */
int
memfs_lookup(const char *cwd, const char *path, struct memfs_node **np)
{
	struct memfs_node *n = memfs_root;
	const char *p;

	if (path[0] == '\0')
		return ENOENT;
	if (path[0] != '/') {
		int error = memfs_lookup("/", cwd, &n);

		if (error)
			return error;
	}
	p = path;
	while (*p != '\0') {
		const char *end;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = p;
		while (*end != '\0' && *end != '/')
			end++;
		if (end - p >= (long)sizeof(n->mn_name))
			return ENAMETOOLONG;
		if (n->mn_type != MEMFS_DIR)
			return ENOTDIR;
		if (end - p == 1 && p[0] == '.')
			;
		else if (end - p == 2 && p[0] == '.' && p[1] == '.')
			n = n->mn_parent;
		else if ((n = dir_find(n, p, end - p)) == NULL)
			return ENOENT;
		p = end;
	}
	*np = n;
	return 0;
}

/* Writes the absolute path of `n` into buf. */
void
memfs_path(struct memfs_node *n, char *buf, size_t size)
{
	char tmp[256];
	size_t len = 0;

	if (n == memfs_root) {
		strlcpy(buf, "/", size);
		return;
	}
	tmp[0] = '\0';
	for (; n != memfs_root; n = n->mn_parent) {
		size_t nl = strlen(n->mn_name);

		if (len + nl + 1 >= sizeof(tmp))
			break;
		memmove(tmp + nl + 1, tmp, len + 1);
		tmp[0] = '/';
		memcpy(tmp + 1, n->mn_name, nl);
		len += nl + 1;
	}
	strlcpy(buf, tmp, size);
}

size_t	procfs_stats_read(char *buf, size_t size);
size_t	procfs_config_read(char *buf, size_t size);
int	procfs_config_write(const char *buf, size_t len);
size_t	procfs_trace_read(char *buf, size_t size);

/*
 * Builds the tree: each module string is "HOSTPATH GUESTPATH"; the
 * guest path names the file (a module without one is named after the
 * last component of its host path, under /bin).
 */
void
memfs_init(void *arg)
{
	struct multiboot_info *mbi = arg;
	struct memfs_node *n;

	pool_init(&node_pool, sizeof(struct memfs_node), "memfs");
	memfs_root = node_new(NULL, "", 0, MEMFS_DIR);
	memfs_add("/bin", MEMFS_DIR, NULL, 0);
	if (mbi->flags & MBI_MODS) {
		struct multiboot_module *mods = PHYS_TO_DMAP(mbi->mods_addr);

		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			const char *s = PHYS_TO_DMAP(mods[i].string);
			const char *guest = strchr(s, ' ');
			char path[128];

			if (guest != NULL) {
				while (*guest == ' ')
					guest++;
				size_t len = 0;
				while (guest[len] != '\0' && guest[len] != ' ' && len + 1 < sizeof(path)) {
					path[len] = guest[len];
					len++;
				}
				path[len] = '\0';
			} else {
				const char *base = s;

				for (const char *c = s; *c; c++)
					if (*c == '/')
						base = c + 1;
				snprintf(path, sizeof(path), "/bin/%s", base);
			}
			if (path[0] != '/') {
				printf("forklab: memfs: module path '%s' is not absolute, skipped\n", path);
				continue;
			}
			memfs_add(path, MEMFS_REG, PHYS_TO_DMAP(mods[i].mod_start),
			    mods[i].mod_end - mods[i].mod_start);
			printf("forklab: memfs: %s (%u bytes)\n", path, mods[i].mod_end - mods[i].mod_start);
		}
	}
	n = memfs_add("/proc/forklab/stats", MEMFS_PROC, NULL, 0);
	n->mn_proc_read = procfs_stats_read;
	n = memfs_add("/proc/forklab/config", MEMFS_PROC, NULL, 0);
	n->mn_proc_read = procfs_config_read;
	n->mn_proc_write = procfs_config_write;
	n = memfs_add("/proc/forklab/trace", MEMFS_PROC, NULL, 0);
	n->mn_proc_read = procfs_trace_read;
}
