/* What both backends of both fiber APIs share: shadow stacks, fatal errors,
 * slot bookkeeping. Included once into each backend's translation unit. */
#ifndef WASMFX_FIBER_INTERNAL_H
#define WASMFX_FIBER_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>
#include <wasi/api.h>

/* The default size of a fiber's shadow stack (`wasmfx cc --fiber-stack-size`). */
#ifndef FIBER_STACK_SIZE
#define FIBER_STACK_SIZE (32 * 1024)
#endif
/* The smallest stack fiber_alloc_sized accepts. */
#define FIBER_MIN_STACK_SIZE 1024
/* Room kept above a fiber's stack limit, below which the shadow stack may not go. */
#define FIBER_STACK_GUARD 64
/* Room left on the main C stack, below fiber_main's frame, for the scheduler's own calls. */
#define FIBER_MAIN_RESERVE 8192

/* stack.S */
uintptr_t __fiber_get_sp(void);
uintptr_t __fiber_get_limit(void);
void __fiber_set_stack(uintptr_t sp, uintptr_t limit);

/* the bottom of the main C stack (wasm-ld) */
extern char __stack_low;

/* Writes to standard error without touching the shadow stack (it may be exhausted). */
static void fiber_write_stderr(const char *text) {
  static __wasi_ciovec_t iov;
  static __wasi_size_t written;
  const char *end = text;
  while (*end) end++;
  iov.buf = (const uint8_t *)text;
  iov.buf_len = (size_t)(end - text);
  (void)__wasi_fd_write(2, &iov, 1, &written);
}

/* A program error: says what (after "fiber: ", and `name: ` when given) and traps
 * (abort() would run atexit handlers on a broken state). */
__attribute__((noreturn, noinline)) static void fiber_misuse(const char *name, const char *what) {
  fiber_write_stderr("fiber: ");
  if (name != NULL) {
    fiber_write_stderr(name);
    fiber_write_stderr(": ");
  }
  fiber_write_stderr(what);
  fiber_write_stderr("\n");
  __builtin_trap();
}

/* Called by the check that `wasmfx cc` puts before every write of the stack
 * pointer, when the new pointer is below the running stack's limit. It runs on
 * the exhausted stack, so it uses none (no frame at -O2: statics only). */
__attribute__((export_name("__fiber_stack_overflow"), noreturn, used))
void __fiber_stack_overflow(void) {
  if (__fiber_get_limit() == (uintptr_t)&__stack_low + FIBER_STACK_GUARD)
    fiber_misuse(NULL, "stack overflow: the main C stack is exhausted (link with -Wl,-z,stack-size=BYTES for more)");
  fiber_misuse(NULL, "stack overflow: a fiber used more than its shadow stack; "
              "give fibers more with `wasmfx cc --fiber-stack-size=BYTES` or fiber_alloc_sized");
}

/* The main C stack has a limit too (from the program's start), so that its overflow gets the same message. */
__attribute__((constructor)) static void fiber_limit_main_stack(void) {
  __fiber_set_stack(__fiber_get_sp(), (uintptr_t)&__stack_low + FIBER_STACK_GUARD);
}

/* A fiber's shadow stack: [base, base + size), 16-byte aligned, growing down from the top;
 * made when the fiber first runs and freed when it ends. */
struct fiber_stack {
  char *base;        /* NULL while there is none */
  size_t size;
  uintptr_t sp;      /* the stack pointer while the fiber is not running */
  uintptr_t limit;   /* and its limit */
  int on_main_stack; /* the first fiber of fiber_main runs on the main C stack (never freed) */
};

static void fiber_stack_init(struct fiber_stack *s, size_t requested) {
  s->base = NULL;
  s->size = requested == 0 ? FIBER_STACK_SIZE
          : requested < FIBER_MIN_STACK_SIZE ? FIBER_MIN_STACK_SIZE : (requested + 15) & ~(size_t)15;
  s->sp = s->limit = 0;
  s->on_main_stack = 0;
}

/* Makes the stack when there is none yet; 0 when out of memory. */
static int fiber_stack_ready(struct fiber_stack *s) {
  if (s->base != NULL || s->on_main_stack) return 1;
  s->base = (char *)aligned_alloc(16, s->size);
  if (s->base == NULL) return 0;
  s->sp = (uintptr_t)s->base + s->size;
  s->limit = (uintptr_t)s->base + FIBER_STACK_GUARD;
  return 1;
}

static void fiber_stack_release(struct fiber_stack *s) {
  if (!s->on_main_stack) free(s->base);
  s->base = NULL;
}

/* The running stack (pointer and limit) into `s`: before leaving it. */
static void fiber_stack_save(struct fiber_stack *s) {
  s->sp = __fiber_get_sp();
  s->limit = __fiber_get_limit();
}

/* Makes `s` the running stack. */
static void fiber_stack_enter(const struct fiber_stack *s) { __fiber_set_stack(s->sp, s->limit); }

#endif
