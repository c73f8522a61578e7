/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seed files of the corpus generators (tests/fuzz/gen_corpus_*.c): each
 * seed is one file, numbered in the order written, so a run rewrites the
 * same names and a seed's number says which generator step made it.
 */
#ifndef XMP_FUZZ_CORPUS_H
#define XMP_FUZZ_CORPUS_H

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

/* Writes buf as dir/seed-NNN, or dir/seed-NNN-tag with a tag, NNN being
 * (*nfiles)++. 0 or -errno (perror() names the file). */
static inline int corpus_save(const char *dir, int *nfiles, const char *tag, const void *buf,
			      size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03d%s%s", dir, (*nfiles)++, tag ? "-" : "",
		 tag ? tag : "");
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -errno;
	}
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

/* The corpus directory, created if missing: 0, or -errno after perror(). */
static inline int corpus_mkdir(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return -errno;
	}
	return 0;
}

#endif
