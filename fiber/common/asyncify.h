/* Binaryen's Asyncify, called from inside the module: the pass turns these
 * imports into calls of the functions it creates, and does not instrument the
 * functions that call them. */
#ifndef WASMFX_FIBER_ASYNCIFY_H
#define WASMFX_FIBER_ASYNCIFY_H

#include <stdint.h>

#define ASYNCIFY(NAME) __attribute__((import_module("asyncify"), import_name(NAME)))
ASYNCIFY("start_unwind") void asyncify_start_unwind(void *data);
ASYNCIFY("stop_unwind") void asyncify_stop_unwind(void);
ASYNCIFY("start_rewind") void asyncify_start_rewind(void *data);
ASYNCIFY("stop_rewind") void asyncify_stop_rewind(void);
#undef ASYNCIFY

/* Asyncify's buffer descriptor: where its data goes next, and where it must stop. */
struct asyncify_data {
  uintptr_t pos;
  uintptr_t end;
};

#endif
