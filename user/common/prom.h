/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition format 0.0.4, the writing side: metric names
 * made of parts, "# HELP" / "# TYPE" lines and samples with escaped label
 * values. The daemon's counters (user/app/stats.c, metrics.c) and the
 * connection layer's per-connection and per-subflow series
 * (user/conn/metrics.c) both write through here, so escaping and number
 * formatting are done once and unit-tested (tests/unit/test_prom.c).
 */
#ifndef XMP_COMMON_PROM_H
#define XMP_COMMON_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define XMP_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define XMP_PROM_NAME_MAX     128

enum xmp_prom_type {
	XMP_PROM_COUNTER, /* only goes up (a restart resets it): name ends in _total */
	XMP_PROM_GAUGE,	  /* a value now */
};

struct xmp_prom_label {
	const char *name;  /* [a-zA-Z_][a-zA-Z0-9_]*, ours: written as is */
	const char *value; /* any bytes: escaped */
};

/*
 * "xmptcp" "_" part... joined by '_' into buf, every byte a metric name
 * may not hold turned into '_', "_total" appended for a counter (unless
 * the last part ends with it). parts ends at a NULL; empty parts are
 * skipped. Returns buf (cut at len, always terminated).
 */
char *xmp_prom_name(char *buf, size_t len, enum xmp_prom_type t, const char *const *parts);
/* "# HELP name help" (help escaped) and "# TYPE name counter|gauge" before
 * a family's samples; name as xmp_prom_name() made it, a counter's _total
 * included (node_exporter's form; parsers take both). */
void xmp_prom_family(FILE *f, const char *name, enum xmp_prom_type t, const char *help);
/* One sample: name{labels} value. With div > 1 the value is v / div,
 * written exactly in decimal (div a power of ten: 1000000 turns
 * microseconds into seconds). */
void xmp_prom_sample(FILE *f, const char *name, const struct xmp_prom_label *lb, unsigned int n,
		     __u64 v, __u64 div);
/* s with '\\', '"' and newlines escaped as a label value wants. */
void xmp_prom_escape_value(FILE *f, const char *s);

#endif
