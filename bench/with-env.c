/* `with-env NAME=VALUE... PROGRAM ARGS...`: a static env(1) without a PATH search or options, so
 * that two paired commands can run with different environments and both pay only a static exec
 * for it (coreutils' env is dynamic: its own start-up would dilute the ratio). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int i = 1;
  clearenv();
  for (; i < argc && strchr(argv[i], '='); i++) putenv(argv[i]);
  if (i == argc) return 100;
  execv(argv[i], argv + i);
  return 111;
}
