/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime's life cycle: load, begin, attach, event loop, detach, end, maps. */
#define _GNU_SOURCE
#include "rt.h"

#include <errno.h>
#include <poll.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "arena.h"
#include "child.h"
#include "rt_maps.h"
#include "symbols.h"

volatile sig_atomic_t rt_signalled;
/* self:signal probes: signals received and not yet run */
static volatile sig_atomic_t self_pending[65];

static void on_self_signal(int sig)
{
	if (sig > 0 && sig < 65)
		self_pending[sig] = 1;
}

int rt_on_signal(struct rt *rt, int signo, int prog_fd)
{
	if (rt->non_signal == sizeof(rt->on_signal) / sizeof(rt->on_signal[0]))
		return -E2BIG;
	rt->on_signal[rt->non_signal].signo = signo;
	rt->on_signal[rt->non_signal].prog_fd = prog_fd;
	rt->non_signal++;
	struct sigaction sa = { .sa_handler = on_self_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, NULL);
	return 0;
}

/* Run the self:signal programs of the signals that arrived. */
static void run_self_signals(struct rt *rt)
{
	for (unsigned i = 0; i < rt->non_signal; i++) {
		int sig = rt->on_signal[i].signo;
		if (!self_pending[sig])
			continue;
		LIBBPF_OPTS(bpf_test_run_opts, topts);
		bpf_prog_test_run_opts(rt->on_signal[i].prog_fd, &topts);
	}
	for (unsigned i = 0; i < rt->non_signal; i++)
		self_pending[rt->on_signal[i].signo] = 0;
}

/* Only one runtime runs per process: libbpf's print callback has no context pointer. */
static struct rt *log_rt;
static bool log_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	if (log_verbose)
		vfprintf(stderr, fmt, ap);
	if (log_rt && level <= LIBBPF_INFO) {
		/* kept whole: a verifier log is one message of any length */
		char *msg = NULL;
		int n = vasprintf(&msg, fmt, aq);
		if (n > 0) {
			size_t len = (size_t)n;
			log_rt->libbpf_log = xrealloc(log_rt->libbpf_log, log_rt->libbpf_log_len + len + 1);
			memcpy(log_rt->libbpf_log + log_rt->libbpf_log_len, msg, len);
			log_rt->libbpf_log_len += len;
			log_rt->libbpf_log[log_rt->libbpf_log_len] = '\0';
		}
		free(msg);
	}
	va_end(aq);
	return 0;
}

void rt_add_link(struct rt *rt, struct bpf_link *l)
{
	if (rt->nlinks == rt->cap_links) {
		rt->cap_links = rt->cap_links ? rt->cap_links * 2 : 64;
		rt->links = xrealloc(rt->links, sizeof(*rt->links) * rt->cap_links);
	}
	rt->links[rt->nlinks++] = l;
}

int rt_attach_error(struct rt *rt, const struct attach *a, int err, const char *hint)
{
	fprintf(stderr, "ERROR: Unable to attach probe: %s: %s%s%s\n", a->name, strerror(-err),
		hint ? ". " : "", hint ? hint : "");
	return err;
}

static void detach_all(struct rt *rt)
{
	/* destroy in reverse: the last attached goes first */
	while (rt->nlinks)
		bpf_link__destroy(rt->links[--rt->nlinks]);
}

/* ---- loading -------------------------------------------------------------------------------- */

/* The tail of the verifier log libbpf printed for the program that failed to load. */
static void print_verifier_tail(struct rt *rt, const char *probe)
{
	const char *log = rt->libbpf_log ? rt->libbpf_log : "";
	const char *begin = strstr(log, "-- BEGIN PROG LOAD LOG --");
	const char *end = begin ? strstr(begin, "-- END PROG LOAD LOG --") : NULL;

	fprintf(stderr, "ERROR: the kernel's verifier rejected the program for %s\n", probe);
	if (!begin || !end) {
		if (*log)
			fputs(log, stderr);
		return;
	}
	begin = strchr(begin, '\n') + 1;
	/* the last 15 lines say why */
	const char *from = end;
	for (int lines = 0; from > begin && lines <= 15; from--)
		if (from[-1] == '\n')
			lines++;
	if (from > begin)
		fputs("...\n", stderr);
	fwrite(from, 1, (size_t)(end - from), stderr);
	fputs("HINT: run with -d verifier to see the whole verifier log\n", stderr);
}

static struct prog *prog_of(struct rt *rt, const char *fn_name)
{
	for (struct probe *pr = rt->p->probes; pr; pr = pr->next)
		for (struct prog *pg = pr->progs; pg; pg = pg->next)
			if (!strcmp(pg->fn_name, fn_name))
				return pg;
	return NULL;
}

/*
 * Hash maps with big entries (stack keys: over a kilobyte each) fill their
 * memory as keys arrive instead of all at creation: creating them is then
 * as quick as a small map's, and a node pays only for the keys it sees.
 * Kernels before 6.1 allow only preallocated hash maps in tracing programs.
 */
static void lazy_maps(struct rt *rt)
{
	enum { BIG_ENTRY = 256 };
	if (!kernel_at_least(6, 1))
		return;
	for (unsigned i = 0; i < rt->res->nmaps; i++) {
		const struct map_res *m = &rt->res->maps[i];
		if ((m->bpf_type != BPF_MAP_TYPE_HASH && m->bpf_type != BPF_MAP_TYPE_PERCPU_HASH) ||
		    m->key_size + m->val_size < BIG_ENTRY)
			continue;
		struct bpf_map *bm = bpf_object__find_map_by_name(rt->obj, m->elf_name);
		if (bm)
			bpf_map__set_map_flags(bm, bpf_map__map_flags(bm) | BPF_F_NO_PREALLOC);
	}
}

static int load(struct rt *rt, const void *elf, size_t size)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "ctrace");
	struct bpf_program *bp;
	int err;

	rt->obj = bpf_object__open_mem(elf, size, &oo);
	if (!rt->obj) {
		err = -errno;
		fprintf(stderr, "ERROR: could not open the compiled BPF object: %s\n", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(bp, rt->obj)
	{
		struct prog *pg = prog_of(rt, bpf_program__name(bp));
		if (pg)
			bpf_program__set_type(bp, (enum bpf_prog_type)pg->prog_type);
		if (rt->o->dump_verifier)
			bpf_program__set_log_level(bp, 2);
	}
	lazy_maps(rt);
	err = bpf_object__load(rt->obj);
	if (rt->o->dump_verifier && rt->libbpf_log)
		fputs(rt->libbpf_log, stderr);
	if (err) {
		const char *failed = NULL;
		struct prog *fpg = NULL;
		bpf_object__for_each_program(bp, rt->obj)
		{
			if (bpf_program__fd(bp) < 0) {
				fpg = prog_of(rt, bpf_program__name(bp));
				failed = fpg ? fpg->targets[0]->name : bpf_program__name(bp);
				break;
			}
		}
		/* the provider knows when the kernel, not the program, is the reason */
		if (fpg && fpg->prov->load_failed && fpg->prov->load_failed(rt, fpg, err) == 0)
			return -ENOTSUP;
		/* the verifier refuses with EACCES too: its log tells the two apart */
		bool verifier = rt->libbpf_log && strstr(rt->libbpf_log, "-- BEGIN PROG LOAD LOG --");
		if ((err == -EPERM || err == -EACCES) && !(verifier && failed))
			fprintf(stderr,
				"ERROR: loading BPF programs was refused (%s): run ctrace as root, or with CAP_BPF and CAP_PERFMON\n",
				strerror(-err));
		else if (failed)
			print_verifier_tail(rt, failed);
		else
			fprintf(stderr, "ERROR: could not load the BPF object: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

/* ---- begin/end and attaching ------------------------------------------------------------------ */

static struct bpf_program *bpf_prog(struct rt *rt, const struct prog *pg)
{
	return bpf_object__find_program_by_name(rt->obj, pg->fn_name);
}

/* Run every program of the special provider named which ("begin" or "end"), in order. */
static int run_special(struct rt *rt, const char *which)
{
	for (struct probe *pr = rt->p->probes; pr; pr = pr->next) {
		for (struct prog *pg = pr->progs; pg; pg = pg->next) {
			if (!(pg->prov->flags & PROV_SPECIAL) || strcmp(pg->prov->name, which))
				continue;
			LIBBPF_OPTS(bpf_test_run_opts, topts);
			int err = bpf_prog_test_run_opts(bpf_program__fd(bpf_prog(rt, pg)), &topts);
			if (err) {
				fprintf(stderr, "ERROR: could not run the %s probe: %s\n", which,
					strerror(errno));
				return -errno;
			}
		}
	}
	return 0;
}

static int attach_all(struct rt *rt)
{
	for (struct probe *pr = rt->p->probes; pr; pr = pr->next) {
		for (struct prog *pg = pr->progs; pg; pg = pg->next) {
			rt->nattached += pg->ntargets;
			if (pg->prov->flags & PROV_SPECIAL)
				continue;
			int err = pg->prov->attach(rt, pg, bpf_prog(rt, pg));
			if (err)
				return err;
		}
	}
	return 0;
}

/* Fill the nr -> probe id tables of raw_syscalls programs. */
static int fill_tables(struct rt *rt)
{
	for (struct probe *pr = rt->p->probes; pr; pr = pr->next) {
		for (struct prog *pg = pr->progs; pg; pg = pg->next) {
			if (pg->idmode != PID_SYSCALL_TABLE)
				continue;
			struct bpf_map *m = bpf_object__find_map_by_name(rt->obj, pg->table_map);
			if (!m)
				return -ENOENT;
			int fd = bpf_map__fd(m);
			for (uint32_t nr = 0; nr < pg->table_len; nr++) {
				if (!pg->table[nr])
					continue;
				if (bpf_map_update_elem(fd, &nr, &pg->table[nr], 0))
					return -errno;
			}
		}
	}
	return 0;
}

static void write_start_time(struct rt *rt)
{
	struct bpf_map *m = bpf_object__find_map_by_name(rt->obj, "ct_start");
	struct timespec ts;
	uint32_t key = 0;

	if (!m)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	bpf_map_update_elem(bpf_map__fd(m), &key, &ns, 0);
}

/* ---- events --------------------------------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t len)
{
	struct rt *rt = ctx;
	const struct ev_hdr *h = data;
	const uint8_t *payload = (const uint8_t *)data + sizeof(*h);

	if (rt->exiting || len < sizeof(*h))
		return 0; /* after exit(), events are discarded, as bpftrace does */
	const struct fmt_res *f = h->id < rt->res->nfmts ? &rt->res->fmts[h->id] : NULL;
	switch ((enum event_kind)h->kind) {
	case EV_PRINTF:
	case EV_CAT:
	case EV_SYSTEM:
	case EV_ERRORF:
	case EV_WARNF:
		if (f)
			output_printf(rt->out, f, payload, len - sizeof(*h));
		break;
	case EV_PRINT:
		if (f)
			output_value(rt->out, f->args->fields[0].type, payload);
		break;
	case EV_TIME:
		if (f)
			output_time(rt->out, f->fmt);
		break;
	case EV_RUNTIME_ERROR:
		if (f)
			output_runtime_error(rt->out, f, f->detail);
		break;
	case EV_PRINT_MAP: {
		const struct ev_print_map *e = data;
		if (e->map_id < rt->res->nmaps)
			rt_print_map(rt, &rt->res->maps[e->map_id], e->top, e->div, true);
		break;
	}
	case EV_CLEAR:
	case EV_ZERO: {
		const struct ev_map *e = data;
		if (e->map_id < rt->res->nmaps)
			rt_clear_map(rt, &rt->res->maps[e->map_id], h->kind == EV_ZERO);
		break;
	}
	case EV_EXIT:
		rt->exit_code = (int)(uint8_t)*(const uint64_t *)payload;
		rt->exiting = true;
		rt->stop = true;
		break;
	case EV_JOIN:
		if (f)
			output_join(rt->out, f->fmt, payload, len - sizeof(*h),
				    rt->res->max_strlen < 1024 ? rt->res->max_strlen : 1024);
		break;
	}
	return 0;
}

static uint64_t check_counters(struct rt *rt);

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * -p's process has exited: a pidfd becomes readable when it dies, even while
 * its parent has not reaped it yet (kill(pid, 0) would still succeed then).
 */
static bool pid_gone(struct rt *rt)
{
	if (rt->pidfd == 0)
		rt->pidfd = (int)syscall(SYS_pidfd_open, rt->o->watch_pid, 0) + 1; /* 0: not tried */
	if (rt->pidfd > 0) {
		struct pollfd pfd = { .fd = rt->pidfd - 1, .events = POLLIN };
		return poll(&pfd, 1, 0) == 1;
	}
	return kill(rt->o->watch_pid, 0) && errno == ESRCH;
}

/* -c's command or -p's process has exited: tracing ends as after exit(). */
static bool target_gone(struct rt *rt)
{
	if (rt->o->child && child_done(rt->o->child))
		return true;
	return rt->o->watch_pid > 0 && pid_gone(rt);
}

static void event_loop(struct rt *rt)
{
	double deadline = rt->o->deadline ? now_s() + rt->o->deadline : 0;

	while (!rt->stop && !rt_signalled && !target_gone(rt)) {
		if (rt->non_signal)
			run_self_signals(rt);
		int n = ring_buffer__poll(rt->rb, 100);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "ERROR: reading events failed: %s\n", strerror(-n));
			break;
		}
		if (rt->res->ncounters > 1)
			check_counters(rt);
		output_flush(rt->out);
		if (deadline && now_s() >= deadline)
			break;
	}
}

/* ---- the whole run -------------------------------------------------------------------------- */

/*
 * Where counter slot s lives in the .bss section: the offset of the global
 * ct_counter_<s>, from the section's BTF, or -1 when the programs have none.
 */
static void counter_offsets(struct rt *rt, const struct bpf_map *m, long *off, unsigned n)
{
	for (unsigned s = 0; s < n; s++)
		off[s] = -1;
	struct btf *btf = bpf_object__btf(rt->obj);
	int id = btf ? btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC) : -1;
	if (id < 0)
		return;
	const struct btf_type *sec = btf__type_by_id(btf, (unsigned)id);
	const struct btf_var_secinfo *vi = btf_var_secinfos(sec);
	for (unsigned i = 0; i < btf_vlen(sec); i++, vi++) {
		const char *name = btf__name_by_offset(btf, btf__type_by_id(btf, vi->type)->name_off);
		unsigned s;
		if (name && sscanf(name, "ct_counter_%u", &s) == 1 && s < n &&
		    vi->offset + sizeof(uint64_t) <= bpf_map__value_size(m))
			off[s] = vi->offset;
	}
}

/*
 * The programs' counters: lost events (slot 0) and run-time warning sites
 * (a full map); a site that grew since the last look is reported once.
 * Returns the lost-event count.
 */
static uint64_t check_counters(struct rt *rt)
{
	struct bpf_map *m = bpf_object__find_map_by_name(rt->obj, ".bss");
	unsigned n = rt->res->ncounters;
	uint32_t key = 0;
	if (!m || !n)
		return 0;
	if (!rt->counter_off) {
		rt->counter_off = xcalloc(n, sizeof(*rt->counter_off));
		rt->counters_seen = xcalloc(n, sizeof(*rt->counters_seen));
		counter_offsets(rt, m, rt->counter_off, n);
	}
	unsigned char *sec = xcalloc(1, bpf_map__value_size(m));
	uint64_t lost = 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(m), &key, sec)) {
		for (unsigned s = 0; s < n; s++) {
			uint64_t v = 0;
			if (rt->counter_off[s] < 0)
				continue;
			memcpy(&v, sec + rt->counter_off[s], sizeof(v));
			if (s == 0) {
				lost = v;
			} else if (v > rt->counters_seen[s] && rt->res->counter_fmt[s] >= 0) {
				const struct fmt_res *f = &rt->res->fmts[rt->res->counter_fmt[s]];
				output_runtime_error(rt->out, f, f->detail);
			}
			rt->counters_seen[s] = v;
		}
	}
	free(sec);
	return lost;
}

static void print_maps(struct rt *rt)
{
	output_exit_separator(rt->out);
	if (!rt->res->print_maps_on_exit)
		return;
	for (unsigned i = 0; i < rt->res->nmaps; i++)
		rt_print_map(rt, &rt->res->maps[i], 0, 0, false);
}

static void notify_attached(void)
{
	if (getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED")) {
		fputs("__BPFTRACE_NOTIFY_PROBES_ATTACHED\n", stdout);
		fflush(stdout);
	}
}

static void rt_free(struct rt *rt)
{
	detach_all(rt);
	ring_buffer__free(rt->rb);
	output_free(rt->out);
	bpf_object__close(rt->obj);
	symbolizer_free(rt->sym);
	free(rt->links);
	free(rt->counters_seen);
	free(rt->counter_off);
	if (rt->pidfd > 0)
		close(rt->pidfd - 1);
	free(rt->libbpf_log);
	log_rt = NULL;
}

int rt_run(struct program *p, const void *elf, size_t size, const struct rt_opts *o)
{
	struct rt rt = { .p = p, .res = &p->res, .o = o };
	int err;

	log_rt = &rt;
	log_verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	rt.ncpus = libbpf_num_possible_cpus();
	rt.out = output_new(o->format, o->out, &p->res);
	/* lookups are lazy: creating it loads nothing */
	rt.sym = symbolizer_new();
	output_set_symbolizer(rt.out, rt.sym);

	err = load(&rt, elf, size);
	if (!err)
		err = fill_tables(&rt);
	if (err) {
		rt_free(&rt);
		/* a probe type this kernel lacks is an attach failure, as bpftrace reports it */
		return err == -ENOTSUP ? 255 : 1;
	}
	write_start_time(&rt);
	struct bpf_map *rbm = bpf_object__find_map_by_name(rt.obj, "ringbuf");
	rt.rb = ring_buffer__new(bpf_map__fd(rbm), on_event, &rt, NULL);
	if (!rt.rb) {
		fprintf(stderr, "ERROR: could not set up the ring buffer: %s\n", strerror(errno));
		rt_free(&rt);
		return 1;
	}
	if (o->dry_run) {
		rt_free(&rt);
		return 0;
	}
	err = run_special(&rt, "begin");
	if (!err)
		err = attach_all(&rt);
	if (err) {
		rt_free(&rt);
		return 255;
	}
	output_attached(rt.out, rt.nattached, o->quiet);
	notify_attached();
	if (o->child)
		child_release(o->child);

	if (!p->has_begin_end_only || o->child)
		event_loop(&rt);
	/* stop: detach first so no new events arrive, print what is queued, run end */
	detach_all(&rt);
	if (o->child)
		child_stop(o->child);
	ring_buffer__consume(rt.rb);
	rt.exiting = false;
	run_special(&rt, "end");
	ring_buffer__consume(rt.rb);
	uint64_t lost = check_counters(&rt);
	if (lost)
		output_lost_events(rt.out, lost);
	print_maps(&rt);
	output_flush(rt.out);
	int code = rt.exit_code;
	rt_free(&rt);
	return code;
}
