// SPDX-License-Identifier: GPL-2.0-only
/*
 * save.c - every file kweave writes (replays, benchmark tables, ...) is written whole or
 * not at all.
 *
 * Invariants:
 *  - kw_write_atomic() writes into a new temporary file in the target's directory, flushes
 *    and fsyncs it, then renames it over the target and fsyncs the directory: a reader (or a
 *    crash, a kill, a full disk at any moment) sees the previous file or the new one, never
 *    a part, never an empty file;
 *  - on any failure the temporary file is removed and -1 is returned with errno saying why;
 *    the caller reports it (the kweave command exits 2);
 *  - paths are length-checked, never truncated: a directory or file name that does not fit
 *    KW_PATH_MAX is ENAMETOOLONG.
 */
#define _GNU_SOURCE
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kw_mkdirs(const char *dir)
{
	char p[KW_PATH_MAX];
	size_t n = strlen(dir);

	if (!n) {
		errno = ENOENT;
		return -1;
	}
	if (n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (char *q = p + 1; *q; q++)
		if (*q == '/') {
			*q = 0;
			if (mkdir(p, 0777) && errno != EEXIST)
				return -1;
			*q = '/';
		}
	if (mkdir(p, 0777) && errno != EEXIST)
		return -1;
	{
		struct stat st;

		if (stat(p, &st))
			return -1;
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
	}
	return 0;
}

static void kw_fsync_dir(const char *path)
{
	char d[KW_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(d, sizeof(d), ".");
	else if (slash == path)
		snprintf(d, sizeof(d), "/");
	else
		snprintf(d, sizeof(d), "%.*s", (int)(slash - path), path);
	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* best effort: some file systems refuse it on directories */
		close(fd);
	}
}

int kw_write_atomic(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg)
{
	char tmp[KW_PATH_MAX + 16];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = (size_t)(base - path);
	FILE *f;
	mode_t um;
	int fd, rc, saved;

	if (!*base) {
		errno = EISDIR;
		return -1;
	}
	if (strlen(path) >= KW_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* ".NAME.tmp-XXXXXX" beside the target: the same file system, so rename() is atomic */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp-XXXXXX", (int)dirlen, path, base) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	f = fdopen(fd, "w");
	if (!f) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	errno = 0;
	rc = fill(f, arg);
	if (!rc && fflush(f))
		rc = -1;
	if (!rc && ferror(f))
		rc = -1;
	if (!rc && fsync(fd))
		rc = -1;
	saved = errno ? errno : EIO;
	if (fclose(f) && !rc) {
		rc = -1;
		saved = errno ? errno : EIO;
	}
	if (!rc && rename(tmp, path)) {
		rc = -1;
		saved = errno;
	}
	if (rc) {
		unlink(tmp);
		errno = saved;
		return -1;
	}
	kw_fsync_dir(path);
	return 0;
}

static int kw_fill_replay(FILE *f, const void *arg)
{
	return kw_replay_write(f, arg);
}

int kw_save_replay(const char *dir, const struct kw_config *cfg, const char *found_by, const char *check,
		   const struct kw_decision *d, size_t n, char *path, size_t pathn)
{
	struct kw_replay r;
	char name[KW_PATH_MAX];
	int rc;

	if (pathn)
		path[0] = 0;
	if (kw_replay_from_config(&r, cfg) || kw_replay_set_text(r.found_by, sizeof(r.found_by), found_by) ||
	    kw_replay_set_text(r.check, sizeof(r.check), check ? check : "")) {
		errno = ENAMETOOLONG; /* a name the format cannot hold whole */
		return -1;
	}
	if (kw_replay_set_decisions(&r, d, n)) {
		errno = ENOMEM;
		return -1;
	}
	kw_replay_filename(&r, name, sizeof(name));
	if ((size_t)snprintf(path, pathn, "%s/%s", dir, name) >= pathn || strlen(path) >= KW_PATH_MAX) {
		kw_replay_clear(&r);
		if (pathn)
			path[0] = 0;
		errno = ENAMETOOLONG;
		return -1;
	}
	if (kw_mkdirs(dir)) {
		kw_replay_clear(&r);
		return -1;
	}
	rc = kw_write_atomic(path, kw_fill_replay, &r);
	kw_replay_clear(&r);
	return rc;
}

/* Control bytes (C0, DEL, and the C1 range as UTF-8) as \xNN, everything else as is. */
const char *kw_escape(const char *s, char *buf, size_t n)
{
	size_t k = 0;

	if (!n)
		return buf;
	for (const unsigned char *p = (const unsigned char *)(s ? s : "(null)"); *p && k + 1 < n; p++) {
		bool c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;

		if (*p < 0x20 || *p == 0x7f || c1) {
			if (k + 5 > n - 1)
				break;
			if (c1) {
				if (k + 9 > n - 1)
					break;
				k += (size_t)snprintf(buf + k, n - k, "\\x%02x", *p++);
			}
			k += (size_t)snprintf(buf + k, n - k, "\\x%02x", *p);
		} else {
			buf[k++] = (char)*p;
		}
	}
	buf[k] = 0;
	return buf;
}
