// skynet: the "skynet" benchmark with fibers. A tree of fibers: the root stands
// for the leaves 0 .. N-1; each node makes 10 child fibers for the 10 tenths of
// its range, runs them, and adds up their results; a leaf (a range of one)
// returns its number. The sum of everything is N(N-1)/2. N is a power of ten
// (1, 10, ..., 1000000); there are (10N - 1) / 9 fibers in all.
//
// A node allocates its 10 children, resumes each one to its end, then frees
// them, so at most 10 fibers per level of the path being worked on exist at
// once (61 with the root for a million leaves), and memory stays small.
//   wasmfx cc --fiber=wasmfx examples/fibers/skynet.c -o skynet.wasm && wasmfx run skynet.wasm [N]
// N defaults to 1000; prints
//   skynet: 1000 leaves, 1111 fibers, sum 499500 ok
// (MISMATCH and exit code 1 when the sum is not N(N-1)/2).
#include <fiber.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// A node's range of leaves, and its result (64 bits: too big for a void *).
struct range {
  uint64_t first, size;
  uint64_t sum;
};

static uint64_t fibers_made, fibers_live, fibers_live_max;

static void *node(void *arg) {
  struct range *r = (struct range *)arg;
  if (r->size == 1) {
    r->sum = r->first;
    return r;
  }
  fiber_t child[10];
  struct range sub[10];
  uint64_t step = r->size / 10;
  for (int i = 0; i < 10; i++) {
    child[i] = fiber_alloc(node);
    if (child[i] == NULL) {
      fprintf(stderr, "skynet: out of memory\n");
      exit(2);
    }
    sub[i] = (struct range){r->first + (uint64_t)i * step, step, 0};
  }
  fibers_made += 10;
  fibers_live += 10;
  if (fibers_live > fibers_live_max) fibers_live_max = fibers_live;
  r->sum = 0;
  for (int i = 0; i < 10; i++) {
    fiber_result_t status;
    const struct range *done = fiber_resume(child[i], &sub[i], &status);
    if (status != FIBER_OK) {
      fprintf(stderr, "skynet: a child did not finish\n");
      exit(2);
    }
    r->sum += done->sum;
  }
  for (int i = 0; i < 10; i++) fiber_free(child[i]);
  fibers_live -= 10;
  return r;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  int levels = 0;
  long p = 1;
  while (p < n && levels < 6) {
    p *= 10;
    levels++;
  }
  if (n < 1 || p != n) {
    fprintf(stderr, "usage: skynet [N]   (N = 1, 10, 100, ..., 1000000 leaves)\n");
    return 2;
  }

  struct range root = {0, (uint64_t)n, 0};
  fiber_t f = fiber_alloc(node);
  if (f == NULL) return 2;
  fibers_made = fibers_live = fibers_live_max = 1;
  fiber_result_t status;
  fiber_resume(f, &root, &status);
  fiber_free(f);

  uint64_t expected = (uint64_t)n * (uint64_t)(n - 1) / 2;
  int ok = status == FIBER_OK && root.sum == expected && fibers_live_max <= 1 + 10 * (uint64_t)levels;
  printf("skynet: %ld leaves, %" PRIu64 " fibers, sum %" PRIu64 " %s\n", n, fibers_made, root.sum, ok ? "ok" : "MISMATCH");
  if (!ok)
    printf("  expected sum %" PRIu64 "; at most %" PRIu64 " fibers at once (allowed %d)\n", expected, fibers_live_max, 1 + 10 * levels);
  return ok ? 0 : 1;
}
