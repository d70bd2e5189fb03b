/* Times fork+exec+wait of two commands, alternating them so that both see the same machine
 * state. Usage: exec-cost ROUNDS ::: command A ... ::: command B ...
 * Prints, per command, min/median/max of the wall time and of the CPU time (user + system, from
 * wait4's rusage: less disturbed by other load) per exec, then the ratios of A to B. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void run(char **argv, double *wall, double *cpu) {
  pid_t pid;
  int status;
  struct rusage usage;
  double start = now_us();
  if (posix_spawn(&pid, argv[0], 0, 0, argv, environ) != 0) { perror("posix_spawn"); exit(111); }
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "%s did not exit 0\n", argv[0]);
    exit(1);
  }
  *wall = now_us() - start;
  *cpu = usage.ru_utime.tv_sec * 1e6 + usage.ru_utime.tv_usec + usage.ru_stime.tv_sec * 1e6 + usage.ru_stime.tv_usec;
}

static void report(const char *label, const char *what, double *t, int n) {
  qsort(t, n, sizeof(double), compare);
  printf("%s %-4s min %7.1f  median %7.1f  max %8.1f us\n", label, what, t[0], t[n / 2], t[n - 1]);
}

int main(int argc, char **argv) {
  const char *usage = "usage: exec-cost ROUNDS ::: A... ::: B...\n";
  if (argc < 6 || strcmp(argv[2], ":::") != 0) { fputs(usage, stderr); return 100; }
  int rounds = atoi(argv[1]);
  char **a = argv + 3, **b = 0;
  for (int i = 3; i < argc; i++) if (strcmp(argv[i], ":::") == 0) { argv[i] = 0; b = argv + i + 1; break; }
  if (!b || !*b || rounds < 1) { fputs(usage, stderr); return 100; }
  double *wa = malloc(sizeof(double) * rounds), *wb = malloc(sizeof(double) * rounds);
  double *ca = malloc(sizeof(double) * rounds), *cb = malloc(sizeof(double) * rounds);
  double w, c;
  for (int i = 0; i < 50; i++) { run(a, &w, &c); run(b, &w, &c); }  /* warm the page cache */
  for (int i = 0; i < rounds; i++) { run(a, &wa[i], &ca[i]); run(b, &wb[i], &cb[i]); }
  printf("A = %s\nB = %s\n", a[0], b[0]);
  report("A", "wall", wa, rounds);
  report("B", "wall", wb, rounds);
  report("A", "cpu", ca, rounds);
  report("B", "cpu", cb, rounds);
  printf("ratio A/B  wall: min %.2f  median %.2f  max %.2f   cpu: min %.2f  median %.2f  max %.2f\n",
         wa[0] / wb[0], wa[rounds / 2] / wb[rounds / 2], wa[rounds - 1] / wb[rounds - 1],
         ca[0] / (cb[0] > 0 ? cb[0] : 1), ca[rounds / 2] / (cb[rounds / 2] > 0 ? cb[rounds / 2] : 1), ca[rounds - 1] / (cb[rounds - 1] > 0 ? cb[rounds - 1] : 1));
  return 0;
}
