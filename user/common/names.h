/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printable names of the protocol layers' enums (states, failure and drop
 * reasons), kept as the counter table (include/xmptcp/mib.h) keeps its own:
 * one list of rows X(ENUM, "name") in the layer's header generates the enum
 * through XMP_ENUM_ROW and, in the layer's .c, the name table through
 * XMP_NAME_ROW, so an index and its name cannot drift apart. xmp_name_of()
 * is the one bounds-checked lookup every *_name() function returns through.
 */
#ifndef XMP_COMMON_NAMES_H
#define XMP_COMMON_NAMES_H

#include <xmptcp/types.h> /* XMP_ENUM_ROW, XMP_NAME_ROW */

/*
 * names[i] of a table of @nr names; @unknown when i is out of range or its
 * row has no name (a table indexed by a wider enum than it names).
 */
static inline const char *xmp_name_of(const char *const *names, unsigned int nr, unsigned int i,
				      const char *unknown)
{
	return i < nr && names[i] ? names[i] : unknown;
}

#define XMP_NAME_OF(names, i, unknown)                                                             \
	xmp_name_of(names, sizeof(names) / sizeof((names)[0]), (unsigned int)(i), unknown)

#endif
