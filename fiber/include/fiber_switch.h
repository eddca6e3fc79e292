/* fiber_switch.h: symmetric fibers (switch) for wasm32-wasip1, built by `wasmfx cc`.
 *
 * `fiber_main(main, argc, argv)` runs `main` as the first fiber. Any fiber may
 * `fiber_switch` to any other suspended fiber: control goes there directly,
 * with `arg`; when some fiber later switches back, fiber_switch returns that
 * fiber's argument and stores the fiber it came from in `*switched_from`.
 * A new fiber starts as `entry(arg, switched_from)`. `fiber_switch_return`
 * switches and ends the calling fiber (its target sees switched_from NULL).
 * When any fiber's entry returns, fiber_main returns that value.
 *
 * Switching to a fiber that is finished, running or NULL is a program error:
 * it traps with a message (never undefined behaviour).
 *
 * Backends (`wasmfx cc --fiber=wasmfx|asyncify`): WasmFX `switch`, or
 * Binaryen's Asyncify. Every fiber has its own shadow stack of
 * FIBER_STACK_SIZE bytes; overflowing it traps with a message.
 */
#ifndef WASMFX_FIBER_SWITCH_H
#define WASMFX_FIBER_SWITCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FIBER_EXPORT(NAME) __attribute__((export_name(NAME)))

/** A fiber (opaque). */
typedef struct fiber *fiber_t;

/** The entry point of a fiber: the argument of the switch that started it, and the fiber that switched. */
typedef void *(*fiber_entry_point_t)(void *, fiber_t);

/** Allocates a fiber that will run `entry`, with the default stack size. NULL when out of memory. */
FIBER_EXPORT("fiber_alloc") fiber_t fiber_alloc(fiber_entry_point_t entry);

/** Allocates a fiber with a shadow stack of `stack_size` bytes (an extension of wasmfx). */
FIBER_EXPORT("fiber_alloc_sized") fiber_t fiber_alloc_sized(fiber_entry_point_t entry, size_t stack_size);

/** Frees a fiber (finished or suspended; not the running one) and its stack. */
FIBER_EXPORT("fiber_free") void fiber_free(fiber_t fiber);

/** Status codes (kept for source compatibility). */
typedef enum { FIBER_OK = 0, FIBER_SWITCH = 1, FIBER_ERROR = 2 } fiber_result_t;

/** Switches to `fiber` with `arg`; returns the argument of the switch that comes back, its source in `*switched_from`
    (when not NULL; volatile, as some programs declare it, and so accepting both). */
FIBER_EXPORT("fiber_switch") void *fiber_switch(fiber_t fiber, void *arg, volatile fiber_t *switched_from);

/** Switches to `target` with `arg` and ends the calling fiber. */
FIBER_EXPORT("fiber_switch_return") __attribute__((noreturn)) void fiber_switch_return(fiber_t target, void *arg);

/** Runs `main(argc, argv)` as the first fiber; returns the result of the first fiber to return. */
FIBER_EXPORT("fiber_main") void *fiber_main(void *(*main)(int, char **), int argc, char **argv);

#undef FIBER_EXPORT

#ifdef __cplusplus
}
#endif

#endif
