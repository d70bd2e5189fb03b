/* The C comparison for relay-ctrl-age (bench/age-paired.py): what relay-ctrl 3.2's age does, with
 * the system calls it makes: read the store, fstatat each entry, unlink what is older than the
 * window. (It may remove a grant renamed over a stale name between its look and its unlink;
 * ours may not, which is what its lock costs.) */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  const char *dir = getenv("RELAY_CTRL_DIR"), *text = getenv("RELAY_CTRL_EXPIRY");
  long window = text ? atol(text) : 0;
  if (window <= 0) window = 900;
  if (!dir) return 1;
  int store = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *stream = store < 0 ? NULL : fdopendir(dup(store));
  if (!stream) return 1;
  time_t now = time(NULL);
  struct dirent *entry;
  while ((entry = readdir(stream))) {
    if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    struct stat status;
    if (fstatat(store, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (status.st_mtime + window < now) unlinkat(store, entry->d_name, 0);
  }
  return 0;
}
