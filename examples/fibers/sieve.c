// sieve: the prime sieve as a pipeline of fibers. A generator fiber yields
// 2, 3, 4, ...; main pulls numbers from the last stage of the pipeline. The
// first number to come out of the pipeline is a prime p: main appends a filter
// fiber for p, which pulls from the stage before it (by resuming it) and yields
// only the numbers p does not divide. So a number travels through a chain of
// nested resumes, one per prime below it, and fibers resume other fibers.
// main stops at the first prime >= N and checks the count of primes below N
// and the last one against a plain sieve of Eratosthenes.
//   wasmfx cc --fiber=wasmfx examples/fibers/sieve.c -o sieve.wasm && wasmfx run sieve.wasm [N]
// N defaults to 1000; prints
//   sieve: primes below 1000: 168, the last 997 ok
// (MISMATCH and exit code 1 when the pipeline and the plain sieve differ).
#include <fiber.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// What a filter is started with (it copies them on its first resume).
struct filter_args {
  fiber_t source; // the stage before it
  uint32_t prime;
};

static void *generate(void *arg) {
  (void)arg;
  for (uint32_t n = 2;; n++) fiber_yield((void *)(uintptr_t)n);
}

// Never finishes: main frees it while it is suspended.
static void *filter(void *arg) {
  const struct filter_args a = *(const struct filter_args *)arg;
  for (;;) {
    uint32_t n = (uint32_t)(uintptr_t)fiber_resume(a.source, NULL, NULL);
    if (n % a.prime != 0) fiber_yield((void *)(uintptr_t)n);
  }
}

// The primes below `limit` without fibers: how many, and the last one.
static uint32_t plain_sieve(uint32_t limit, uint32_t *last) {
  char *composite = (char *)calloc(limit, 1);
  if (composite == NULL) exit(2);
  uint32_t count = 0;
  for (uint32_t i = 2; i < limit; i++) {
    if (composite[i]) continue;
    count++;
    *last = i;
    for (uint64_t j = (uint64_t)i * i; j < limit; j += i) composite[j] = 1;
  }
  free(composite);
  return count;
}

int main(int argc, char **argv) {
  long limit = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (limit < 2 || limit > 1000000) {
    fprintf(stderr, "usage: sieve [N]   (2 <= N <= 1000000)\n");
    return 2;
  }

  // every fiber of the pipeline, to free them at the end: the generator first
  size_t count = 0, cap = 64;
  fiber_t *fibers = (fiber_t *)malloc(cap * sizeof *fibers);
  if (fibers == NULL || (fibers[0] = fiber_alloc(generate)) == NULL) goto out_of_memory;
  fiber_t last = fibers[0];
  struct filter_args args;
  void *start = NULL; // the argument of the next resume: a new filter's arguments
  uint32_t p, last_prime = 0;
  while ((p = (uint32_t)(uintptr_t)fiber_resume(last, start, NULL)) < (uint32_t)limit) {
    // p passed every filter: a prime. Append its filter.
    count++;
    last_prime = p;
    if (count == cap) {
      cap *= 2;
      fibers = (fiber_t *)realloc(fibers, cap * sizeof *fibers);
      if (fibers == NULL) goto out_of_memory;
    }
    if ((fibers[count] = fiber_alloc(filter)) == NULL) goto out_of_memory;
    args = (struct filter_args){last, p};
    start = &args;
    last = fibers[count];
  }
  for (size_t k = 0; k <= count; k++) fiber_free(fibers[k]);
  free(fibers);

  uint32_t expected_last = 0, expected = plain_sieve((uint32_t)limit, &expected_last);
  int ok = count == expected && last_prime == expected_last;
  printf("sieve: primes below %ld: %zu, the last %" PRIu32 " %s\n", limit, count, last_prime, ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected %" PRIu32 ", the last %" PRIu32 "\n", expected, expected_last);
  return ok ? 0 : 1;

out_of_memory:
  fprintf(stderr, "sieve: out of memory\n");
  return 2;
}
