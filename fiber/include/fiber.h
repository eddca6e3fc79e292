/* fiber.h: asymmetric fibers (resume/yield) for wasm32-wasip1, built by `wasmfx cc`.
 *
 * A fiber runs `entry(arg)` on its own stack. `fiber_resume` runs it until it
 * calls `fiber_yield` (status FIBER_YIELD, the value given to fiber_yield is
 * returned) or returns (status FIBER_OK, its result is returned). Resuming a
 * fiber that has finished, is running, or is NULL gives FIBER_ERROR and NULL.
 *
 * Backends (`wasmfx cc --fiber=wasmfx|asyncify`): WasmFX continuations
 * (cont.new/resume/suspend) or Binaryen's Asyncify. Both give every fiber its
 * own shadow stack (the C stack in linear memory) of FIBER_STACK_SIZE bytes;
 * overflowing it traps with a message instead of corrupting memory.
 */
#ifndef WASMFX_FIBER_H
#define WASMFX_FIBER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FIBER_EXPORT(NAME) __attribute__((export_name(NAME)))

/** The entry point of a fiber: its argument is the value of the first fiber_resume. */
typedef void *(*fiber_entry_point_t)(void *);

/** A fiber (opaque). */
typedef struct fiber *fiber_t;

/** Allocates a fiber that will run `entry`, with the default stack size. NULL when out of memory. */
FIBER_EXPORT("fiber_alloc") fiber_t fiber_alloc(fiber_entry_point_t entry);

/** Allocates a fiber with a shadow stack of `stack_size` bytes (an extension of wasmfx). */
FIBER_EXPORT("fiber_alloc_sized") fiber_t fiber_alloc_sized(fiber_entry_point_t entry, size_t stack_size);

/** Frees a fiber (finished or suspended; not the running one) and its stack. */
FIBER_EXPORT("fiber_free") void fiber_free(fiber_t fiber);

/** Suspends the running fiber, handing `arg` to its resumer; returns the argument of the next resume. */
FIBER_EXPORT("fiber_yield") void *fiber_yield(void *arg);

/** Status of fiber_resume. */
typedef enum { FIBER_OK = 0, FIBER_YIELD = 1, FIBER_ERROR = 2 } fiber_result_t;

/** Runs `fiber` with `arg` until it yields or returns; `*status` (when not NULL) tells which. */
FIBER_EXPORT("fiber_resume") void *fiber_resume(fiber_t fiber, void *arg, fiber_result_t *status);

/** Initialises the library (optional: the first fiber_alloc does it too). */
FIBER_EXPORT("fiber_init") void fiber_init(void);

/** Releases what fiber_init took (fibers not yet freed stay valid only until then). */
FIBER_EXPORT("fiber_finalize") void fiber_finalize(void);

#undef FIBER_EXPORT

#ifdef __cplusplus
}
#endif

#endif
