/* fiber.h on WasmFX: every fiber is a continuation (fiber.wat: cont.new,
 * resume, suspend) kept in a table slot, with a shadow stack of its own that
 * is switched in and out around each resume. */
#include "fiber.h"
#include "common/fiber_internal.h"
#include "common/slots.h"

#define WASMFX(NAME) __attribute__((import_module("wasmfx_fiber"), import_name("__wasmfx_fiber_" NAME)))
WASMFX("new") void wasmfx_fiber_new(uint32_t slot);
WASMFX("drop") void wasmfx_fiber_drop(uint32_t slot);
/* ends a suspended fiber: its stack unwinds (an exception no C frame catches), so the engine frees it */
WASMFX("cancel") void wasmfx_fiber_cancel(uint32_t slot);
/* 1: the fiber yielded, 0: it returned; the value is wasmfx_fiber_payload() */
WASMFX("resume") uint32_t wasmfx_fiber_resume(uint32_t slot, void *arg);
WASMFX("payload") void *wasmfx_fiber_payload(void);
WASMFX("suspend") void *wasmfx_fiber_suspend(void *arg);

typedef enum { FRESH, SUSPENDED, RUNNING, DONE } fiber_state_t;

struct fiber {
  fiber_entry_point_t entry;
  uint32_t slot;
  fiber_state_t state;
  struct fiber_stack stack;
};

static fiber_t current; /* the running fiber; NULL on the main stack */

void fiber_init(void) {}
void fiber_finalize(void) {}

fiber_t fiber_alloc_sized(fiber_entry_point_t entry, size_t stack_size) {
  fiber_t f = (fiber_t)malloc(sizeof(struct fiber));
  if (f == NULL) return NULL;
  uint32_t slot = slot_take();
  if (slot == 0) { free(f); return NULL; }
  f->entry = entry;
  f->slot = slot;
  f->state = FRESH;
  fiber_stack_init(&f->stack, stack_size);
  return f; /* its continuation is made by the first resume: a fiber never run costs the engine nothing */
}

fiber_t fiber_alloc(fiber_entry_point_t entry) { return fiber_alloc_sized(entry, 0); }

void fiber_free(fiber_t f) {
  if (f == NULL) return;
  if (f->state == RUNNING) fiber_misuse("fiber_free", "the fiber is running");
  /* A suspended continuation is ended rather than dropped: V8's WasmFX keeps the stack of a
   * dropped one until it runs out of memory (some 30,000 of them). */
  if (f->state == SUSPENDED) wasmfx_fiber_cancel(f->slot);
  wasmfx_fiber_drop(f->slot);
  slot_give(f->slot);
  fiber_stack_release(&f->stack);
  free(f);
}

/* The body of every continuation (fiber.wat calls it): runs the entry of the fiber being resumed. */
__attribute__((export_name("__wasmfx_fiber_run")))
void *__wasmfx_fiber_run(void *arg) { return current->entry(arg); }

void *fiber_yield(void *arg) {
  if (current == NULL) fiber_misuse("fiber_yield", "called outside of a fiber");
  return wasmfx_fiber_suspend(arg);
}

void *fiber_resume(fiber_t f, void *arg, fiber_result_t *status) {
  if (f == NULL || f->state == DONE || f->state == RUNNING) {
    if (status) *status = FIBER_ERROR;
    return NULL;
  }
  if (!fiber_stack_ready(&f->stack)) {
    if (status) *status = FIBER_ERROR;
    return NULL;
  }
  if (f->state == FRESH) wasmfx_fiber_new(f->slot);
  fiber_t resumer = current;
  struct fiber_stack mine;
  fiber_stack_save(&mine);
  current = f;
  f->state = RUNNING;
  fiber_stack_enter(&f->stack);
  uint32_t yielded = wasmfx_fiber_resume(f->slot, arg);
  f->stack.sp = __fiber_get_sp();
  fiber_stack_enter(&mine);
  current = resumer;
  if (yielded) {
    f->state = SUSPENDED;
  } else {
    f->state = DONE;
    fiber_stack_release(&f->stack); /* done: its stack is garbage now, not only at fiber_free */
  }
  if (status) *status = yielded ? FIBER_YIELD : FIBER_OK;
  return wasmfx_fiber_payload();
}
