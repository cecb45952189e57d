/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny unit-test harness: CHECK macros that report the failing line and
 * keep going, and t_done(), which prints "N passed, M failed" as the last
 * line and returns the exit status (non-zero when anything failed).
 */
#ifndef CTRACE_T_H
#define CTRACE_T_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

static inline void t_result(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		t_passed++;
		return;
	}
	t_failed++;
	fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
}

/* Strings compared exactly; both are shown on failure.  NULL equals only NULL. */
static inline void t_check_str(const char *got, const char *want, const char *file, int line,
			       const char *what)
{
	int ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);

	t_result(ok, file, line, what);
	if (!ok)
		fprintf(stderr, "--- want:\n%s\n--- got:\n%s\n---\n", want ? want : "(null)",
			got ? got : "(null)");
}

static inline void t_check_int(long long got, long long want, const char *file, int line,
			       const char *what)
{
	t_result(got == want, file, line, what);
	if (got != want)
		fprintf(stderr, "    want %lld, got %lld\n", want, got);
}

#define CHECK(cond) t_result(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_STR(got, want) t_check_str((got), (want), __FILE__, __LINE__, #got)
#define CHECK_INT(got, want) t_check_int((long long)(got), (long long)(want), __FILE__, __LINE__, #got)

/* The summary line; the value to return from main. */
static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
