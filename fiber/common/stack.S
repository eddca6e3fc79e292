# Shadow-stack primitives of the fiber library (wasm32 assembly for clang).
#
# C code cannot read or write `__stack_pointer` (the C stack pointer, a Wasm
# global that wasm-ld defines), so switching fibers' shadow stacks goes
# through these functions. `__fiber_stack_limit` is the lowest address the
# running stack may reach: `wasmfx cc` rewrites every `global.set
# __stack_pointer` of the program to compare against it first
# (src/cc/stack-check.ts), so an overflow traps with a message instead of
# writing over whatever lies below the stack. 0 means "no limit".

  .globaltype __stack_pointer, i32
  .globl __fiber_stack_limit
  .globaltype __fiber_stack_limit, i32
__fiber_stack_limit:

  .globl __fiber_get_sp
  .type __fiber_get_sp,@function
__fiber_get_sp:
  .functype __fiber_get_sp () -> (i32)
  global.get __stack_pointer
  end_function

  .globl __fiber_get_limit
  .type __fiber_get_limit,@function
__fiber_get_limit:
  .functype __fiber_get_limit () -> (i32)
  global.get __fiber_stack_limit
  end_function

# Makes (sp, limit) the running stack. The limit is set first, so that the
# check of the stack pointer's write never sees the new pointer with the old limit.
  .globl __fiber_set_stack
  .type __fiber_set_stack,@function
__fiber_set_stack:
  .functype __fiber_set_stack (i32, i32) -> ()
  local.get 1
  global.set __fiber_stack_limit
  local.get 0
  global.set __stack_pointer
  end_function
