/* fiber_switch.h on WasmFX: every fiber is a continuation in a table slot
 * (fiber_switch.wat), fibers pass control with `switch`, and fiber_main runs
 * them under one handler that catches returns and fiber_switch_return. Each
 * fiber has its own shadow stack; whoever switches to a fiber installs it. */
#include "fiber_switch.h"
#include "common/fiber_internal.h"
#include "common/first_fiber.h"
#include "common/slots.h"

#define WASMFX(NAME) __attribute__((import_module("wasmfx_fiber"), import_name("__wasmfx_fiber_" NAME)))
WASMFX("new") void wasmfx_fiber_new(uint32_t slot);
WASMFX("drop") void wasmfx_fiber_drop(uint32_t slot);
/* ends a suspended fiber: its stack unwinds (an exception no C frame catches), so the engine frees it */
WASMFX("cancel") void wasmfx_fiber_cancel(uint32_t slot);
WASMFX("switch") void *wasmfx_fiber_switch(uint32_t target, void *arg, uint32_t self);
WASMFX("from") uint32_t wasmfx_fiber_from(void);
WASMFX("payload") void *wasmfx_fiber_payload(void);
WASMFX("target") uint32_t wasmfx_fiber_target(void);
/* 0: a fiber returned; 1: one ended with fiber_switch_return */
WASMFX("run") uint32_t wasmfx_fiber_run(uint32_t slot, void *arg);
WASMFX("end") __attribute__((noreturn)) void wasmfx_fiber_end(uint32_t target, void *arg);

typedef enum { FRESH, SUSPENDED, RUNNING, DONE } fiber_state_t;

struct fiber {
  fiber_entry_point_t entry;
  uint32_t slot;
  fiber_state_t state;
  struct fiber_stack stack;
};

static fiber_t current;       /* the running fiber; NULL outside fiber_main */
static fiber_t *slot_fibers;  /* slot -> fiber */
static uint32_t slot_fibers_capacity;

static fiber_t fiber_of(uint32_t slot) { return slot == 0 || slot >= slot_fibers_capacity ? NULL : slot_fibers[slot]; }

fiber_t fiber_alloc_sized(fiber_entry_point_t entry, size_t stack_size) {
  fiber_t f = (fiber_t)malloc(sizeof(struct fiber));
  if (f == NULL) return NULL;
  uint32_t slot = slot_take();
  if (slot == 0) { free(f); return NULL; }
  if (slot >= slot_fibers_capacity) {
    uint32_t cap = slot_fibers_capacity < 64 ? 64 : slot_fibers_capacity;
    while (cap <= slot) cap *= 2;
    fiber_t *grown = (fiber_t *)realloc(slot_fibers, cap * sizeof(fiber_t));
    if (grown == NULL) { slot_give(slot); free(f); return NULL; }
    for (uint32_t i = slot_fibers_capacity; i < cap; i++) grown[i] = NULL;
    slot_fibers = grown;
    slot_fibers_capacity = cap;
  }
  slot_fibers[slot] = f;
  f->entry = entry;
  f->slot = slot;
  f->state = FRESH;
  fiber_stack_init(&f->stack, stack_size);
  return f; /* its continuation is made when it is first switched to: a fiber never run costs the engine nothing */
}

fiber_t fiber_alloc(fiber_entry_point_t entry) { return fiber_alloc_sized(entry, 0); }

void fiber_free(fiber_t f) {
  if (f == NULL) return;
  if (f == current) fiber_misuse("fiber_free", "the fiber is running");
  /* A suspended continuation is ended rather than dropped: V8's WasmFX keeps the stack of a
   * dropped one until it runs out of memory (some 30,000 of them). */
  if (f->state == SUSPENDED) wasmfx_fiber_cancel(f->slot);
  wasmfx_fiber_drop(f->slot);
  slot_fibers[f->slot] = NULL;
  slot_give(f->slot);
  fiber_stack_release(&f->stack);
  free(f);
}

/* The target of a switch: a live fiber other than the running one, with a stack. */
static void check_target(fiber_t target, const char *name) {
  if (current == NULL) fiber_misuse(name, "called outside fiber_main");
  if (target == NULL) fiber_misuse(name, "the target fiber is NULL");
  if (target == current) fiber_misuse(name, "a fiber cannot switch to itself");
  if (target->state == DONE) fiber_misuse(name, "the target fiber has finished");
  if (!fiber_stack_ready(&target->stack)) fiber_misuse(name, "out of memory for the target's stack");
  if (target->state == FRESH) wasmfx_fiber_new(target->slot);
}

/* The body of every continuation (fiber_switch.wat calls it). */
__attribute__((export_name("__wasmfx_fiber_start")))
void *__wasmfx_fiber_start(void *arg) { return current->entry(arg, fiber_of(wasmfx_fiber_from())); }

void *fiber_switch(fiber_t target, void *arg, volatile fiber_t *switched_from) {
  check_target(target, "fiber_switch");
  fiber_t self = current;
  fiber_stack_save(&self->stack);
  self->state = SUSPENDED;
  current = target;
  target->state = RUNNING;
  fiber_stack_enter(&target->stack);
  void *result = wasmfx_fiber_switch(target->slot, arg, self->slot);
  /* back: the fiber that switched here made us current and installed our stack */
  if (switched_from) *switched_from = fiber_of(wasmfx_fiber_from());
  return result;
}

void fiber_switch_return(fiber_t target, void *arg) {
  check_target(target, "fiber_switch_return");
  current->state = DONE; /* its stack is freed by the scheduler, once off it */
  wasmfx_fiber_end(target->slot, arg);
}

void *fiber_main(void *(*main)(int, char **), int argc, char **argv) {
  if (current != NULL) fiber_misuse("fiber_main", "called inside fiber_main");
  fiber_t first = first_fiber_alloc(main, argc, argv);
  if (first == NULL) fiber_misuse("fiber_main", "out of memory");
  struct fiber_stack mine;
  fiber_stack_save(&mine);
  first->stack.on_main_stack = 1; /* below this frame, leaving room for the scheduler's own calls */
  first->stack.sp = (mine.sp - FIBER_MAIN_RESERVE) & ~(uintptr_t)15;
  first->stack.limit = mine.limit;
  wasmfx_fiber_new(first->slot);
  fiber_t next = first;
  void *arg = NULL, *result;
  for (;;) {
    current = next;
    next->state = RUNNING;
    fiber_stack_enter(&next->stack);
    uint32_t ended = wasmfx_fiber_run(next->slot, arg);
    fiber_stack_enter(&mine);
    fiber_t finished = current; /* the fiber that returned or ended */
    finished->state = DONE;
    fiber_stack_release(&finished->stack);
    if (!ended) {
      result = wasmfx_fiber_payload();
      break;
    }
    next = fiber_of(wasmfx_fiber_target());
    arg = wasmfx_fiber_payload();
  }
  current = NULL;
  fiber_free(first);
  return result;
}
