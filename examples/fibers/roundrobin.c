// roundrobin: a round-robin scheduler. N tasks, each a fiber, wait in a run
// queue (first in, first out). The scheduler (main) takes the task at the
// front and resumes it; the task does one step of its work and yields back;
// the scheduler puts it at the back of the queue, or, when the task has
// finished, frees it and notes the order in which it finished. Task i has
// 1 + (7i mod 13) steps, so tasks finish at different times.
//
// Every step is logged in a checksum (which task ran, in which step); main
// checks the checksum and the finishing order against a simulation of the same
// queue without fibers.
//   wasmfx cc --fiber=wasmfx examples/fibers/roundrobin.c -o roundrobin.wasm && wasmfx run roundrobin.wasm [N]
// N defaults to 10 tasks; prints
//   roundrobin: 10 tasks, 65 steps, checksum 3034566455, finished: 0 2 4 6 8 1 3 5 7 9 ok
// (the finishing order of the first 20 tasks to finish; MISMATCH and exit code
// 1 when it or the checksum differs from the simulation).
#include <fiber.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t steps_of(uint32_t task) { return 1 + task * 7 % 13; }

// The log: every step of every task, in the order they ran.
static uint32_t checksum = 2166136261u;
static uint64_t steps;
static void log_step(uint32_t task, uint32_t step) {
  checksum = (checksum ^ (task << 8 | step)) * 16777619u;
  steps++;
}

// A task: started with its number; each step is one turn, then back to the scheduler.
static void *task(void *arg) {
  uint32_t id = (uint32_t)(uintptr_t)arg;
  for (uint32_t s = 0; s < steps_of(id); s++) {
    log_step(id, s);
    if (s + 1 < steps_of(id)) fiber_yield(NULL); // not after the last step: the task just ends
  }
  return arg; // its number, for the scheduler
}

// A run queue: a ring buffer of N entries (never more than N tasks wait).
struct queue {
  void **items;
  size_t capacity, head, count;
};

static void push(struct queue *q, void *item) {
  q->items[(q->head + q->count++) % q->capacity] = item;
}

static void *pop(struct queue *q) {
  void *item = q->items[q->head];
  q->head = (q->head + 1) % q->capacity;
  q->count--;
  return item;
}

struct entry {
  fiber_t fiber;
  uint32_t id;
  int started;
};

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
  if (n < 1 || n > 10000) { // every waiting task holds its shadow stack (32 KiB)
    fprintf(stderr, "usage: roundrobin [N]   (1 <= N <= 10000 tasks)\n");
    return 2;
  }
  struct entry *entries = (struct entry *)malloc((size_t)n * sizeof *entries);
  uint32_t *finished = (uint32_t *)malloc((size_t)n * sizeof *finished);
  struct queue q = {(void **)malloc((size_t)n * sizeof(void *)), (size_t)n, 0, 0};
  if (entries == NULL || finished == NULL || q.items == NULL) goto out_of_memory;
  for (long i = 0; i < n; i++) {
    entries[i] = (struct entry){fiber_alloc(task), (uint32_t)i, 0};
    if (entries[i].fiber == NULL) goto out_of_memory;
    push(&q, &entries[i]);
  }

  // the scheduler
  size_t done = 0;
  int all_ok = 1;
  while (q.count > 0) {
    struct entry *e = (struct entry *)pop(&q);
    fiber_result_t status;
    void *result = fiber_resume(e->fiber, e->started ? NULL : (void *)(uintptr_t)e->id, &status);
    e->started = 1;
    if (status == FIBER_YIELD) {
      push(&q, e);
    } else {
      if (status != FIBER_OK || (uint32_t)(uintptr_t)result != e->id) all_ok = 0;
      fiber_free(e->fiber);
      finished[done++] = e->id;
    }
  }
  uint32_t got_checksum = checksum;
  uint64_t got_steps = steps;

  // the same queue without fibers: a task is its number and the steps it has done
  checksum = 2166136261u;
  steps = 0;
  uint32_t *progress = (uint32_t *)calloc((size_t)n, sizeof *progress);
  if (progress == NULL) goto out_of_memory;
  q.head = q.count = 0;
  for (long i = 0; i < n; i++) push(&q, &entries[i]);
  size_t k = 0;
  while (q.count > 0) {
    struct entry *e = (struct entry *)pop(&q);
    log_step(e->id, progress[e->id]++);
    if (progress[e->id] < steps_of(e->id)) push(&q, e);
    else if (finished[k++] != e->id) all_ok = 0;
  }

  int ok = all_ok && done == (size_t)n && got_checksum == checksum && got_steps == steps;
  printf("roundrobin: %ld tasks, %" PRIu64 " steps, checksum %" PRIu32 ", finished:", n, got_steps, got_checksum);
  for (size_t i = 0; i < done && i < 20; i++) printf(" %" PRIu32, finished[i]);
  printf("%s %s\n", done > 20 ? " ..." : "", ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected %" PRIu64 " steps, checksum %" PRIu32 "\n", steps, checksum);
  free(progress);
  free(q.items);
  free(finished);
  free(entries);
  return ok ? 0 : 1;

out_of_memory:
  fprintf(stderr, "roundrobin: out of memory\n");
  return 2;
}
