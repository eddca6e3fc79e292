// roundrobin_switch: the round-robin scheduling of roundrobin.c with
// symmetric fibers and no scheduler fiber. N tasks wait in a run queue (first
// in, first out); a task that has done one step of its work puts itself at the
// back of the queue and switches directly to the task at the front. A task that
// has finished notes the order and ends with fiber_switch_return to the front
// task, or to main when the queue is empty. Task i has 1 + (7i mod 13) steps.
//
// Every step is logged in a checksum (which task ran, in which step); main
// checks the checksum and the finishing order against a simulation of the same
// queue without fibers. The order is the same as with roundrobin.c's scheduler.
//   wasmfx cc --fiber=wasmfx examples/fibers/roundrobin_switch.c -o roundrobin_switch.wasm && wasmfx run roundrobin_switch.wasm [N]
// N defaults to 10 tasks; prints the same as roundrobin.c:
//   roundrobin: 10 tasks, 65 steps, checksum 3034566455, finished: 0 2 4 6 8 1 3 5 7 9 ok
// (the finishing order of the first 20 tasks to finish; MISMATCH and exit code
// 1 when it or the checksum differs from the simulation).
#include <fiber_switch.h>
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

struct task {
  fiber_t fiber;
  uint32_t id;
};

// The run queue: a ring buffer of N entries (never more than N tasks wait).
static struct {
  struct task **items;
  size_t capacity, head, count;
} queue;

static void push(struct task *t) { queue.items[(queue.head + queue.count++) % queue.capacity] = t; }

static struct task *pop(void) {
  struct task *t = queue.items[queue.head];
  queue.head = (queue.head + 1) % queue.capacity;
  queue.count--;
  return t;
}

static fiber_t main_fiber; // where the last task to finish goes
static uint32_t *finished; // the order tasks finished in
static size_t done;

// A task: every switch to it passes its own entry (only the first one is used).
static void *task(void *arg, fiber_t from) {
  struct task *self = (struct task *)arg;
  if (main_fiber == NULL) main_fiber = from; // the first task to run is started by main
  for (uint32_t s = 0; s < steps_of(self->id); s++) {
    log_step(self->id, s);
    if (s + 1 == steps_of(self->id)) break; // the last step: the task ends
    push(self);
    struct task *next = pop();
    if (next != self) fiber_switch(next->fiber, next, NULL); // (alone in the queue: just go on)
  }
  finished[done++] = self->id;
  if (queue.count == 0) fiber_switch_return(main_fiber, NULL);
  struct task *next = pop();
  fiber_switch_return(next->fiber, next);
}

static void *prog(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
  if (n < 1 || n > 10000) { // every waiting task holds its shadow stack (32 KiB)
    fprintf(stderr, "usage: roundrobin_switch [N]   (1 <= N <= 10000 tasks)\n");
    return (void *)2;
  }
  struct task *tasks = (struct task *)malloc((size_t)n * sizeof *tasks);
  finished = (uint32_t *)malloc((size_t)n * sizeof *finished);
  queue.items = (struct task **)malloc((size_t)n * sizeof *queue.items);
  queue.capacity = (size_t)n;
  if (tasks == NULL || finished == NULL || queue.items == NULL) goto out_of_memory;
  for (long i = 0; i < n; i++) {
    tasks[i] = (struct task){fiber_alloc(task), (uint32_t)i};
    if (tasks[i].fiber == NULL) goto out_of_memory;
    push(&tasks[i]);
  }

  // start the first task; the last one to finish comes back here (from NULL: it has ended)
  struct task *first = pop();
  fiber_t from;
  fiber_switch(first->fiber, first, &from);
  for (long i = 0; i < n; i++) fiber_free(tasks[i].fiber);
  uint32_t got_checksum = checksum;
  uint64_t got_steps = steps;

  // the same queue without fibers: a task is its number and the steps it has done
  checksum = 2166136261u;
  steps = 0;
  uint32_t *progress = (uint32_t *)calloc((size_t)n, sizeof *progress);
  if (progress == NULL) goto out_of_memory;
  int order_ok = 1;
  size_t k = 0;
  queue.head = queue.count = 0;
  for (long i = 0; i < n; i++) push(&tasks[i]);
  while (queue.count > 0) {
    struct task *t = pop();
    log_step(t->id, progress[t->id]++);
    if (progress[t->id] < steps_of(t->id)) push(t);
    else if (k >= done || finished[k++] != t->id) order_ok = 0;
  }

  int ok = from == NULL && order_ok && done == (size_t)n && got_checksum == checksum && got_steps == steps;
  printf("roundrobin: %ld tasks, %" PRIu64 " steps, checksum %" PRIu32 ", finished:", n, got_steps, got_checksum);
  for (size_t i = 0; i < done && i < 20; i++) printf(" %" PRIu32, finished[i]);
  printf("%s %s\n", done > 20 ? " ..." : "", ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected %" PRIu64 " steps, checksum %" PRIu32 "\n", steps, checksum);
  free(progress);
  free(queue.items);
  free(finished);
  free(tasks);
  return (void *)(uintptr_t)(ok ? 0 : 1);

out_of_memory:
  fprintf(stderr, "roundrobin_switch: out of memory\n");
  return (void *)2;
}

int main(int argc, char **argv) { return (int)(uintptr_t)fiber_main(prog, argc, argv); }
