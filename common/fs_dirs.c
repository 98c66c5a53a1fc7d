#include "fs_dirs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define FS_PATH_MAX 4096

int fs_dirs_make(const char *path)
{
	char copy[FS_PATH_MAX];
	size_t n = strlen(path);
	struct stat st;

	if (n == 0 || n >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(copy, path, n + 1);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(copy, 0755) != 0 && errno != EEXIST)
		return -1;
	if (stat(copy, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int fs_dirs_make_parent(const char *file_path)
{
	char dir[FS_PATH_MAX];
	const char *slash = strrchr(file_path, '/');
	size_t n;

	if (!slash || slash == file_path)
		return 0; /* the current directory, or / */
	n = (size_t)(slash - file_path);
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, file_path, n);
	dir[n] = '\0';
	return fs_dirs_make(dir);
}
