/*
 * argv for the runtime tools. Embedded Swift has no CommandLine, and the hosted runtime finds
 * argv by reading /proc/self/maps on every exec; glibc calls each .init_array function with
 * (argc, argv, envp), so argv can simply be kept, at no cost.
 */
#include "CRelayLibc.h"

static int keptCount;
static char **keptArguments;

static void keepArguments(int argc, char **argv, char **envp) {
  (void)envp;
  keptCount = argc;
  keptArguments = argv;
}

__attribute__((section(".init_array"), used))
static void (*const keepArgumentsEntry)(int, char **, char **) = keepArguments;

int relay_argument_count(void) { return keptCount; }
char **relay_arguments(void) { return keptArguments; }
