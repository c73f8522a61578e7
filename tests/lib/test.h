/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal test harness for C tests: each test function runs through RUN(),
 * which prints one TAP-like line ("ok - name", "not ok - name",
 * "ok - name # SKIP why"); tests/run.sh counts those lines. The exit code
 * follows the kernel selftests: 0 pass, 1 fail, 4 everything skipped.
 */
#ifndef XMP_TEST_H
#define XMP_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_cur_failed;
static const char *t_cur_skip;
static int t_npass, t_nfail, t_nskip;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stdout, "#   %s:%d: CHECK(%s) failed\n", __FILE__,   \
				__LINE__, #cond);                                \
			t_cur_failed = 1;                                        \
		}                                                                \
	} while (0)

/* Integer comparison that prints both sides on failure. */
#define CHECK_EQ(a, b)                                                           \
	do {                                                                     \
		long long _a = (long long)(a), _b = (long long)(b);              \
		if (_a != _b) {                                                  \
			fprintf(stdout, "#   %s:%d: %s == %s: %lld != %lld\n",       \
				__FILE__, __LINE__, #a, #b, _a, _b);             \
			t_cur_failed = 1;                                        \
		}                                                                \
	} while (0)

#define CHECK_MEM(a, b, n)                                                       \
	do {                                                                     \
		if (memcmp((a), (b), (n))) {                                     \
			fprintf(stdout, "#   %s:%d: %s and %s differ\n", __FILE__,   \
				__LINE__, #a, #b);                               \
			t_cur_failed = 1;                                        \
		}                                                                \
	} while (0)

/* Stop the current test and report it skipped, with the reason. */
#define SKIP(why)                                                                \
	do {                                                                     \
		t_cur_skip = (why);                                              \
		return;                                                          \
	} while (0)

static inline void t_run(const char *name, void (*fn)(void))
{
	t_cur_failed = 0;
	t_cur_skip = NULL;
	fn();
	if (t_cur_failed) {
		t_nfail++;
		printf("not ok - %s\n", name);
	} else if (t_cur_skip) {
		t_nskip++;
		printf("ok - %s # SKIP %s\n", name, t_cur_skip);
	} else {
		t_npass++;
		printf("ok - %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) t_run(#fn, fn)

/* Between t_stderr_begin() and t_stderr_end(), what the code under test
 * writes on stderr (its one-line errors) goes to a file, then into buf. */
static int t_stderr_saved = -1;
static FILE *t_stderr_tmp;

static inline void t_stderr_begin(void)
{
	t_stderr_tmp = tmpfile();
	fflush(stderr);
	t_stderr_saved = dup(2);
	dup2(fileno(t_stderr_tmp), 2);
}

static inline void t_stderr_end(char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(t_stderr_saved, 2);
	close(t_stderr_saved);
	rewind(t_stderr_tmp);
	n = fread(buf, 1, len - 1, t_stderr_tmp);
	buf[n] = '\0';
	fclose(t_stderr_tmp);
}

static inline int t_exit_code(void)
{
	if (t_nfail)
		return 1;
	if (!t_npass && t_nskip)
		return 4;
	return 0;
}

#endif
