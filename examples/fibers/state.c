// state: a state machine as a fiber: a tokenizer fed one character at a time.
// main passes each character of a text as the argument of fiber_resume; the
// tokenizer yields the tokens that character completes (a number, a name, an
// operator), then NULL when it needs the next character. Its states (between
// tokens, inside a number, inside a name, after '=' or '<') are simply where
// the code is: a loop in a function, no state variable or switch statement.
//
// The text is N generated statements such as `x12 = 345 * (y + 6);` (from a
// fixed pseudo-random sequence); the generator counts what it writes, and main
// checks the tokenizer's counts against that.
//   wasmfx cc --fiber=wasmfx examples/fibers/state.c -o state.wasm && wasmfx run state.wasm [N]
// N defaults to 1000 statements; prints
//   state: 1000 statements, 22814 characters: 2238 names, 1317 numbers (sum 11316169), 4737 operators ok
// (MISMATCH and exit code 1 when the counts differ).
#include <fiber.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---- the tokenizer

enum kind { NAME, NUMBER, OPERATOR };
struct token {
  enum kind kind;
  uint32_t value;    // a number's value; an operator's characters (1 or 2)
  uint32_t length;   // a name's length
};

static struct token token; // the token just yielded

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_letter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

// The next character: hands back control (yield NULL: "give me more") until main resumes with it.
static int next_char(void) { return (int)(intptr_t)fiber_yield(NULL); }

// Outputs a token; main resumes with no character (it is not asking for one).
static void emit(enum kind kind, uint32_t value, uint32_t length) {
  token = (struct token){kind, value, length};
  fiber_yield(&token);
}

// The tokenizer: started with the first character; 0 marks the end of the text.
static void *tokenize(void *arg) {
  int c = (int)(intptr_t)arg;
  for (;;) {
    if (c == 0) return NULL;
    if (c == ' ' || c == '\n') {
      c = next_char();
    } else if (is_digit(c)) {
      uint32_t value = 0;
      do {
        value = value * 10 + (uint32_t)(c - '0');
        c = next_char();
      } while (is_digit(c));
      emit(NUMBER, value, 0); // c is the character after the number: look at it next
    } else if (is_letter(c)) {
      uint32_t length = 0;
      do {
        length++;
        c = next_char();
      } while (is_letter(c) || is_digit(c));
      emit(NAME, 0, length);
    } else if (c == '=' || c == '<') {
      int first = c;
      c = next_char();
      if (c == '=') { // "==", "<="
        emit(OPERATOR, (uint32_t)first << 8 | '=', 0);
        c = next_char();
      } else {
        emit(OPERATOR, (uint32_t)first, 0);
      }
    } else if (strchr("+-*/();", c) != NULL) {
      emit(OPERATOR, (uint32_t)c, 0);
      c = next_char();
    } else {
      fprintf(stderr, "state: unexpected character %d\n", c);
      exit(2);
    }
  }
}

// ---- the text, and what it contains

struct counts {
  uint32_t names, numbers, operators, name_chars;
  uint32_t number_sum; // modulo 2^32
};

static uint32_t seed = 12345;
static uint32_t rnd(uint32_t n) { // 0 .. n-1, from a fixed linear congruential sequence
  seed = seed * 1103515245u + 12345u;
  return (seed >> 16) % n;
}

struct text {
  char *chars;
  size_t length, capacity;
};

static void put(struct text *t, const char *s) {
  size_t n = strlen(s);
  if (t->length + n + 1 > t->capacity) {
    t->capacity = 2 * (t->length + n + 1);
    t->chars = (char *)realloc(t->chars, t->capacity);
    if (t->chars == NULL) exit(2);
  }
  memcpy(t->chars + t->length, s, n + 1);
  t->length += n;
}

static void put_name(struct text *t, struct counts *c) {
  static const char *const names[] = {"x", "y", "total", "i", "count_2", "Z"};
  char buf[32];
  const char *name = names[rnd(6)];
  if (rnd(3) == 0) {
    uint32_t suffix = rnd(100);
    snprintf(buf, sizeof buf, "%s%" PRIu32, name, suffix);
  } else {
    snprintf(buf, sizeof buf, "%s", name);
  }
  put(t, buf);
  c->names++;
  c->name_chars += (uint32_t)strlen(buf);
}

static void put_number(struct text *t, struct counts *c) {
  char buf[16];
  uint32_t v = rnd(4) == 0 ? rnd(1000000) : rnd(1000);
  snprintf(buf, sizeof buf, "%" PRIu32, v);
  put(t, buf);
  c->numbers++;
  c->number_sum += v;
}

static void put_operator(struct text *t, struct counts *c, const char *op) {
  put(t, op);
  c->operators++;
}

static void put_space(struct text *t) {
  uint32_t r = rnd(4);
  if (r == 1) put(t, " ");
  if (r == 2) put(t, "  ");
}

// An operand: a name, a number, or a parenthesised expression (`depth` levels at most).
static void put_expression(struct text *t, struct counts *c, int depth);

static void put_operand(struct text *t, struct counts *c, int depth) {
  uint32_t r = rnd(depth > 0 ? 5 : 4);
  if (r < 2) {
    put_name(t, c);
  } else if (r < 4) {
    put_number(t, c);
  } else {
    put_operator(t, c, "(");
    put_space(t);
    put_expression(t, c, depth - 1);
    put_space(t);
    put_operator(t, c, ")");
  }
}

static void put_expression(struct text *t, struct counts *c, int depth) {
  static const char *const ops[] = {"+", "-", "*", "/", "==", "<", "<="};
  put_operand(t, c, depth);
  for (uint32_t k = rnd(3); k > 0; k--) {
    put_space(t);
    put_operator(t, c, ops[rnd(7)]);
    put_space(t);
    put_operand(t, c, depth);
  }
}

// `name = expression;` and a newline
static void put_statement(struct text *t, struct counts *c) {
  put_name(t, c);
  put_space(t);
  put_operator(t, c, "=");
  put_space(t);
  put_expression(t, c, 2);
  put_operator(t, c, ";");
  put(t, "\n");
}

// ---- main: feeds the text to the tokenizer and counts the tokens

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  if (n < 0 || n > 1000000) {
    fprintf(stderr, "usage: state [N]   (0 <= N <= 1000000 statements)\n");
    return 2;
  }
  struct text text = {NULL, 0, 0};
  struct counts expected = {0}, got = {0};
  put(&text, "");
  for (long i = 0; i < n; i++) put_statement(&text, &expected);

  fiber_t lexer = fiber_alloc(tokenize);
  if (lexer == NULL) {
    fprintf(stderr, "state: out of memory\n");
    return 2;
  }
  fiber_result_t status = FIBER_YIELD;
  for (size_t i = 0; i <= text.length && status == FIBER_YIELD; i++) {
    // one character in (the terminating 0 last), then every token it completes out
    const struct token *tok = fiber_resume(lexer, (void *)(intptr_t)text.chars[i], &status);
    while (status == FIBER_YIELD && tok != NULL) {
      switch (tok->kind) {
      case NAME: got.names++; got.name_chars += tok->length; break;
      case NUMBER: got.numbers++; got.number_sum += tok->value; break;
      case OPERATOR: got.operators++; break;
      }
      tok = fiber_resume(lexer, NULL, &status);
    }
  }
  fiber_free(lexer);

  int ok = status == FIBER_OK && memcmp(&got, &expected, sizeof got) == 0;
  printf("state: %ld statements, %zu characters: %" PRIu32 " names, %" PRIu32 " numbers (sum %" PRIu32 "), %" PRIu32 " operators %s\n",
         n, text.length, got.names, got.numbers, got.number_sum, got.operators, ok ? "ok" : "MISMATCH");
  if (!ok)
    printf("  expected %" PRIu32 " names (%" PRIu32 " characters), %" PRIu32 " numbers (sum %" PRIu32 "), %" PRIu32 " operators; got %" PRIu32 " name characters%s\n",
           expected.names, expected.name_chars, expected.numbers, expected.number_sum, expected.operators, got.name_chars,
           status == FIBER_OK ? "" : ", and the tokenizer did not finish");
  free(text.chars);
  return ok ? 0 : 1;
}
