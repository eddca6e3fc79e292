// hello: a fiber that yields once per word; main prints what it gets.
//   wasmfx cc --fiber=wasmfx examples/fibers/hello.c -o hello.wasm && wasmfx run hello.wasm [N]
// prints the greeting N times (default 1), then the fiber's result.
#include <fiber.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const words[] = {"Hello", "from", "a", "fiber!"};

static void *greet(void *arg) {
  intptr_t times = (intptr_t)arg;
  for (intptr_t t = 0; t < times; t++)
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) fiber_yield((void *)words[i]);
  return (void *)(intptr_t)42;
}

int main(int argc, char **argv) {
  intptr_t times = argc > 1 ? atoi(argv[1]) : 1;
  fiber_init();
  fiber_t f = fiber_alloc(greet);
  fiber_result_t status;
  void *v = fiber_resume(f, (void *)times, &status);
  while (status == FIBER_YIELD) {
    printf("%s\n", (const char *)v);
    v = fiber_resume(f, NULL, &status);
  }
  printf("done: %d\n", (int)(intptr_t)v);
  // a finished fiber cannot be resumed
  fiber_resume(f, NULL, &status);
  printf("resume after the end: %s\n", status == FIBER_ERROR ? "FIBER_ERROR" : "?");
  fiber_free(f);
  fiber_finalize();
  return 0;
}
