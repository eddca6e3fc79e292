// hello_switch: two fibers take turns printing a word each, with fiber_switch.
//   wasmfx cc --fiber=wasmfx examples/fibers/hello_switch.c -o h.wasm && wasmfx run h.wasm [N]
// prints the greeting N times (default 1).
#include <fiber_switch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const words[] = {"Hello", "from", "two", "fibers!"};
static int rounds;

// Prints the odd words; the even ones come from main.
static void *echo(void *arg, fiber_t caller) {
  for (int r = 0; r < rounds; r++)
    for (int i = 1; i < 4; i += 2) {
      printf("%s\n", words[i]);
      arg = fiber_switch(caller, arg, &caller);
    }
  fiber_switch_return(caller, (void *)(intptr_t)((intptr_t)arg + 1));
  return NULL;
}

static void *prog(int argc, char **argv) {
  rounds = argc > 1 ? atoi(argv[1]) : 1;
  fiber_t other = fiber_alloc(echo);
  void *v = (void *)(intptr_t)0;
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < 4; i += 2) {
      printf("%s\n", words[i]);
      v = fiber_switch(other, (void *)((intptr_t)v + 1), &other);
    }
  if (rounds == 0) v = fiber_switch(other, v, &other);
  printf("switches: %d, switched from: %s\n", (int)(intptr_t)v, other == NULL ? "NULL" : "a fiber");
  fiber_free(other);
  return (void *)(intptr_t)0;
}

int main(int argc, char **argv) { return (int)(intptr_t)fiber_main(prog, argc, argv); }
