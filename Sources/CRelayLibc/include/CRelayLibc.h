/*
 * The C library as the runtime tools' core sees it, in both of the ways it is compiled: as
 * Embedded Swift for the tools (no Glibc overlay exists there) and as ordinary Swift for the
 * compiler and the tests. Only what the overlay would have added is defined here: errno, and
 * the variadic calls (open, openat, fcntl) that Swift cannot call, as fixed-argument functions.
 */
#ifndef CRELAYLIBC_H
#define CRELAYLIBC_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static inline int relay_errno(void) { return errno; }
static inline void relay_set_errno(int value) { errno = value; }

static inline int relay_open(const char *path, int flags) { return open(path, flags); }
static inline int relay_openat(int directory, const char *path, int flags, mode_t mode) {
  return openat(directory, path, flags, mode);
}
static inline int relay_fcntl(int descriptor, int command, int argument) {
  return fcntl(descriptor, command, argument);
}
/* Names a type's own close() or write() method would shadow. */
static inline int relay_close(int descriptor) { return close(descriptor); }
static inline ssize_t relay_write(int descriptor, const void *bytes, size_t count) {
  return write(descriptor, bytes, count);
}

/* A non-blocking stream socket, closed on exec (the flags are enum members Swift cannot or). */
static inline int relay_stream_socket(int family) {
  return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}
static inline int relay_connect(int descriptor, const void *address, socklen_t length) {
  return connect(descriptor, (const struct sockaddr *)address, length);
}
/* send(2) that gives EPIPE, never SIGPIPE, when the peer has hung up. */
static inline ssize_t relay_send(int descriptor, const void *bytes, size_t count) {
  return send(descriptor, bytes, count, MSG_NOSIGNAL);
}
static inline int relay_set_no_delay(int descriptor) {
  int on = 1;
  return setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

/* Ignores `signal`, keeping its disposition in `previous` (SIG_IGN is a cast, not a constant). */
static inline int relay_ignore_signal(int signal, struct sigaction *previous) {
  struct sigaction ignore = {0};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  return sigaction(signal, &ignore, previous);
}

/* A directory entry's name, NUL-terminated, where readdir left it. */
static inline const char *relay_entry_name(const struct dirent *entry) { return entry->d_name; }

/* The process's argv as the kernel passed it (see arguments.c). */
int relay_argument_count(void);
char **relay_arguments(void);

#endif
