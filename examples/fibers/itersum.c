// itersum: a generator. A fiber yields 0, 1, ..., n-1 one at a time; main
// resumes it until it returns and adds up what it yields, then checks the sum
// against a plain loop.
//   wasmfx cc --fiber=wasmfx examples/fibers/itersum.c -o itersum.wasm && wasmfx run itersum.wasm [N]
// N defaults to 1000; prints
//   itersum: n=1000 sum=499500 ok
// (MISMATCH and exit code 1 when the sums differ).
#include <fiber.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// The generator: its first resume passes n; every later resume passes nothing.
static void *count_up(void *arg) {
  uint32_t n = (uint32_t)(uintptr_t)arg;
  for (uint32_t i = 0; i < n; i++) fiber_yield((void *)(uintptr_t)i);
  return NULL; // done: fiber_resume reports FIBER_OK
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (n < 0 || n > INT32_MAX) {
    fprintf(stderr, "usage: itersum [N]   (0 <= N < 2^31)\n");
    return 2;
  }

  fiber_t gen = fiber_alloc(count_up);
  if (gen == NULL) {
    fprintf(stderr, "itersum: out of memory\n");
    return 2;
  }
  uint64_t sum = 0, yields = 0;
  fiber_result_t status;
  void *v = fiber_resume(gen, (void *)(uintptr_t)n, &status);
  while (status == FIBER_YIELD) {
    sum += (uint32_t)(uintptr_t)v;
    yields++;
    v = fiber_resume(gen, NULL, &status);
  }
  fiber_free(gen);

  uint64_t expected = 0;
  for (uint32_t i = 0; i < (uint32_t)n; i++) expected += i;
  int ok = status == FIBER_OK && sum == expected && yields == (uint64_t)n;
  printf("itersum: n=%ld sum=%" PRIu64 " %s\n", n, sum, ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected sum %" PRIu64 " from %ld yields, got %" PRIu64 " yields\n", expected, n, yields);
  return ok ? 0 : 1;
}
