/* The floor for a chain loader: a static C program that only execs its arguments (and, given
 * none, a static `true`, for measuring another program's own peak memory). */
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 0;
  execv(argv[1], argv + 1);
  return 111;
}
