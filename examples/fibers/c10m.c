// c10m: many fibers alive at once. main creates N fibers, then resumes every
// one of them in turn, R rounds over all N; each fiber yields once per round a
// value computed from its own state (kept in its locals, across yields) and the
// round number main passes in. After the last round each fiber returns (one
// more resume each), and main frees them all. main folds every value into a
// checksum and checks it against the same computation done without fibers.
//
// Every fiber lives through the whole run, so the fibers get small shadow
// stacks (fiber_alloc_sized, 2 KiB each instead of the default 32 KiB): a
// hundred thousand fibers then take about 200 MiB.
//   wasmfx cc --fiber=wasmfx examples/fibers/c10m.c -o c10m.wasm && wasmfx run c10m.wasm [N [R]]
// N defaults to 10000 fibers, R to 10 rounds; prints
//   c10m: 10000 fibers, 10 rounds, 110000 resumes, checksum 3237542949 ok
// (MISMATCH and exit code 1 when the checksums differ).
#include <fiber.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define STACK_SIZE 2048

static uint32_t rounds;

// One step of a fiber's state: its value for the round.
static uint32_t step(uint32_t state, uint32_t round) { return state * 1103515245u + 12345u + round; }

// Fiber `id`: yields one value per round; the value of its last step is its result.
static void *worker(void *arg) {
  uint32_t id = (uint32_t)(uintptr_t)arg;
  uint32_t state = id;
  uint32_t round = 0; // the first resume passes the id; later ones pass the round
  for (uint32_t r = 0; r < rounds; r++) {
    state = step(state, round);
    round = (uint32_t)(uintptr_t)fiber_yield((void *)(uintptr_t)state);
  }
  return (void *)(uintptr_t)step(state, round);
}

// Folds one value into the checksum (order matters).
static uint32_t fold(uint32_t sum, uint32_t v) { return (sum ^ v) * 16777619u; }

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  long r = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
  if (n < 1 || n > 1000000 || r < 0 || r > 1000000) {
    fprintf(stderr, "usage: c10m [N [R]]   (1 <= N <= 1000000 fibers, 0 <= R <= 1000000 rounds)\n");
    return 2;
  }
  rounds = (uint32_t)r;

  fiber_t *fibers = (fiber_t *)malloc((size_t)n * sizeof *fibers);
  if (fibers == NULL) goto out_of_memory;
  for (long i = 0; i < n; i++)
    if ((fibers[i] = fiber_alloc_sized(worker, STACK_SIZE)) == NULL) goto out_of_memory;

  // round 0 starts each fiber with its id; round k (1 .. R) resumes it with k
  uint32_t sum = 2166136261u;
  uint64_t resumes = 0;
  int all_ok = 1;
  for (uint32_t k = 0; k <= rounds; k++) {
    for (long i = 0; i < n; i++) {
      fiber_result_t status;
      void *v = fiber_resume(fibers[i], (void *)(uintptr_t)(k == 0 ? (uint32_t)i : k), &status);
      if (status != (k < rounds ? FIBER_YIELD : FIBER_OK)) all_ok = 0;
      sum = fold(sum, (uint32_t)(uintptr_t)v);
      resumes++;
    }
  }
  for (long i = 0; i < n; i++) fiber_free(fibers[i]);
  free(fibers);

  // the same without fibers: each fiber's state in an array
  uint32_t *state = (uint32_t *)malloc((size_t)n * sizeof *state);
  if (state == NULL) goto out_of_memory;
  for (long i = 0; i < n; i++) state[i] = (uint32_t)i;
  uint32_t expected = 2166136261u;
  for (uint32_t k = 0; k <= rounds; k++)
    for (long i = 0; i < n; i++) {
      state[i] = step(state[i], k);
      expected = fold(expected, state[i]);
    }
  free(state);

  int ok = all_ok && sum == expected;
  printf("c10m: %ld fibers, %" PRIu32 " rounds, %" PRIu64 " resumes, checksum %" PRIu32 " %s\n", n, rounds, resumes, sum, ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected checksum %" PRIu32 "%s\n", expected, all_ok ? "" : "; some fiber yielded or returned at the wrong time");
  return ok ? 0 : 1;

out_of_memory:
  fprintf(stderr, "c10m: out of memory\n");
  return 2;
}
