// itersum_switch: the generator of itersum.c with symmetric fibers. The
// generator fiber switches to main with each of 0, 1, ..., n-1 (a pointer to
// it, since 0 is a value too), and main switches back for the next one; at the
// end the generator leaves with fiber_switch_return and NULL. main adds up the
// values and checks the sum against a plain loop.
//   wasmfx cc --fiber=wasmfx examples/fibers/itersum_switch.c -o itersum_switch.wasm && wasmfx run itersum_switch.wasm [N]
// N defaults to 1000; prints the same as itersum.c:
//   itersum: n=1000 sum=499500 ok
// (MISMATCH and exit code 1 when the sums differ).
#include <fiber_switch.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// Started by main with n; `consumer` is main, the fiber to hand each value to.
static void *count_up(void *arg, fiber_t consumer) {
  uint32_t n = (uint32_t)(uintptr_t)arg;
  for (uint32_t i = 0; i < n; i++) fiber_switch(consumer, &i, &consumer);
  fiber_switch_return(consumer, NULL); // ends this fiber: main sees NULL
}

static void *prog(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (n < 0 || n > INT32_MAX) {
    fprintf(stderr, "usage: itersum_switch [N]   (0 <= N < 2^31)\n");
    return (void *)2;
  }

  fiber_t gen = fiber_alloc(count_up);
  if (gen == NULL) {
    fprintf(stderr, "itersum_switch: out of memory\n");
    return (void *)2;
  }
  uint64_t sum = 0, yields = 0;
  fiber_t from; // the fiber that switched back (gen; NULL once it has ended)
  const uint32_t *v = fiber_switch(gen, (void *)(uintptr_t)n, &from);
  while (v != NULL) {
    sum += *v;
    yields++;
    v = fiber_switch(gen, NULL, &from);
  }
  fiber_free(gen);

  uint64_t expected = 0;
  for (uint32_t i = 0; i < (uint32_t)n; i++) expected += i;
  int ok = from == NULL && sum == expected && yields == (uint64_t)n;
  printf("itersum: n=%ld sum=%" PRIu64 " %s\n", n, sum, ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected sum %" PRIu64 " from %ld values, got %" PRIu64 " values\n", expected, n, yields);
  return (void *)(uintptr_t)(ok ? 0 : 1);
}

int main(int argc, char **argv) { return (int)(uintptr_t)fiber_main(prog, argc, argv); }
