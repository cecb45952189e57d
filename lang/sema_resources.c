/* SPDX-License-Identifier: Apache-2.0 */
/* Resources: map layouts and ids, the ring buffer size; `-d resources`. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "program.h"

/* BPF map types, from linux/bpf.h (lang/ includes no BPF headers). */
enum {
	MAPT_HASH = 1,
	MAPT_PERCPU_HASH = 5,
	MAPT_LRU_HASH = 9,
	MAPT_LRU_PERCPU_HASH = 10,
};

static int cmp_map(const void *a, const void *b)
{
	const struct map_sym *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

static unsigned agg_val_size(enum agg_kind agg, const struct type *val)
{
	return agg == AGG_NONE ? val->size : val->size;
}

static int map_bpf_type(const struct map_sym *m)
{
	bool percpu = m->agg != AGG_NONE;
	if (m->decl_type && strstr(m->decl_type, "lru"))
		return percpu ? MAPT_LRU_PERCPU_HASH : MAPT_LRU_HASH;
	return percpu ? MAPT_PERCPU_HASH : MAPT_HASH;
}

int sema_resources(struct program *p)
{
	unsigned n = 0;
	for (struct map_sym *m = p->maps; m; m = m->next)
		n++;
	struct map_sym **sorted = arena_alloc(p->arena, sizeof(*sorted) * (n + 1));
	n = 0;
	/* a declared map that is never used has no type: it is left out */
	for (struct map_sym *m = p->maps; m; m = m->next)
		if (m->val && m->val->kind != TY_NONE)
			sorted[n++] = m;
	/* the order maps print at exit: bpftrace keeps them in a std::map by name */
	qsort(sorted, n, sizeof(*sorted), cmp_map);

	p->res.maps = arena_alloc(p->arena, sizeof(*p->res.maps) * (n + 1));
	p->res.nmaps = n;
	for (unsigned i = 0; i < n; i++) {
		struct map_sym *m = sorted[i];
		struct map_res *r = &p->res.maps[i];
		bool hist = m->agg == AGG_HIST || m->agg == AGG_LHIST || m->agg == AGG_TSERIES;

		m->id = (int)i;
		r->name = m->name;
		r->elf_name = arena_printf(p->arena, "m%u", i);
		r->id = (int)i;
		r->key = m->key;
		r->val = m->val;
		r->agg = m->agg;
		/* hist/lhist: the u64 bucket index follows the key, 8-aligned; tseries: the slot */
		r->key_size = hist ? ((m->key ? m->key->size : 0) + 7) / 8 * 8 + 8
				   : (m->key ? m->key->size : 8);
		r->val_size = agg_val_size(m->agg, m->val);
		r->max_entries = m->max_entries ? m->max_entries : p->cfg.max_map_keys;
		r->percpu = m->agg != AGG_NONE;
		r->bpf_type = map_bpf_type(m);
		r->hist_bits = m->hist_bits;
		r->lhist_min = m->lhist_min;
		r->lhist_max = m->lhist_max;
		r->lhist_step = m->lhist_step;
		r->ts_interval = m->ts_interval;
		r->ts_count = m->ts_count;
		r->ts_fn = m->ts_fn;
		/* every key needs one entry per slot; a scalar series must keep all of them */
		if (m->agg == AGG_TSERIES && r->max_entries < m->ts_count)
			r->max_entries = (unsigned)m->ts_count;
		if (!r->key_size || !r->val_size) {
			diag_error(p->diags, &m->first, "Map %s has a value of no size", m->name);
			return -EINVAL;
		}
	}
	p->res.probe_funcs = arena_alloc(p->arena, sizeof(char *) * (p->res.nprobes + 1));
	for (struct probe *pr = p->probes; pr; pr = pr->next)
		for (struct attach *a = pr->attaches; a; a = a->next)
			p->res.probe_funcs[a->probe_id] = a->func;
	unsigned pages = p->cfg.perf_rb_pages ? p->cfg.perf_rb_pages : 256;
	unsigned size = 4096;
	while (size < pages * 4096u && size < (1u << 30))
		size <<= 1;
	p->res.ringbuf_size = size;
	return 0;
}

void program_dump_resources(const struct program *p, FILE *out)
{
	const struct resources *r = &p->res;
	fprintf(out, "maps:\n");
	for (unsigned i = 0; i < r->nmaps; i++) {
		const struct map_res *m = &r->maps[i];
		fprintf(out, "  %s (%s): key ", m->name, m->elf_name);
		type_print(m->key, out);
		fprintf(out, " value ");
		type_print(m->val, out);
		fprintf(out, " bpf_type %d key_size %u value_size %u max_entries %u%s\n",
			m->bpf_type, m->key_size, m->val_size, m->max_entries,
			m->percpu ? " percpu" : "");
		if (m->agg == AGG_HIST)
			fprintf(out, "    hist bits %d\n", m->hist_bits);
		if (m->agg == AGG_LHIST)
			fprintf(out, "    lhist min %" PRId64 " max %" PRId64 " step %" PRId64 "\n",
				m->lhist_min, m->lhist_max, m->lhist_step);
		if (m->agg == AGG_TSERIES)
			fprintf(out, "    tseries interval %" PRIu64 " count %" PRIu64 " fn %d\n",
				m->ts_interval, m->ts_count, m->ts_fn);
	}
	fprintf(out, "formats:\n");
	for (unsigned i = 0; i < r->nfmts; i++) {
		const struct fmt_res *f = &r->fmts[i];
		fprintf(out, "  %u %s \"", i,
			(const char *[]){
#define X(k, s) s,
				EVENT_KINDS(X)
#undef X
			}[f->kind]);
		for (const char *c = f->fmt; c && *c; c++) {
			if (*c == '\n')
				fputs("\\n", out);
			else if (*c == '"' || *c == '\\')
				fprintf(out, "\\%c", *c);
			else
				fputc(*c, out);
		}
		fputs("\" ", out);
		type_print(f->args, out);
		fputc('\n', out);
	}
	fprintf(out, "probes:\n");
	for (unsigned i = 0; i < r->nprobes; i++)
		fprintf(out, "  %u %s\n", i, r->probes[i]);
	for (const struct probe *pr = p->probes; pr; pr = pr->next)
		for (const struct prog *pg = pr->progs; pg; pg = pg->next)
			fprintf(out, "program %s section %s targets %u mode %d\n", pg->fn_name,
				pg->section, pg->ntargets, (int)pg->idmode);
	fprintf(out, "ringbuf %u bytes\n", r->ringbuf_size);
}
