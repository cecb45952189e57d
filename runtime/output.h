/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output: bytes from maps and events -> text identical to bpftrace, or its
 * JSON (`-f json`).  The runtime reads the kernel; this module only formats.
 */
#ifndef CTRACE_OUTPUT_H
#define CTRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "resources.h"

enum output_format { OUTPUT_TEXT, OUTPUT_JSON };

/*
 * One map entry as read from the kernel.  For per-CPU maps val holds ncpus
 * values one after another, each val_size rounded up to 8 bytes (the layout
 * bpf_map_lookup_elem returns); otherwise one value of val_size bytes.
 * For HIST/LHIST maps the key ends with the u64 bucket index.
 */
struct map_entry {
	const uint8_t *key; /* map->key_size bytes */
	const uint8_t *val;
};

struct map_snapshot {
	const struct map_res *map;
	unsigned ncpus;
	size_t n;
	struct map_entry *entries;
};

/* Symbol lookups the runtime provides for stacks, ksym(), usym() (may be NULL: hex). */
struct symbolizer {
	void *ctx;
	/* Name of the kernel symbol at addr, with "+off" when with_offset; NULL if unknown. */
	const char *(*ksym)(void *ctx, uint64_t addr, bool with_offset);
	const char *(*usym)(void *ctx, uint64_t addr, uint32_t pid, bool with_offset,
			    const char **module);
};

struct output;

/* Output to out (stdout or the -o file) in the given format.  res must outlive it. */
struct output *output_new(enum output_format fmt, FILE *out, const struct resources *res);
void output_free(struct output *o);
void output_set_symbolizer(struct output *o, const struct symbolizer *sym);

/* `Attached N probes` (text: to stderr, nothing with quiet) or the attached_probes record. */
void output_attached(struct output *o, unsigned nprobes, bool quiet);
/* A printf/cat/system event: fmt_res->args describes the payload. */
void output_printf(struct output *o, const struct fmt_res *f, const uint8_t *payload, size_t len);
/* join(): count strings of slot bytes each, joined by sep (text: plus a newline). */
void output_join(struct output *o, const char *sep, const uint8_t *payload, size_t len,
		 unsigned slot);
/* print(value) of a non-map value. */
void output_value(struct output *o, const struct type *t, const uint8_t *data);
/* time(fmt): the current local time through strftime. */
void output_time(struct output *o, const char *fmt);
/*
 * A map at exit or through print(@m, top, div): sorted as bpftrace sorts it
 * (ties broken by key), merged across CPUs.  An empty map prints nothing.
 * scalar_zero_if_empty: print(@scalar) of an empty scalar prints its zero value.
 */
void output_map(struct output *o, const struct map_snapshot *s, uint64_t top, uint64_t div,
		bool scalar_zero_if_empty);
/* Text mode: the "\n\n" written before the maps at exit.  JSON: nothing. */
void output_exit_separator(struct output *o);
/* errorf()/warnf() with its formatted message: stderr in text, a record in JSON. */
void output_message(struct output *o, const struct fmt_res *f, const char *msg);
/* A runtime warning/error from the program (division by zero, map full): stderr in text. */
void output_runtime_error(struct output *o, const struct fmt_res *f, const char *extra);
/* `WARNING: Total lost event count: N`. */
void output_lost_events(struct output *o, uint64_t n);
void output_flush(struct output *o);

#endif
