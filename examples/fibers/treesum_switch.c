// treesum_switch: treesum.c with symmetric fibers. main builds a complete
// binary tree of depth D (2^D leaves with deterministic values); a walker fiber
// goes through it with an ordinary recursive function that switches to main
// with each leaf's value, left to right, and main switches back for the next.
// At the end the walker leaves with fiber_switch_return and NULL. main adds up
// the values and checks the sum against a direct recursive sum.
//   wasmfx cc --fiber=wasmfx examples/fibers/treesum_switch.c -o treesum_switch.wasm && wasmfx run treesum_switch.wasm [D]
// D defaults to 10 (1024 leaves); prints the same as treesum.c:
//   treesum: depth=10 leaves=1024 sum=51193 ok
// (MISMATCH and exit code 1 when the walk and the direct sum differ).
#include <fiber_switch.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
  struct node *left, *right; // both NULL at a leaf
  uint32_t value;            // a leaf's value
};

// A tree of `depth` levels below this node; leaves are numbered from *next_leaf.
static struct node *build(int depth, uint32_t *next_leaf) {
  struct node *n = (struct node *)malloc(sizeof *n);
  if (n == NULL) {
    fprintf(stderr, "treesum: out of memory\n");
    exit(2);
  }
  if (depth == 0) {
    uint32_t i = (*next_leaf)++;
    n->left = n->right = NULL;
    n->value = (i * 37 + 11) % 101; // some small values, not all alike
  } else {
    n->left = build(depth - 1, next_leaf);
    n->right = build(depth - 1, next_leaf);
    n->value = 0;
  }
  return n;
}

static void destroy(struct node *n) {
  if (n == NULL) return;
  destroy(n->left);
  destroy(n->right);
  free(n);
}

// The fiber that wants the leaves (main).
static fiber_t consumer;

// The walk, written as if there were no fiber: an ordinary recursion that
// "outputs" each leaf by switching to the consumer (with a pointer: 0 is a value too).
static void walk(const struct node *n) {
  if (n->left == NULL) {
    fiber_switch(consumer, (void *)&n->value, &consumer);
    return;
  }
  walk(n->left);
  walk(n->right);
}

static void *walker(void *root, fiber_t from) {
  consumer = from;
  walk((const struct node *)root);
  fiber_switch_return(consumer, NULL);
}

// The same sum without fibers.
static uint64_t direct_sum(const struct node *n) {
  return n->left == NULL ? n->value : direct_sum(n->left) + direct_sum(n->right);
}

static void *prog(int argc, char **argv) {
  long depth = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
  if (depth < 0 || depth > 22) {
    fprintf(stderr, "usage: treesum_switch [D]   (0 <= D <= 22)\n");
    return (void *)2;
  }
  uint32_t leaves = 0;
  struct node *root = build((int)depth, &leaves);

  fiber_t f = fiber_alloc(walker);
  if (f == NULL) {
    fprintf(stderr, "treesum_switch: out of memory\n");
    return (void *)2;
  }
  uint64_t sum = 0, yields = 0;
  fiber_t from; // the walker, or NULL once it has ended
  const uint32_t *v = fiber_switch(f, root, &from);
  while (v != NULL) {
    sum += *v;
    yields++;
    v = fiber_switch(f, NULL, &from);
  }
  fiber_free(f);

  uint64_t expected = direct_sum(root);
  destroy(root);
  int ok = from == NULL && sum == expected && yields == leaves;
  printf("treesum: depth=%ld leaves=%" PRIu32 " sum=%" PRIu64 " %s\n", depth, leaves, sum, ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected sum %" PRIu64 " from %" PRIu32 " leaves, got %" PRIu64 " yields\n", expected, leaves, yields);
  return (void *)(uintptr_t)(ok ? 0 : 1);
}

int main(int argc, char **argv) { return (int)(uintptr_t)fiber_main(prog, argc, argv); }
