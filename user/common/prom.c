// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition format 0.0.4 (see prom.h): names, HELP/TYPE
 * lines, samples. A family's samples must follow its HELP and TYPE lines
 * in one group; the callers walk one family at a time for that.
 */
#include <string.h>

#include "common/prom.h"

/* A metric name holds [a-zA-Z0-9_:] and does not start with a digit. */
static char name_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == ':')
		return c;
	return '_';
}

static size_t name_put(char *buf, size_t len, size_t at, const char *s)
{
	for (; *s && at + 1 < len; s++, at++)
		buf[at] = name_char(*s);
	buf[at] = '\0';
	return at;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

char *xmp_prom_name(char *buf, size_t len, enum xmp_prom_type t, const char *const *parts)
{
	size_t at = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (; *parts; parts++) {
		if (!**parts)
			continue;
		if (at)
			at = name_put(buf, len, at, "_");
		at = name_put(buf, len, at, *parts);
	}
	if (buf[0] >= '0' && buf[0] <= '9')
		buf[0] = '_';
	if (t == XMP_PROM_COUNTER && !ends_with(buf, "_total"))
		name_put(buf, len, at, "_total");
	return buf;
}

/* HELP text: backslash and newline escaped (the format's rule for it). */
static void escape_help(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void xmp_prom_escape_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void xmp_prom_family(FILE *f, const char *name, enum xmp_prom_type t, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	escape_help(f, help);
	fprintf(f, "\n# TYPE %s %s\n", name, t == XMP_PROM_COUNTER ? "counter" : "gauge");
}

/* v / div in decimal, exactly: digits of div - 1 after the point. */
static void put_value(FILE *f, __u64 v, __u64 div)
{
	unsigned int digits = 0;
	__u64 d;

	if (div <= 1) {
		fprintf(f, "%llu", (unsigned long long)v);
		return;
	}
	for (d = div; d > 1; d /= 10)
		digits++;
	fprintf(f, "%llu.%0*llu", (unsigned long long)(v / div), (int)digits,
		(unsigned long long)(v % div));
}

void xmp_prom_sample(FILE *f, const char *name, const struct xmp_prom_label *lb, unsigned int n,
		     __u64 v, __u64 div)
{
	unsigned int i;

	fputs(name, f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "{", lb[i].name);
		xmp_prom_escape_value(f, lb[i].value);
		fputc('"', f);
	}
	fputs(n ? "} " : " ", f);
	put_value(f, v, div);
	fputc('\n', f);
}
