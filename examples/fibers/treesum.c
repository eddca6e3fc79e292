// treesum: yielding from deep inside a recursion. main builds a complete binary
// tree of depth D (2^D leaves with deterministic values); a fiber walks it with
// an ordinary recursive function that yields each leaf's value, left to right.
// The yield suspends the whole recursion (D + 1 frames) and a resume continues
// it. main adds up the values and checks the sum against a direct recursive sum.
//   wasmfx cc --fiber=wasmfx examples/fibers/treesum.c -o treesum.wasm && wasmfx run treesum.wasm [D]
// D defaults to 10 (1024 leaves); prints
//   treesum: depth=10 leaves=1024 sum=51193 ok
// (MISMATCH and exit code 1 when the walk and the direct sum differ).
#include <fiber.h>
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

// The walk, written as if there were no fiber: an ordinary recursion that
// "outputs" each leaf with fiber_yield.
static void walk(const struct node *n) {
  if (n->left == NULL) {
    fiber_yield((void *)(uintptr_t)n->value);
    return;
  }
  walk(n->left);
  walk(n->right);
}

static void *walker(void *root) {
  walk((const struct node *)root);
  return NULL;
}

// The same sum without fibers.
static uint64_t direct_sum(const struct node *n) {
  return n->left == NULL ? n->value : direct_sum(n->left) + direct_sum(n->right);
}

int main(int argc, char **argv) {
  long depth = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
  if (depth < 0 || depth > 22) {
    fprintf(stderr, "usage: treesum [D]   (0 <= D <= 22)\n");
    return 2;
  }
  uint32_t leaves = 0;
  struct node *root = build((int)depth, &leaves);

  fiber_t f = fiber_alloc(walker);
  if (f == NULL) {
    fprintf(stderr, "treesum: out of memory\n");
    return 2;
  }
  uint64_t sum = 0, yields = 0;
  fiber_result_t status;
  void *v = fiber_resume(f, root, &status);
  while (status == FIBER_YIELD) {
    sum += (uint32_t)(uintptr_t)v;
    yields++;
    v = fiber_resume(f, NULL, &status);
  }
  fiber_free(f);

  uint64_t expected = direct_sum(root);
  destroy(root);
  int ok = status == FIBER_OK && sum == expected && yields == leaves;
  printf("treesum: depth=%ld leaves=%" PRIu32 " sum=%" PRIu64 " %s\n", depth, leaves, sum, ok ? "ok" : "MISMATCH");
  if (!ok) printf("  expected sum %" PRIu64 " from %" PRIu32 " leaves, got %" PRIu64 " yields\n", expected, leaves, yields);
  return ok ? 0 : 1;
}
