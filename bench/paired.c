/* Paired exec-cost measurement: runs command A and command B alternately (A,B then B,A, so
 * neither always goes first), takes per round the ratio A/B of CPU time (user + system, from
 * wait4's rusage) and of wall time, and reports the median of those per-round ratios for each
 * repetition, then min / median / max over the repetitions. A ratio of two medians taken apart
 * is noise on a shared machine; a median of paired ratios is not.
 * Usage: paired [-r REPETITIONS] ROUNDS ::: A... ::: B...
 * Peak RSS is wait4's ru_maxrss, which on Linux also counts this spawner's own memory until the
 * exec: build this program statically (about 0.6 MB) so that the floor it sets is low.
 * Last line, for scripts: RESULT cpu=<median> wall=<median> rssA=<KiB> rssB=<KiB> */
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

static double median(double *v, int n) {
  qsort(v, n, sizeof(double), compare);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct sample { double wall, cpu, rss; };

static struct sample run(char **argv) {
  pid_t pid;
  int status;
  struct rusage usage;
  struct sample s;
  double start = now_us();
  if (posix_spawn(&pid, argv[0], 0, 0, argv, environ) != 0) { perror(argv[0]); exit(111); }
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "paired: %s did not exit 0\n", argv[0]);
    exit(1);
  }
  s.wall = now_us() - start;
  s.cpu = usage.ru_utime.tv_sec * 1e6 + usage.ru_utime.tv_usec + usage.ru_stime.tv_sec * 1e6 + usage.ru_stime.tv_usec;
  s.rss = usage.ru_maxrss;
  return s;
}

int main(int argc, char **argv) {
  const char *usage = "usage: paired [-r REPETITIONS] ROUNDS ::: A... ::: B...\n";
  int reps = 3, first = 1;
  if (argc > 2 && strcmp(argv[1], "-r") == 0) { reps = atoi(argv[2]); first = 3; }
  if (argc < first + 5 || strcmp(argv[first + 1], ":::") != 0 || reps < 1) { fputs(usage, stderr); return 100; }
  int rounds = atoi(argv[first]);
  char **a = argv + first + 2, **b = 0;
  for (int i = first + 2; i < argc; i++) if (strcmp(argv[i], ":::") == 0) { argv[i] = 0; b = argv + i + 1; break; }
  if (!b || !*b || rounds < 2) { fputs(usage, stderr); return 100; }
  double *cpuRatio = malloc(sizeof(double) * rounds), *wallRatio = malloc(sizeof(double) * rounds);
  double *cpuA = malloc(sizeof(double) * rounds), *cpuB = malloc(sizeof(double) * rounds);
  double *rssA = malloc(sizeof(double) * rounds), *rssB = malloc(sizeof(double) * rounds);
  double *repCpu = malloc(sizeof(double) * reps), *repWall = malloc(sizeof(double) * reps);
  double lastRssA = 0, lastRssB = 0;
  printf("A = %s\nB = %s\n", a[0], b[0]);
  for (int r = 0; r < reps; r++) {
    for (int i = 0; i < 20; i++) { run(a); run(b); }  /* warm the page cache */
    int counted = 0;
    for (int i = 0; i < rounds; i++) {
      struct sample x, y;
      if (i % 2 == 0) { x = run(a); y = run(b); } else { y = run(b); x = run(a); }
      cpuA[i] = x.cpu; cpuB[i] = y.cpu; rssA[i] = x.rss; rssB[i] = y.rss;
      wallRatio[i] = x.wall / y.wall;
      if (x.cpu > 0 && y.cpu > 0) cpuRatio[counted++] = x.cpu / y.cpu;
    }
    repCpu[r] = counted ? median(cpuRatio, counted) : 0;
    repWall[r] = median(wallRatio, rounds);
    lastRssA = median(rssA, rounds);
    lastRssB = median(rssB, rounds);
    printf("repetition %d: per-round A/B medians: cpu %.3f  wall %.3f   "
           "(median cpu A %.0f us, B %.0f us; %d of %d rounds with cpu)\n",
           r + 1, repCpu[r], repWall[r], median(cpuA, rounds), median(cpuB, rounds), counted, rounds);
  }
  double cpuMid = median(repCpu, reps), wallMid = median(repWall, reps);
  printf("A/B over %d repetitions of %d rounds: cpu min %.3f median %.3f max %.3f;  "
         "wall min %.3f median %.3f max %.3f\n",
         reps, rounds, repCpu[0], cpuMid, repCpu[reps - 1], repWall[0], wallMid, repWall[reps - 1]);
  printf("peak RSS per exec (median): A %.0f KiB, B %.0f KiB\n", lastRssA, lastRssB);
  printf("RESULT cpu=%.3f wall=%.3f rssA=%.0f rssB=%.0f\n", cpuMid, wallMid, lastRssA, lastRssB);
  return 0;
}
