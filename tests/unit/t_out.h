/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny test harness for the output tests: checks, string comparison, a final tally. */
#ifndef CTRACE_T_OUT_H
#define CTRACE_T_OUT_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

static inline void t_check(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		t_passed++;
		return;
	}
	t_failed++;
	fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
}

static inline void t_check_str(const char *got, const char *want, const char *what,
			       const char *file, int line)
{
	if (!strcmp(got, want)) {
		t_passed++;
		return;
	}
	t_failed++;
	fprintf(stderr, "%s:%d: FAILED: %s\n--- want ---\n%s\n--- got ---\n%s\n---\n", file, line,
		what, want, got);
}

#define T_OK(cond) t_check(!!(cond), #cond, __FILE__, __LINE__)
#define T_STR(got, want) t_check_str((got), (want), #got, __FILE__, __LINE__)

/* Prints "N passed, M failed" as the last line; the exit status says whether all passed. */
static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
