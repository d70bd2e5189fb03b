/*
 * The runtime tools' argv, handed to the Swift runtime without its Linux start-up search.
 *
 * On Linux the Swift runtime finds argv from a static constructor that reads /proc/self/maps
 * and walks the initial stack (CommandLine.cpp's "ArgvGrabber"), on every exec, whether the
 * program looks at CommandLine or not. These tools run once per SMTP connection and login,
 * and that search is a measurable share of their whole run (bench/runtime-tools).
 *
 * glibc calls each .init_array function with (argc, argv, envp), so argv can simply be kept.
 * Defining the two functions of CommandLine.cpp here means the static link never takes that
 * object from libswiftCore.a. Should a toolchain add a symbol to it that the standard library
 * uses, the link fails with a duplicate definition: loudly, never silently. Only the six
 * runtime tools link this; `relaychain` and the tests keep the runtime's own.
 */
#include "RuntimeToolStartup.h"

static int keptCount;
static char **keptArguments;

static void keepArguments(int argc, char **argv, char **envp) {
  (void)envp;
  keptCount = argc;
  keptArguments = argv;
}

__attribute__((section(".init_array"), used))
static void (*const keepArgumentsEntry)(int, char **, char **) = keepArguments;

/* The runtime's signatures (stdlib/public/CommandLineSupport/CommandLine.cpp, Swift 6). */
__attribute__((swiftcall)) char **_swift_stdlib_getUnsafeArgvArgc(int *count) {
  *count = keptCount;
  return keptArguments;
}

__attribute__((swiftcall)) void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
  keptArguments = argv;
  keptCount = argc;
}
