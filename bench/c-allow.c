/* The C comparison for relay-ctrl-allow (bench/runtime-tools): what relay-ctrl 3.2's allow does,
 * with the system calls ours makes: the store opened as a directory, a temporary file
 * `.<sec>.<usec>:<pid>` created exclusively beside the grant, the records written, the file
 * renamed over the address, execvp. No address validation beyond a length, no log lines. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static void allow(void) {
  const char *ip = getenv("TCPREMOTEIP"), *dir = getenv("RELAY_CTRL_DIR");
  if (!ip || !dir || strlen(ip) > 45) return;
  int store = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (store < 0) return;
  struct timeval now;
  gettimeofday(&now, NULL);
  char temporary[64];
  snprintf(temporary, sizeof temporary, ".%ld.%ld:%d", (long)now.tv_sec, (long)now.tv_usec, (int)getpid());
  int file = openat(store, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (file >= 0) {
    char body[1024];
    size_t length = 0;
    const char *names[] = {"USER", "DOMAIN"};
    for (int i = 0; i < 2; i++) {
      const char *value = getenv(names[i]);
      if (value && length + strlen(names[i]) + strlen(value) + 2 < sizeof body)
        length += (size_t)sprintf(body + length, "%s=%s", names[i], value) + 1;
    }
    int written = write(file, body, length) == (ssize_t)length;
    if (close(file) == 0 && written) renameat(store, temporary, store, ip);
    else unlinkat(store, temporary, 0);
  }
  close(store);
}

int main(int argc, char **argv) {
  allow();
  if (argc < 2) return 0;
  execvp(argv[1], argv + 1);
  return 111;
}
