/* fiber.h on Binaryen's Asyncify: a yield unwinds the fiber's Wasm stack into
 * an Asyncify buffer (its locals and call sites), a resume rewinds it by
 * calling the entry function again. Asyncify does not instrument functions
 * that call its primitives (fiber_yield, fiber_resume): fiber_yield is called
 * again by its rewound caller and then returns the resume's argument.
 *
 * One allocation per fiber serves as both its shadow stack (growing down from
 * the top) and its Asyncify buffer (growing up from the bottom, only while
 * the fiber is suspended, up to where the shadow stack then ends). */
#include "fiber.h"
#include "common/fiber_internal.h"
#include "common/asyncify.h"

typedef enum { FRESH, SUSPENDED, RUNNING, REWINDING, DONE } fiber_state_t;

struct fiber {
  struct asyncify_data data;
  fiber_entry_point_t entry;
  fiber_state_t state;
  struct fiber_stack stack;
  void *value; /* the value passed by yield (out) or resume (in) */
};

static fiber_t current; /* the running fiber; NULL on the main stack */

void fiber_init(void) {}
void fiber_finalize(void) {}

fiber_t fiber_alloc_sized(fiber_entry_point_t entry, size_t stack_size) {
  fiber_t f = (fiber_t)malloc(sizeof(struct fiber));
  if (f == NULL) return NULL;
  f->entry = entry;
  f->state = FRESH;
  fiber_stack_init(&f->stack, stack_size);
  f->value = NULL;
  return f;
}

fiber_t fiber_alloc(fiber_entry_point_t entry) { return fiber_alloc_sized(entry, 0); }

void fiber_free(fiber_t f) {
  if (f == NULL) return;
  if (f->state == RUNNING || f->state == REWINDING) fiber_misuse("fiber_free", "the fiber is running");
  fiber_stack_release(&f->stack);
  free(f);
}

__attribute__((noinline)) void *fiber_yield(void *arg) {
  fiber_t f = current;
  if (f == NULL) fiber_misuse("fiber_yield", "called outside of a fiber");
  if (f->state == REWINDING) {
    /* called again by the rewound caller: the yield is over */
    asyncify_stop_rewind();
    f->state = RUNNING;
    return f->value;
  }
  f->value = arg;
  f->state = SUSPENDED;
  f->data.pos = (uintptr_t)f->stack.base; /* rewinding pops it back to here */
  f->data.end = __fiber_get_sp() & ~(uintptr_t)3; /* up to this frame: the frames above stay on the shadow stack */
  asyncify_start_unwind(&f->data);
  return NULL; /* not seen: the callers unwind */
}

__attribute__((noinline)) void *fiber_resume(fiber_t f, void *arg, fiber_result_t *status) {
  if (f == NULL || f->state == DONE || f->state == RUNNING || f->state == REWINDING) {
    if (status) *status = FIBER_ERROR;
    return NULL;
  }
  if (!fiber_stack_ready(&f->stack)) {
    if (status) *status = FIBER_ERROR;
    return NULL;
  }
  fiber_t resumer = current;
  struct fiber_stack mine;
  fiber_stack_save(&mine);
  current = f;
  fiber_stack_enter(&f->stack);
  if (f->state == SUSPENDED) {
    f->value = arg;
    f->state = REWINDING;
    asyncify_start_rewind(&f->data);
  } else {
    f->state = RUNNING;
  }
  void *result = f->entry(arg);
  if (f->state == SUSPENDED) {
    asyncify_stop_unwind();
    f->stack.sp = __fiber_get_sp();
  }
  fiber_stack_enter(&mine);
  current = resumer;
  if (f->state == SUSPENDED) {
    if (status) *status = FIBER_YIELD;
    return f->value;
  }
  f->state = DONE;
  fiber_stack_release(&f->stack);
  if (status) *status = FIBER_OK;
  return result;
}
