/* fs_dirs: making sure a directory exists before a file is created in it. */
#ifndef COMMON_FS_DIRS_H
#define COMMON_FS_DIRS_H

/* Creates path and its missing parents (mode 0755), like mkdir -p. Returns 0
 * when the directory exists afterwards, -1 with errno set otherwise. */
int fs_dirs_make(const char *path);

/* The same for the directory part of file_path ("var/app.db" → "var"). */
int fs_dirs_make_parent(const char *file_path);

#endif
