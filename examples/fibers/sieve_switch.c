// sieve_switch: the prime sieve of sieve.c as a pipeline of symmetric fibers,
// pushing instead of pulling. The generator switches to the first filter with
// 2, 3, 4, ...; a filter for the prime p forwards a number to the next stage
// when p does not divide it, and otherwise drops it by switching straight back
// to the generator for the next number. A number that passes every filter
// reaches main: it is a prime, and main appends a filter for it. Control goes
// directly from stage to stage: no stage waits for another to return (in
// sieve.c a number goes through a chain of nested resumes and yields).
// main stops at the first prime >= N and checks the count of primes below N
// and the last one against a plain sieve of Eratosthenes.
//   wasmfx cc --fiber=wasmfx examples/fibers/sieve_switch.c -o sieve_switch.wasm && wasmfx run sieve_switch.wasm [N]
// N defaults to 1000; prints the same as sieve.c:
//   sieve: primes below 1000: 168, the last 997 ok
// (MISMATCH and exit code 1 when the pipeline and the plain sieve differ).
#include <fiber_switch.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// The pipeline: generator -> filter(2) -> filter(3) -> filter(5) -> ... -> main
struct filter {
  fiber_t fiber;
  uint32_t prime;
};
static struct filter *filters; // in order
static size_t count, capacity;
static fiber_t generator, main_fiber;

// Where a number goes after the k-th filter (k = -1: after the generator).
static fiber_t after(long k) { return (size_t)(k + 1) < count ? filters[k + 1].fiber : main_fiber; }

// Started by main; switches to the first stage with every number from 2 up, and
// is switched back to whenever a number is dropped or main has taken a prime.
static void *generate(void *arg, fiber_t from) {
  (void)arg;
  main_fiber = from;
  for (uint32_t n = 2;; n++) fiber_switch(after(-1), (void *)(uintptr_t)n, NULL);
}

// Filter k: started by main with its index; from then on switched to with numbers.
static void *filter(void *arg, fiber_t from) {
  (void)from;
  long k = (long)(intptr_t)arg;
  uint32_t p = filters[k].prime;
  uint32_t n = (uint32_t)(uintptr_t)fiber_switch(generator, NULL, NULL); // started: let the generator go on
  for (;;) {
    if (n % p == 0) n = (uint32_t)(uintptr_t)fiber_switch(generator, NULL, NULL); // dropped
    else n = (uint32_t)(uintptr_t)fiber_switch(after(k), (void *)(uintptr_t)n, NULL); // passed on
  }
}

// The primes below `limit` without fibers: how many, and the last one.
static uint32_t plain_sieve(uint32_t limit, uint32_t *last) {
  char *composite = (char *)calloc(limit, 1);
  if (composite == NULL) exit(2);
  uint32_t primes = 0;
  for (uint32_t i = 2; i < limit; i++) {
    if (composite[i]) continue;
    primes++;
    *last = i;
    for (uint64_t j = (uint64_t)i * i; j < limit; j += i) composite[j] = 1;
  }
  free(composite);
  return primes;
}

static void *prog(int argc, char **argv) {
  long limit = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (limit < 2 || limit > 1000000) {
    fprintf(stderr, "usage: sieve_switch [N]   (2 <= N <= 1000000)\n");
    return (void *)2;
  }

  if ((generator = fiber_alloc(generate)) == NULL) goto out_of_memory;
  // the first number to reach main is 2; then every number that passes all the filters
  uint32_t p = (uint32_t)(uintptr_t)fiber_switch(generator, NULL, NULL), last_prime = 0;
  while (p < (uint32_t)limit) {
    last_prime = p;
    if (count == capacity) {
      capacity = capacity == 0 ? 64 : 2 * capacity;
      filters = (struct filter *)realloc(filters, capacity * sizeof *filters);
      if (filters == NULL) goto out_of_memory;
    }
    filters[count] = (struct filter){fiber_alloc(filter), p};
    if (filters[count].fiber == NULL) goto out_of_memory;
    count++;
    p = (uint32_t)(uintptr_t)fiber_switch(filters[count - 1].fiber, (void *)(intptr_t)(count - 1), NULL);
  }
  // every other fiber is suspended: free them all
  for (size_t k = 0; k < count; k++) fiber_free(filters[k].fiber);
  fiber_free(generator);
  free(filters);

  uint32_t expected_last = 0, expected = plain_sieve((uint32_t)limit, &expected_last);
  int ok = count == expected && last_prime == expected_last;
  printf("sieve: primes below %ld: %zu, the last %" PRIu32 " %s\n", limit, count, last_prime, ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected %" PRIu32 ", the last %" PRIu32 "\n", expected, expected_last);
  return (void *)(uintptr_t)(ok ? 0 : 1);

out_of_memory:
  fprintf(stderr, "sieve_switch: out of memory\n");
  return (void *)2;
}

int main(int argc, char **argv) { return (int)(uintptr_t)fiber_main(prog, argc, argv); }
