// SPDX-License-Identifier: Apache-2.0
/* resolve.c - container ID to host PID and cgroup directory, independent of the runtime. */
#include "resolve.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

const char *resolve_bare_id(const char *id)
{
	const char *p = strstr(id, "://");

	return p ? p + 3 : id;
}

static pid_t parent_of(const char *proc_root, pid_t pid)
{
	char path[512];
	struct buf b = {0};
	char *rp;
	pid_t ppid = 0;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, (int)pid);
	if (read_file(path, &b))
		return 0;
	/* The command name may hold spaces and parentheses: skip to the last ')'. */
	rp = strrchr(b.p, ')');
	if (rp)
		sscanf(rp + 1, " %*c %d", &ppid);
	buf_free(&b);
	return ppid;
}

/* Does this line of /proc/PID/cgroup name the container?  The ID must be a whole token. */
static bool line_has_id(const char *line, const char *id, size_t idlen)
{
	for (const char *p = strstr(line, id); p; p = strstr(p + 1, id)) {
		char before = p == line ? '/' : p[-1];
		char after = p[idlen];

		if (strchr("/-_:", before) &&
		    (after == '\0' || after == '\n' || strchr("/.", after)))
			return true;
	}
	return false;
}

static bool proc_has_id(const char *proc_root, pid_t pid, const char *id, char *v2, size_t n)
{
	char path[512];
	struct buf b = {0};
	bool hit = false;
	char *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/%d/cgroup", proc_root, (int)pid);
	if (read_file(path, &b))
		return false;
	v2[0] = '\0';
	for (line = strtok_r(b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line_has_id(line, id, strlen(id)))
			hit = true;
		if (!strncmp(line, "0::", 3))
			snprintf(v2, n, "%s", line + 3);
	}
	buf_free(&b);
	return hit;
}

static int collect(const char *proc_root, const char *id, pid_t **pids, char ***v2s)
{
	DIR *d = opendir(proc_root);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char v2[4096];
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || !proc_has_id(proc_root, pid, id, v2, sizeof(v2)))
			continue;
		*pids = xrealloc(*pids, (n + 1) * sizeof(**pids));
		*v2s = xrealloc(*v2s, (n + 1) * sizeof(**v2s));
		(*pids)[n] = pid;
		(*v2s)[n] = xstrdup(v2);
		n++;
	}
	closedir(d);
	return n;
}

int resolve_container(const char *proc_root, const char *id, struct resolved *r)
{
	pid_t *pids = NULL;
	char **v2s = NULL;
	int n, best = -1;

	id = resolve_bare_id(id);
	/* Short IDs would match unrelated paths. */
	if (strlen(id) < 12)
		return -EINVAL;
	n = collect(proc_root, id, &pids, &v2s);
	if (n < 0)
		return n;
	/* The main process is the one whose parent is outside the container (its init). */
	for (int i = 0; i < n; i++) {
		pid_t pp = parent_of(proc_root, pids[i]);
		bool inside = false;

		for (int j = 0; j < n; j++)
			inside |= pids[j] == pp;
		if (!inside && (best < 0 || pids[i] < pids[best]))
			best = i;
	}
	if (best < 0 && n)
		best = 0;
	if (best >= 0) {
		r->pid = pids[best];
		snprintf(r->cgroup, sizeof(r->cgroup), "%s", v2s[best]);
		r->nprocs = n;
	}
	for (int i = 0; i < n; i++)
		free(v2s[i]);
	free(pids);
	free(v2s);
	return best >= 0 ? 0 : -ENOENT;
}

/* The mount point of the first cgroup2 filesystem in a mountinfo file. */
static int cgroup2_mount(const char *mountinfo, char *out, size_t n)
{
	struct buf b = {0};
	char *line, *save = NULL;
	int rc = -ENOENT;

	if (read_file(mountinfo, &b))
		return -errno;
	for (line = strtok_r(b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mnt[4096];
		const char *sep = strstr(line, " - ");

		if (!sep || strncmp(sep, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(out, n, "%s", mnt);
			rc = 0;
			break;
		}
	}
	buf_free(&b);
	return rc;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static int search(const char *dir, const char *id, char *out, size_t n, int depth)
{
	DIR *d;
	struct dirent *e;
	int rc = -ENOENT;

	if (depth > 10 || !(d = opendir(dir)))
		return -ENOENT;
	while (rc && (e = readdir(d))) {
		char sub[4096];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub))
			continue; /* deeper than any path the kernel gives a cgroup */
		if (line_has_id(e->d_name, id, strlen(id)) || strstr(e->d_name, id)) {
			snprintf(out, n, "%s", sub);
			rc = 0;
		} else {
			rc = search(sub, id, out, n, depth + 1);
		}
	}
	closedir(d);
	return rc;
}

int resolve_cgroup_dir(const char *mountinfo, const char *cgroup, const char *id, char *out,
		       size_t n)
{
	char mnt[4096];
	int rc = cgroup2_mount(mountinfo, mnt, sizeof(mnt));

	if (rc)
		return rc;
	/* The v2 path is only the container's own if it names the container. */
	if (cgroup[0] == '/' && strncmp(cgroup, "/..", 3) && strstr(cgroup, resolve_bare_id(id))) {
		snprintf(out, n, "%s%s", mnt, cgroup);
		if (is_dir(out))
			return 0;
	}
	return search(mnt, resolve_bare_id(id), out, n, 0);
}
