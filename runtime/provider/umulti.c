/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attaching uprobe-based programs (uprobe, uretprobe, usdt) to many places
 * at once.  Each classic uprobe link is a perf event whose teardown waits
 * for an RCU grace period: about 0.1 s each here, so `u:libc:str*` took
 * eight seconds to exit.  The kernel's uprobe_multi link (6.6+) attaches a
 * whole list of offsets in one file and detaches them with one wait.
 *
 * libbpf 1.1 knows neither the link nor its attach type, so this file
 * loads a second copy of the already loaded program with the multi attach
 * type (same instructions, BTF function info taken from the first copy),
 * creates the links with the bpf() system call, and turns each link fd into
 * a libbpf link through a pin on a private bpffs, so the runtime destroys it
 * like every other link.  When anything here is missing the caller falls
 * back to one perf-event link per target.
 */
#include "umulti.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "arena.h"
#include "program.h"
#include "rt.h"

#define ATTACH_UPROBE_MULTI 48  /* enum bpf_attach_type BPF_TRACE_UPROBE_MULTI */
#define UPROBE_MULTI_RETURN 1u  /* BPF_F_UPROBE_MULTI_RETURN */
#define CMD_LINK_CREATE 28      /* BPF_LINK_CREATE */

/* The link_create member of union bpf_attr for uprobe_multi (linux/bpf.h 6.6+). */
struct uprobe_multi_attr {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, uflags, pid, pad;
};

/* The program's instructions loaded again with the multi attach type; -errno on failure. */
static int load_multi_copy(struct bpf_program *bp)
{
	int fd = bpf_program__fd(bp), btf_fd = -1, err;
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	void *finfo = NULL;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	uint32_t nfunc = info.nr_func_info, rec = info.func_info_rec_size;
	if (nfunc && info.btf_id) {
		finfo = xcalloc(nfunc, rec);
		memset(&info, 0, sizeof(info));
		info.nr_func_info = nfunc;
		info.func_info_rec_size = rec;
		info.func_info = (uint64_t)(uintptr_t)finfo;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || (btf_fd = bpf_btf_get_fd_by_id(info.btf_id)) < 0)
			nfunc = 0;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = ATTACH_UPROBE_MULTI);
	if (nfunc) {
		o.prog_btf_fd = (uint32_t)btf_fd;
		o.func_info = finfo;
		o.func_info_cnt = nfunc;
		o.func_info_rec_size = rec;
	}
	err = bpf_prog_load(BPF_PROG_TYPE_KPROBE, bpf_program__name(bp), "GPL",
			    bpf_program__insns(bp), bpf_program__insn_cnt(bp), &o);
	if (err < 0)
		err = -errno;
	if (btf_fd >= 0)
		close(btf_fd);
	free(finfo);
	return err;
}

/* A private bpffs to pin links on for a moment: libbpf opens links only from pins. */
static char pin_path[64];

static const char *pin_dir(void)
{
	if (pin_path[0])
		return pin_path;
	snprintf(pin_path, sizeof(pin_path), "/tmp/ctrace-bpffs-XXXXXX");
	if (!mkdtemp(pin_path))
		goto fail;
	if (mount("bpf", pin_path, "bpf", 0, NULL)) {
		rmdir(pin_path);
		goto fail;
	}
	return pin_path;
fail:
	pin_path[0] = '\0';
	return NULL;
}

static void pin_dir_done(void)
{
	if (!pin_path[0])
		return;
	umount2(pin_path, MNT_DETACH);
	rmdir(pin_path);
	pin_path[0] = '\0';
}

static struct bpf_link *wrap_link(int fd)
{
	char path[128];
	static unsigned seq;
	const char *dir = pin_dir();
	struct bpf_link *l = NULL;

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/l%u", dir, seq++);
	if (!bpf_obj_pin(fd, path)) {
		l = bpf_link__open(path);
		unlink(path);
	}
	return l;
}

/* One uprobe_multi link for targets t[0..n) of one file. */
static int link_one_file(struct rt *rt, int prog_fd, struct attach **t, unsigned n,
			 const uint64_t *ref_ctr, bool ret)
{
	uint64_t *offs = xcalloc(n, 8), *cookies = xcalloc(n, 8), *refs = NULL;
	for (unsigned i = 0; i < n; i++) {
		offs[i] = t[i]->num;
		cookies[i] = t[i]->probe_id;
	}
	if (ref_ctr) {
		refs = xcalloc(n, 8);
		memcpy(refs, ref_ctr, n * 8);
	}
	struct uprobe_multi_attr a = {
		.prog_fd = (uint32_t)prog_fd,
		.attach_type = ATTACH_UPROBE_MULTI,
		.path = (uint64_t)(uintptr_t)t[0]->target,
		.offsets = (uint64_t)(uintptr_t)offs,
		.ref_ctr_offsets = (uint64_t)(uintptr_t)refs,
		.cookies = (uint64_t)(uintptr_t)cookies,
		.cnt = n,
		.uflags = ret ? UPROBE_MULTI_RETURN : 0,
		.pid = rt->p->cfg.pid > 0 ? (uint32_t)rt->p->cfg.pid : 0,
	};
	int fd = (int)syscall(SYS_bpf, CMD_LINK_CREATE, &a, sizeof(a));
	int err = fd < 0 ? -errno : 0;
	free(offs);
	free(cookies);
	free(refs);
	if (err)
		return err;
	struct bpf_link *l = wrap_link(fd);
	close(fd);
	if (!l)
		return -EOPNOTSUPP;
	rt_add_link(rt, l);
	return 0;
}

static int cmp_target(const void *a, const void *b)
{
	const struct attach *x = *(struct attach *const *)a, *y = *(struct attach *const *)b;
	return strcmp(x->target, y->target);
}

int umulti_attach(struct rt *rt, struct prog *pg, struct bpf_program *bp, bool ret,
		  const uint64_t *ref_ctr)
{
	if (getenv("CTRACE_NO_UPROBE_MULTI"))
		return -EOPNOTSUPP;
	int prog_fd = load_multi_copy(bp);
	if (prog_fd < 0)
		return -EOPNOTSUPP;
	/* ref_ctr is indexed like pg->targets: keep the pairing while grouping by file */
	unsigned n = pg->ntargets;
	struct attach **t = xcalloc(n, sizeof(*t));
	uint64_t *refs = ref_ctr ? xcalloc(n, 8) : NULL;
	memcpy(t, pg->targets, sizeof(*t) * n);
	qsort(t, n, sizeof(*t), cmp_target);
	for (unsigned i = 0; refs && i < n; i++)
		for (unsigned j = 0; j < n; j++)
			if (pg->targets[j] == t[i])
				refs[i] = ref_ctr[j];
	int err = 0;
	for (unsigned i = 0, j; i < n && !err; i = j) {
		for (j = i + 1; j < n && !strcmp(t[j]->target, t[i]->target); j++)
			;
		err = link_one_file(rt, prog_fd, t + i, j - i, refs ? refs + i : NULL, ret);
		if (err && err != -EOPNOTSUPP && i == 0)
			err = -EOPNOTSUPP; /* nothing attached yet: let the caller try perf links */
		else if (err && err != -EOPNOTSUPP)
			err = rt_attach_error(rt, t[i], err, NULL);
	}
	pin_dir_done();
	close(prog_fd);
	free(t);
	free(refs);
	return err;
}
