/* Slots: small integers naming the entries of the WasmFX backends' table of
 * continuations. Freed slots are reused (a free list), so a program that
 * creates and frees fibers one after another keeps the table small. Slot 0 is
 * never handed out: it stands for "no fiber". */
#ifndef WASMFX_FIBER_SLOTS_H
#define WASMFX_FIBER_SLOTS_H

#include <stdint.h>
#include <stdlib.h>

/* grows the Wasm table of continuations by `delta` entries; -1 when it cannot */
__attribute__((import_module("wasmfx_fiber"), import_name("__wasmfx_fiber_table_grow")))
int32_t wasmfx_fiber_table_grow(uint32_t delta);

static uint32_t slot_capacity; /* entries of the Wasm table */
static uint32_t slot_next = 1;  /* the lowest slot never handed out */
static uint32_t *slot_free;     /* freed slots, a stack */
static uint32_t slot_free_count;
static uint32_t slot_free_capacity;

/* a slot, or 0 when out of memory */
static uint32_t slot_take(void) {
  if (slot_free_count > 0) return slot_free[--slot_free_count];
  if (slot_next >= slot_capacity) {
    uint32_t delta = slot_capacity < 64 ? 64 : slot_capacity;
    if (wasmfx_fiber_table_grow(delta) < 0) return 0;
    slot_capacity += delta;
  }
  return slot_next++;
}

static void slot_give(uint32_t slot) {
  if (slot_free_count == slot_free_capacity) {
    uint32_t cap = slot_free_capacity < 64 ? 64 : 2 * slot_free_capacity;
    uint32_t *grown = (uint32_t *)realloc(slot_free, cap * sizeof(uint32_t));
    if (grown == NULL) return; /* the slot is lost, nothing worse */
    slot_free = grown;
    slot_free_capacity = cap;
  }
  slot_free[slot_free_count++] = slot;
}

#endif
