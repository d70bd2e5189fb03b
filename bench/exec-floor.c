/* The floor for a chain loader: a static C program that only execs its arguments. */
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 100;
  execv(argv[1], argv + 1);
  return 111;
}
