// churn: fibers created and freed one after another, N of them, to show that
// memory stays flat. Fiber i yields 1 + (i mod 3) values and returns one; what
// becomes of it depends on i mod 6:
//   0..3  main resumes it to its end, then frees it;
//   4     main resumes it once and frees it while it is suspended;
//   5     main frees it without ever running it.
// main folds every value it receives into a checksum, checked against the same
// computation without fibers, and compares the end of the heap (sbrk(0)) after
// the first 1000 fibers with the one at the end: they must be equal.
//   wasmfx cc --fiber=wasmfx examples/fibers/churn.c -o churn.wasm && wasmfx run churn.wasm [N]
// N defaults to 100000; prints
//   churn: 100000 fibers (66668 finished, 16666 freed suspended, 16666 never run), checksum 330362303, memory flat ok
// (MISMATCH and exit code 1 when the checksums differ or the heap grew).
#include <fiber.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint32_t yields_of(uint32_t i) { return 1 + i % 3; }
static uint32_t value(uint32_t i, uint32_t k) { return i * 31 + k; } // the k-th value of fiber i
static uint32_t fold(uint32_t sum, uint32_t v) { return (sum ^ v) * 16777619u; }

static void *body(void *arg) {
  uint32_t i = (uint32_t)(uintptr_t)arg;
  uint32_t k = 0;
  for (; k < yields_of(i); k++) fiber_yield((void *)(uintptr_t)value(i, k));
  return (void *)(uintptr_t)value(i, k);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
  if (n < 0 || n > 100000000) {
    fprintf(stderr, "usage: churn [N]   (0 <= N <= 100000000)\n");
    return 2;
  }

  uint32_t sum = 2166136261u;
  long finished = 0, suspended = 0, never_run = 0;
  int all_ok = 1;
  uintptr_t heap_early = (uintptr_t)sbrk(0);
  for (long i = 0; i < n; i++) {
    if (i == 1000) heap_early = (uintptr_t)sbrk(0);
    fiber_t f = fiber_alloc(body);
    if (f == NULL) {
      fprintf(stderr, "churn: out of memory after %ld fibers\n", i);
      return 2;
    }
    fiber_result_t status = FIBER_YIELD;
    void *v;
    switch (i % 6) {
    case 4: // once, then freed while suspended
      v = fiber_resume(f, (void *)(uintptr_t)i, &status);
      if (status != FIBER_YIELD) all_ok = 0;
      sum = fold(sum, (uint32_t)(uintptr_t)v);
      suspended++;
      break;
    case 5: // never run
      never_run++;
      break;
    default: // to the end
      for (void *arg = (void *)(uintptr_t)i; status == FIBER_YIELD; arg = NULL) {
        v = fiber_resume(f, arg, &status);
        sum = fold(sum, (uint32_t)(uintptr_t)v);
      }
      if (status != FIBER_OK) all_ok = 0;
      finished++;
    }
    fiber_free(f);
  }
  uintptr_t heap_end = (uintptr_t)sbrk(0);

  uint32_t expected = 2166136261u;
  for (long i = 0; i < n; i++) {
    uint32_t u = (uint32_t)i;
    if (i % 6 == 4) expected = fold(expected, value(u, 0));
    else if (i % 6 != 5)
      for (uint32_t k = 0; k <= yields_of(u); k++) expected = fold(expected, value(u, k));
  }

  int flat = heap_end == heap_early;
  int ok = all_ok && flat && sum == expected;
  printf("churn: %ld fibers (%ld finished, %ld freed suspended, %ld never run), checksum %" PRIu32 ", memory %s %s\n", n, finished,
         suspended, never_run, sum, flat ? "flat" : "grew", ok ? "ok" : "MISMATCH");
  if (!ok)
    printf("  expected checksum %" PRIu32 "; the heap ended at %" PRIuPTR " KiB, after 1000 fibers at %" PRIuPTR " KiB\n", expected,
           heap_end / 1024, heap_early / 1024);
  return ok ? 0 : 1;
}
