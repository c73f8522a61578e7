// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI's JSON writer (user/ctl/json.c, compiled in: the CLI is not part
 * of libxmp): string escaping of RFC 8259 7 and the replacement of bytes
 * that are not UTF-8 (RFC 3629 4), since interface names may hold any byte
 * and `xmptcp ... -j` must always parse; and the writer's commas and
 * nesting.
 */
#include "lib/test.h"
#include "ctl/json.c"

/* jw_put_string(@in) must print exactly @want. */
static void check_escape(const char *in, const char *want)
{
	char out[256] = "";
	FILE *f = fmemopen(out, sizeof(out), "w");

	CHECK(f != NULL);
	if (!f)
		return;
	jw_put_string(f, in);
	fclose(f);
	if (strcmp(out, want)) {
		printf("#   escape of \"%s\": got %s, want %s\n", in, out, want);
		t_cur_failed = 1;
	}
}

static void string_escapes(void)
{
	static const struct {
		const char *in, *want;
	} v[] = {
		{"plain", "\"plain\""},
		{"", "\"\""},
		{"q\"b\\s/", "\"q\\\"b\\\\s/\""},
		{"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
		{"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
		{"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
		{"a\xff" "b", "\"a\\ufffdb\""},		    /* not a lead byte */
		{"\xc3", "\"\\ufffd\""},		    /* cut short by the end */
		{"\xc0\xaf", "\"\\ufffd\\ufffd\""},	    /* overlong '/' */
		{"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
		{"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* beyond U+10FFFF */
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_escape(v[i].in, v[i].want);
	check_escape(NULL, "\"\"");
}

static void nesting_and_commas(void)
{
	char out[256] = "";
	FILE *f = fmemopen(out, sizeof(out), "w");
	struct json_w w;

	CHECK(f != NULL);
	if (!f)
		return;
	jw_init(&w, f);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "name", "xb\tv0");
	jw_arr_begin(&w, "ids");
	jw_u64(&w, NULL, 1);
	jw_s64(&w, NULL, -2);
	jw_arr_end(&w);
	jw_bool(&w, "up", true);
	jw_null(&w, "mode");
	jw_obj_end(&w);
	CHECK_EQ(jw_finish(&w), 0);
	fclose(f);
	CHECK(!strcmp(out, "{\"name\":\"xb\\tv0\",\"ids\":[1,-2],\"up\":true,\"mode\":null}\n"));
}

int main(void)
{
	RUN(string_escapes);
	RUN(nesting_and_commas);
	return t_exit_code();
}
