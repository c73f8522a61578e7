// SPDX-License-Identifier: GPL-2.0
/*
 * The names of the counter table (include/xmptcp/mib.h), generated from the
 * same lists as the enums so an index and its name cannot drift apart, and
 * the loops every report shares (see mib.h).
 */
#include "common/mib.h"
#include "common/names.h"

#define XMP_MIB_GROUP(g, list, count)                                                              \
	[g] = {.names = (const char *const[count]){list(XMP_NAME_ROW)}, .nr = count},

static const struct {
	const char *const *names;
	unsigned int nr;
} groups[XMP_MIB_NR_GROUPS] = {XMP_MIB_GROUPS(XMP_MIB_GROUP)};

unsigned int xmp_mib_nr(enum xmp_mib_group g)
{
	return (unsigned int)g < XMP_MIB_NR_GROUPS ? groups[g].nr : 0;
}

const char *xmp_mib_name(enum xmp_mib_group g, unsigned int i)
{
	return i < xmp_mib_nr(g) ? groups[g].names[i] : "?";
}

void xmp_mib_add(enum xmp_mib_group g, __u64 *dst, const __u64 *src)
{
	unsigned int i, n = xmp_mib_nr(g);

	for (i = 0; i < n; i++)
		dst[i] += src[i];
}

unsigned int xmp_mib_json(FILE *f, enum xmp_mib_group g, const __u64 *v, bool zeros)
{
	unsigned int i, n = xmp_mib_nr(g), out = 0;

	for (i = 0; i < n; i++) {
		if (!v[i] && !zeros)
			continue;
		fprintf(f, "%s\"%s\":%llu", out ? "," : "", groups[g].names[i],
			(unsigned long long)v[i]);
		out++;
	}
	return out;
}
