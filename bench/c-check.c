/* The C comparison for relay-ctrl-check (bench/runtime-tools): what relay-ctrl 3.2's check does,
 * with its system calls in our safe forms: the store opened as a directory, the grant opened
 * relative to it (no link followed, no FIFO waited on), fstat, read to the end, RELAYCLIENT,
 * RBLSMTPD and the records set, execvp. No log lines: it is a yardstick, not a tool. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char body[8193];

static void check(void) {
  const char *ip = getenv("TCPREMOTEIP"), *dir = getenv("RELAY_CTRL_DIR");
  if (getenv("RELAYCLIENT") || !ip || !dir) return;
  const char *text = getenv("RELAY_CTRL_EXPIRY");
  long window = text ? atol(text) : 0;
  if (window <= 0) window = 900;
  int store = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (store < 0) return;
  int grant = openat(store, ip, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  struct stat status;
  time_t now = time(NULL);
  if (grant >= 0 && fstat(grant, &status) == 0 && S_ISREG(status.st_mode) && status.st_mtime + window >= now &&
      status.st_mtime <= now + 30) {
    size_t length = 0;
    ssize_t count;
    while (length < sizeof body - 1 && (count = read(grant, body + length, sizeof body - 1 - length)) > 0)
      length += (size_t)count;
    setenv("RELAYCLIENT", "", 1);
    if (!getenv("RBLSMTPD")) setenv("RBLSMTPD", "", 1);
    for (size_t start = 0; start < length;) {
      size_t end = start + strlen(body + start);
      if (end < length && strchr(body + start, '=')) putenv(body + start);
      start = end + 1;
    }
  }
  if (grant >= 0) close(grant);
  close(store);
}

int main(int argc, char **argv) {
  if (argc < 2) return 1;
  check();
  execvp(argv[1], argv + 1);
  return 111;
}
