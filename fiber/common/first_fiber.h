/* fiber_switch.h: the first fiber of fiber_main, which runs main(argc, argv). */
#ifndef WASMFX_FIBER_FIRST_H
#define WASMFX_FIBER_FIRST_H

#include "fiber_switch.h"

static void *(*first_main)(int, char **);
static int first_argc;
static char **first_argv;

static void *first_entry(void *arg, fiber_t from) {
  (void)arg;
  (void)from;
  return first_main(first_argc, first_argv);
}

/* The first fiber (NULL when out of memory). */
static fiber_t first_fiber_alloc(void *(*main)(int, char **), int argc, char **argv) {
  first_main = main;
  first_argc = argc;
  first_argv = argv;
  return fiber_alloc(first_entry);
}

#endif
