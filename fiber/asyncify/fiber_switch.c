/* fiber_switch.h on Binaryen's Asyncify. fiber_main is a scheduler loop: it
 * runs one fiber at a time by calling its entry function (again, to rewind
 * it, when the fiber is suspended); fiber_switch unwinds the running fiber
 * and names the next. Asyncify does not instrument functions that call its
 * primitives (fiber_switch, fiber_main): fiber_switch is called again by its
 * rewound caller and then returns the argument of the switch that came back.
 *
 * A fiber's one allocation is both its shadow stack (down from the top) and
 * its Asyncify buffer (up from the bottom while it is suspended, up to where
 * its shadow stack then ends); the first fiber runs on the main C stack and
 * has a buffer of its own. */
#include "fiber_switch.h"
#include "common/fiber_internal.h"
#include "common/first_fiber.h"
#include "common/asyncify.h"

typedef enum { FRESH, SUSPENDED, RUNNING, REWINDING, ENDING, DONE } fiber_state_t;

struct fiber {
  struct asyncify_data data;
  fiber_entry_point_t entry;
  fiber_state_t state;
  struct fiber_stack stack;
  char *buffer;     /* the Asyncify buffer of the fiber on the main stack */
  void *arg;        /* the argument of the switch to this fiber */
  fiber_t from;     /* and its source (NULL after fiber_switch_return) */
  fiber_t next;     /* where this fiber switches to */
};

static fiber_t current; /* the running fiber; NULL outside fiber_main */

fiber_t fiber_alloc_sized(fiber_entry_point_t entry, size_t stack_size) {
  fiber_t f = (fiber_t)malloc(sizeof(struct fiber));
  if (f == NULL) return NULL;
  f->entry = entry;
  f->state = FRESH;
  fiber_stack_init(&f->stack, stack_size);
  f->buffer = NULL;
  f->arg = NULL;
  f->from = f->next = NULL;
  return f;
}

fiber_t fiber_alloc(fiber_entry_point_t entry) { return fiber_alloc_sized(entry, 0); }

void fiber_free(fiber_t f) {
  if (f == NULL) return;
  if (f == current) fiber_misuse("fiber_free", "the fiber is running");
  fiber_stack_release(&f->stack);
  free(f->buffer);
  free(f);
}

static void check_target(fiber_t target, const char *name) {
  if (current == NULL) fiber_misuse(name, "called outside fiber_main");
  if (target == NULL) fiber_misuse(name, "the target fiber is NULL");
  if (target == current) fiber_misuse(name, "a fiber cannot switch to itself");
  if (target->state == DONE || target->state == ENDING) fiber_misuse(name, "the target fiber has finished");
}

/* Unwinds the running fiber into its buffer, back to fiber_main, which runs `next`. */
static void unwind_to(fiber_t next, fiber_state_t state) {
  fiber_t f = current;
  f->next = next;
  f->state = state;
  if (f->stack.on_main_stack) {
    f->data.pos = (uintptr_t)f->buffer;
    f->data.end = (uintptr_t)f->buffer + FIBER_STACK_SIZE;
  } else {
    f->data.pos = (uintptr_t)f->stack.base;
    f->data.end = __fiber_get_sp() & ~(uintptr_t)3;
  }
  asyncify_start_unwind(&f->data);
}

__attribute__((noinline)) void *fiber_switch(fiber_t target, void *arg, volatile fiber_t *switched_from) {
  fiber_t f = current;
  if (f != NULL && f->state == REWINDING) {
    /* called again by the rewound caller: the switch back has happened */
    asyncify_stop_rewind();
    f->state = RUNNING;
    if (switched_from) *switched_from = f->from;
    return f->arg;
  }
  check_target(target, "fiber_switch");
  target->arg = arg;
  target->from = f;
  unwind_to(target, SUSPENDED);
  return NULL; /* not seen: the callers unwind */
}

__attribute__((noinline)) static void switch_return(fiber_t target, void *arg) {
  check_target(target, "fiber_switch_return");
  target->arg = arg;
  target->from = NULL;
  unwind_to(target, ENDING);
}

void fiber_switch_return(fiber_t target, void *arg) {
  /* returns (into the unwinding caller) although declared noreturn: Asyncify
   * instruments this function, and its check after the call leaves first */
  switch_return(target, arg);
  __builtin_unreachable();
}

__attribute__((noinline)) void *fiber_main(void *(*main)(int, char **), int argc, char **argv) {
  if (current != NULL) fiber_misuse("fiber_main", "called inside fiber_main");
  fiber_t first = first_fiber_alloc(main, argc, argv);
  if (first == NULL) fiber_misuse("fiber_main", "out of memory");
  first->buffer = (char *)malloc(FIBER_STACK_SIZE);
  if (first->buffer == NULL) fiber_misuse("fiber_main", "out of memory");
  struct fiber_stack mine;
  fiber_stack_save(&mine);
  first->stack.on_main_stack = 1; /* below this frame, leaving room for the scheduler's own calls */
  first->stack.sp = (mine.sp - FIBER_MAIN_RESERVE) & ~(uintptr_t)15;
  first->stack.limit = mine.limit;
  fiber_t f = first;
  void *result;
  for (;;) {
    if (!fiber_stack_ready(&f->stack)) fiber_misuse("fiber_switch", "out of memory for the target's stack");
    current = f;
    fiber_stack_enter(&f->stack);
    if (f->state == SUSPENDED) {
      f->state = REWINDING;
      asyncify_start_rewind(&f->data);
    } else {
      f->state = RUNNING;
    }
    result = f->entry(f->arg, f->from);
    if (f->state == SUSPENDED || f->state == ENDING) {
      asyncify_stop_unwind();
      f->stack.sp = __fiber_get_sp();
    }
    fiber_stack_enter(&mine);
    if (f->state == SUSPENDED) {
      f = f->next;
      continue;
    }
    fiber_t next = f->next;
    int ended = f->state == ENDING;
    f->state = DONE;
    fiber_stack_release(&f->stack);
    if (!ended) break;
    f = next;
  }
  current = NULL;
  fiber_free(first);
  return result;
}
