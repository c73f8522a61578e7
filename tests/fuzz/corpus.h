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

/* Each generator is one translation unit writing one corpus. */
static struct {
	const char *dir;
	int nfiles; /* seeds written so far */
} corpus;

/* Writes buf as dir/seed-NNN, or dir/seed-NNN-tag with a tag, NNN being
 * corpus.nfiles++. 0 or -errno (perror() names the file). */
static inline int corpus_save(const char *tag, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03d%s%s", corpus.dir, corpus.nfiles++,
		 tag ? "-" : "", tag ? tag : "");
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

/* Sets the corpus directory, created if missing: 0, or -errno after perror(). */
static inline int corpus_open(const char *dir)
{
	corpus.dir = dir;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return -errno;
	}
	return 0;
}

/* main() of a generator that takes only CORPUS_DIR: gen() != 0 fails it. */
static inline int corpus_main(int argc, char **argv, int (*gen)(void))
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	if (corpus_open(argv[1]) || gen())
		return 1;
	printf("%d seeds in %s\n", corpus.nfiles, corpus.dir);
	return 0;
}

#endif
