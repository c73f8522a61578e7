// SPDX-License-Identifier: GPL-2.0
/*
 * JSON output of the xmptcp CLI (status -j, flows -j). The writer tracks
 * per nesting level whether a comma is due, so callers only say what to
 * emit. Strings: RFC 8259 section 7 escaping; interface names may hold any
 * byte, so invalid UTF-8 is replaced rather than copied.
 */
#include <errno.h>
#include <string.h>

#include "ctl/json.h"

void jw_init(struct json_w *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid (RFC 3629 4). */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* The two-character escapes of RFC 8259 7, by the byte they stand for. */
static const char json_esc[128] = {
	['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

void jw_put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	int n;

	fputc('"', f);
	while (*s) {
		n = 1;
		if (*s < 0x80 && json_esc[*s]) {
			fprintf(f, "\\%c", json_esc[*s]);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
		} else if ((n = utf8_len(s)) > 0) {
			fwrite(s, 1, n, f);
		} else {
			fputs("\\ufffd", f); /* not UTF-8: the byte is replaced */
			n = 1;
		}
		s += n;
	}
	fputc('"', f);
}

/* Comma and member name before a value. */
static bool jw_prefix(struct json_w *w, const char *key)
{
	if (w->overflow)
		return false;
	if (w->need_comma[w->depth])
		fputc(',', w->f);
	w->need_comma[w->depth] = true;
	if (key) {
		jw_put_string(w->f, key);
		fputc(':', w->f);
	}
	return true;
}

static void jw_open(struct json_w *w, const char *key, char c)
{
	if (!jw_prefix(w, key))
		return;
	if (w->depth >= JW_MAX_DEPTH) {
		w->overflow = true;
		return;
	}
	fputc(c, w->f);
	w->need_comma[++w->depth] = false;
}

static void jw_close(struct json_w *w, char c)
{
	if (w->overflow || w->depth == 0) {
		w->overflow = true;
		return;
	}
	fputc(c, w->f);
	w->depth--;
}

void jw_obj_begin(struct json_w *w, const char *key)
{
	jw_open(w, key, '{');
}

void jw_obj_end(struct json_w *w)
{
	jw_close(w, '}');
}

void jw_arr_begin(struct json_w *w, const char *key)
{
	jw_open(w, key, '[');
}

void jw_arr_end(struct json_w *w)
{
	jw_close(w, ']');
}

void jw_str(struct json_w *w, const char *key, const char *val)
{
	if (jw_prefix(w, key))
		jw_put_string(w->f, val);
}

void jw_u64(struct json_w *w, const char *key, __u64 val)
{
	if (jw_prefix(w, key))
		fprintf(w->f, "%llu", (unsigned long long)val);
}

void jw_s64(struct json_w *w, const char *key, long long val)
{
	if (jw_prefix(w, key))
		fprintf(w->f, "%lld", val);
}

void jw_bool(struct json_w *w, const char *key, bool val)
{
	if (jw_prefix(w, key))
		fputs(val ? "true" : "false", w->f);
}

void jw_null(struct json_w *w, const char *key)
{
	if (jw_prefix(w, key))
		fputs("null", w->f);
}

int jw_finish(struct json_w *w)
{
	fputc('\n', w->f);
	if (fflush(w->f) || ferror(w->f) || w->overflow || w->depth)
		return -EIO;
	return 0;
}
