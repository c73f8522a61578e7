/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer for every `xmptcp ... -j`: objects and arrays
 * nest, commas are placed by the writer, strings are escaped (RFC 8259 7),
 * numbers are printed as numbers. Output is one compact line per document.
 */
#ifndef XMP_CTL_JSON_H
#define XMP_CTL_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JW_MAX_DEPTH 32

struct json_w {
	FILE *f;
	int depth;
	bool need_comma[JW_MAX_DEPTH + 1];
	bool overflow;		/* nested deeper than JW_MAX_DEPTH: output cut */
};

void jw_init(struct json_w *w, FILE *f);
/* key is the member name inside an object, NULL inside an array / at top. */
void jw_obj_begin(struct json_w *w, const char *key);
void jw_obj_end(struct json_w *w);
void jw_arr_begin(struct json_w *w, const char *key);
void jw_arr_end(struct json_w *w);
void jw_str(struct json_w *w, const char *key, const char *val);
void jw_u64(struct json_w *w, const char *key, __u64 val);
void jw_s64(struct json_w *w, const char *key, long long val);
void jw_bool(struct json_w *w, const char *key, bool val);
void jw_null(struct json_w *w, const char *key);
/* Ends the document with a newline; 0, or -EIO if the stream failed or the
 * document was left unbalanced. */
int jw_finish(struct json_w *w);

/* Escapes s as a JSON string (with quotes) onto f. Bytes that are not valid
 * UTF-8 become U+FFFD so the output always parses. */
void jw_put_string(FILE *f, const char *s);

#endif
