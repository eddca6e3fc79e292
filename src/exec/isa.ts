// The machine's instruction set as data: every internal operation with its operand layout
// and, for the operator families, its case body as a template. src/exec/isa-gen.ts turns
// this into src/exec/ops.ts (numbers, sizes, layouts, typed emitters, fusion maps) and into
// the generated region of the dispatch loop in src/exec/machine.ts; test/isa.test.ts
// regenerates both in memory and fails on any difference. To add a fused operation or an
// operator: add its row here (and, for an op marked `custom`, its case in machine.ts), then
//   npx node src/exec/isa-gen.ts --write
//
// Code is an array of int32s: an opcode followed by its immediates. Operands are frame
// slots relative to the frame pointer `fp` (slot i < nlocals is local i, slot nlocals + h
// the operand-stack position h). A frame's values live in three parallel arrays: i32 in
// `i32`, f32 (bits) and f64 in `num`, everything else (i64 bigints, v128, references) in
// `ref`; ops that exist for several are named by it (_I, _N, _R), and _K names the form
// whose operand is an inline constant instead of a slot.
//
// A layout is a list of `name:kind` words, one per immediate:
//   I N R   a slot of the i32 / num / ref array; the slot named `d` is the destination
//   S       a slot of an array the op finds out at run time (generic operators, addresses)
//   B       the first of several consecutive slots (calls, aggregates, bulk operations)
//   k       an inline constant        t  a code index (branch target)
//   o       an index into the function's side table of objects
//   x       any other immediate (function, table, memory, field index, count, mask)
//   -       a word of padding
// In a template, `$name` is the operand's value (`$d` the destination to assign; for S and B
// the immediate itself), `@name` a slot operand's index in its array (fp + immediate),
// `%next` the code index after the op.
// An op is a plain op (its body, then on to the next), a jump (`jump`: a condition, 'true' for
// an unconditional one, after the statements of `pre`; taken, it goes to operand t, polling the
// budget on back-edges), an op whose body transfers control itself (`ends`), or `custom`: its
// case is written by hand in machine.ts (ops whose bodies manage frames and stacks).

export interface OpSpec {
  readonly name: string;
  readonly layout: string;
  readonly body?: string;
  readonly pre?: string;
  readonly jump?: string;
  readonly ends?: boolean;
  readonly custom?: boolean;
  /** the size when the layout does not give it (BR_TABLE: -1, variable) */
  readonly size?: number;
  /** the Wasm instruction this op implements on its own (an inline operator or a fast memory access) */
  readonly wasm?: string;
  /** the op with an inline constant as last operand, for the same Wasm instruction */
  readonly k?: string;
  /** an i32 comparison: the compare-and-jump it fuses into with a following br_if/if, and its negation */
  readonly cmp?: readonly [string, string];
  /** a conditional jump: the jump taken exactly when this one is not */
  readonly neg?: string;
  /** a fused op: the addition and the jump it replaces when the jump follows the addition */
  readonly fuses?: readonly [string, string];
}

const row = (name: string, layout: string, rest: Omit<OpSpec, 'name' | 'layout'> = {}): OpSpec => ({ name, layout, ...rest });

/** The three kinds of slot an op may exist for, as the suffix and the array that holds it. */
const KINDS = [['N', 'num'], ['R', 'ref'], ['I', 'i32']] as const;

/** One op per kind of slot (MOV_N, MOV_R, MOV_I...), `A` in the layout standing for the kind. */
function perKind(prefix: string, layout: string, body: (arr: string) => string, rest: Omit<OpSpec, 'name' | 'layout'> = {}): OpSpec[] {
  return KINDS.map(([s, arr]) => row(`${prefix}_${s}`, layout.replaceAll(':A', `:${s}`), { body: body(arr), ...rest }));
}

// ---- i32 operators ----------------------------------------------------------------------------------

/** i32 comparisons: name, JS operator, whether unsigned, negation. */
const I32_CMPS: readonly (readonly [string, string, boolean, string])[] = [
  ['EQ', '===', false, 'NE'], ['NE', '!==', false, 'EQ'], ['LT_S', '<', false, 'GE_S'], ['LT_U', '<', true, 'GE_U'],
  ['GT_S', '>', false, 'LE_S'], ['GT_U', '>', true, 'LE_U'], ['LE_S', '<=', false, 'GT_S'], ['LE_U', '<=', true, 'GT_U'],
  ['GE_S', '>=', false, 'LT_S'], ['GE_U', '>=', true, 'LT_U'],
];
const cmp = (a: string, b: string, op: string, unsigned: boolean): string =>
  unsigned ? `${a} >>> 0 ${op} ${b} >>> 0` : `${a} ${op} ${b}`;

/** i32 binary operators with an immediate form: name and the expression of a and b. */
const I32_BIN_K: readonly (readonly [string, (a: string, b: string) => string])[] = [
  ['ADD', (a, b) => `(${a} + ${b}) | 0`], ['MUL', (a, b) => `Math.imul(${a}, ${b})`], ['AND', (a, b) => `${a} & ${b}`],
  ['OR', (a, b) => `${a} | ${b}`], ['XOR', (a, b) => `${a} ^ ${b}`], ['SHL', (a, b) => `${a} << ${b}`],
  ['SHR_S', (a, b) => `${a} >> ${b}`], ['SHR_U', (a, b) => `(${a} >>> ${b}) | 0`],
];
const I32_BIN: Readonly<Record<string, string>> = {
  SUB: '$d = ($a - $b) | 0;',
  DIV_S: `const a = $a;
const b = $b;
if (b === 0) trap('integer divide by zero');
if (a === -0x80000000 && b === -1) trap('integer overflow');
$d = (a / b) | 0;`,
  DIV_U: `const b = $b >>> 0;
if (b === 0) trap('integer divide by zero');
$d = (($a >>> 0) / b) | 0;`,
  REM_S: `const b = $b;
if (b === 0) trap('integer divide by zero');
$d = ($a % b) | 0;`,
  REM_U: `const b = $b >>> 0;
if (b === 0) trap('integer divide by zero');
$d = (($a >>> 0) % b) | 0;`,
  ROTL: `const a = $a;
const b = $b;
$d = (a << b) | (a >>> (32 - (b & 31)));`,
  ROTR: `const a = $a;
const b = $b;
$d = (a >>> b) | (a << (32 - (b & 31)));`,
};

function i32Ops(): OpSpec[] {
  const out: OpSpec[] = [row('I32_EQZ', 'd:I a:I', { body: '$d = $a === 0 ? 1 : 0;', wasm: 'i32.eqz' })];
  for (const [c, op, u, neg] of I32_CMPS) {
    out.push(row(`I32_${c}`, 'd:I a:I b:I', {
      body: `$d = ${cmp('$a', '$b', op, u)} ? 1 : 0;`, wasm: `i32.${c.toLowerCase()}`, k: `I32_${c}_K`, cmp: [`J_${c}`, `J_${neg}`],
    }));
  }
  for (const [c, op, u, neg] of I32_CMPS) {
    out.push(row(`I32_${c}_K`, 'd:I a:I k:k', { body: `$d = ${cmp('$a', '$k', op, u)} ? 1 : 0;`, cmp: [`J_${c}_K`, `J_${neg}_K`] }));
  }
  out.push(
    row('I32_CLZ', 'd:I a:I', { body: '$d = Math.clz32($a);', wasm: 'i32.clz' }),
    row('I32_CTZ', 'd:I a:I', { body: 'const a = $a | 0;\n$d = a === 0 ? 32 : 31 - Math.clz32(a & -a);', wasm: 'i32.ctz' }),
    row('I32_POPCNT', 'd:I a:I', {
      body: `let a = $a | 0;
a = a - ((a >>> 1) & 0x55555555);
a = (a & 0x33333333) + ((a >>> 2) & 0x33333333);
$d = Math.imul((a + (a >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;`,
      wasm: 'i32.popcnt',
    }),
  );
  const binOrder = ['ADD', 'SUB', 'MUL', 'DIV_S', 'DIV_U', 'REM_S', 'REM_U', 'AND', 'OR', 'XOR', 'SHL', 'SHR_S', 'SHR_U', 'ROTL', 'ROTR'];
  for (const c of binOrder) {
    const withK = I32_BIN_K.find(([n]) => n === c);
    const body = withK ? `$d = ${withK[1]('$a', '$b')};` : I32_BIN[c]!;
    out.push(row(`I32_${c}`, 'd:I a:I b:I', { body, wasm: `i32.${c.toLowerCase()}`, ...(withK ? { k: `I32_${c}_K` } : {}) }));
  }
  for (const [c, f] of I32_BIN_K) out.push(row(`I32_${c}_K`, 'd:I a:I k:k', { body: `$d = ${f('$a', '$k')};` }));
  out.push(
    row('I32_EXTEND8_S', 'd:I a:I', { body: '$d = ($a << 24) >> 24;', wasm: 'i32.extend8_s' }),
    row('I32_EXTEND16_S', 'd:I a:I', { body: '$d = ($a << 16) >> 16;', wasm: 'i32.extend16_s' }),
    row('I32_WRAP_I64', 'd:I a:R', { body: '$d = Number(BigInt.asIntN(32, $a as bigint));', wasm: 'i32.wrap_i64' }),
  );
  return out;
}

// ---- compare and branch, loop latches --------------------------------------------------------------

/** The comparisons a loop latch fuses with. */
const LATCH_CMPS = ['LT_S', 'LT_U', 'NE', 'GT_S', 'GE_S'].map((c) => I32_CMPS.find(([n]) => n === c)!);

function jumpOps(): OpSpec[] {
  const out: OpSpec[] = [];
  for (const [c, op, u, neg] of I32_CMPS) out.push(row(`J_${c}`, 'a:I b:I t:t', { jump: cmp('$a', '$b', op, u), neg: `J_${neg}` }));
  for (const [c, op, u, neg] of I32_CMPS) out.push(row(`J_${c}_K`, 'a:I k:k t:t', { jump: cmp('$a', '$k', op, u), neg: `J_${neg}_K` }));
  // d = a + k (ADDI) or d = a + b (ADD), then the jump on d: the latch of a counting loop
  for (const [fused, add, layout, sum] of [
    ['ADDI', 'I32_ADD_K', 'd:I a:I k:k', '($a + $k) | 0'], ['ADD', 'I32_ADD', 'd:I a:I b:I', '($a + $b) | 0'],
  ] as const) {
    const pre = `const v = ${sum};\n$d = v;`;
    for (const [k, c2] of [['', 'I'], ['_K', 'k']] as const) {
      for (const [c, op, u] of LATCH_CMPS) {
        out.push(row(`${fused}_J_${c}${k}`, `${layout} c:${c2} t:t`, { pre, jump: cmp('v', '$c', op, u), fuses: [add, `J_${c}${k}`] }));
      }
    }
    out.push(
      row(`${fused}_BR_IF`, `${layout} t:t`, { pre, jump: 'v !== 0', fuses: [add, 'BR_IF'] }),
      row(`${fused}_BR_UNLESS`, `${layout} t:t`, { pre, jump: 'v === 0', fuses: [add, 'BR_UNLESS'] }),
    );
  }
  return out;
}

// ---- i64 (bigints), f64, f32 (bits) ---------------------------------------------------------------------

const big = (s: string): string => `(${s} as bigint)`;

function i64Ops(): OpSpec[] {
  const out: OpSpec[] = [row('I64_EQZ', 'd:I a:R', { body: '$d = $a === 0n ? 1 : 0;', wasm: 'i64.eqz' })];
  for (const [c, op] of [['EQ', '==='], ['NE', '!==']] as const) {
    out.push(row(`I64_${c}`, 'd:I a:R b:R', { body: `$d = $a ${op} $b ? 1 : 0;`, wasm: `i64.${c.toLowerCase()}` }));
  }
  for (const [c, op] of [['LT_S', '<'], ['GT_S', '>'], ['LE_S', '<='], ['GE_S', '>=']] as const) {
    out.push(row(`I64_${c}`, 'd:I a:R b:R', { body: `$d = ${big('$a')} ${op} ${big('$b')} ? 1 : 0;`, wasm: `i64.${c.toLowerCase()}` }));
  }
  const bin: readonly (readonly [string, string])[] = [
    ['ADD', `BigInt.asIntN(64, ${big('$a')} + ${big('$b')})`], ['SUB', `BigInt.asIntN(64, ${big('$a')} - ${big('$b')})`],
    ['MUL', `BigInt.asIntN(64, ${big('$a')} * ${big('$b')})`], ['AND', `${big('$a')} & ${big('$b')}`],
    ['OR', `${big('$a')} | ${big('$b')}`], ['XOR', `${big('$a')} ^ ${big('$b')}`],
    ['SHL', `BigInt.asIntN(64, ${big('$a')} << (${big('$b')} & 63n))`], ['SHR_S', `${big('$a')} >> (${big('$b')} & 63n)`],
    ['SHR_U', `BigInt.asIntN(64, BigInt.asUintN(64, ${big('$a')}) >> (${big('$b')} & 63n))`],
  ];
  for (const [c, e] of bin) out.push(row(`I64_${c}`, 'd:R a:R b:R', { body: `$d = ${e};`, wasm: `i64.${c.toLowerCase()}` }));
  out.push(
    row('I64_EXTEND_I32_S', 'd:R a:I', { body: '$d = BigInt($a);', wasm: 'i64.extend_i32_s' }),
    row('I64_EXTEND_I32_U', 'd:R a:I', { body: '$d = BigInt($a >>> 0);', wasm: 'i64.extend_i32_u' }),
  );
  return out;
}

const ARITH = [['ADD', '+'], ['SUB', '-'], ['MUL', '*'], ['DIV', '/']] as const;
const FCMP = [['EQ', '==='], ['NE', '!=='], ['LT', '<'], ['GT', '>'], ['LE', '<='], ['GE', '>=']] as const;

function floatOps(): OpSpec[] {
  const out: OpSpec[] = [];
  // a NaN result goes through the exact operator (the bits of NaNs); others are JS's
  for (const [c, op] of ARITH) {
    out.push(row(`F64_${c}`, 'd:N a:N b:N', {
      body: `const a = $a;\nconst b = $b;\nconst r = a ${op} b;\n$d = r === r ? r : F64_${c}(a, b);`, wasm: `f64.${c.toLowerCase()}`,
    }));
  }
  for (const [c, op] of FCMP) out.push(row(`F64_${c}`, 'd:I a:N b:N', { body: `$d = $a ${op} $b ? 1 : 0;`, wasm: `f64.${c.toLowerCase()}` }));
  out.push(
    row('F64_CONVERT_I32_S', 'd:N a:I', { body: '$d = $a;', wasm: 'f64.convert_i32_s' }),
    row('F64_CONVERT_I32_U', 'd:N a:I', { body: '$d = $a >>> 0;', wasm: 'f64.convert_i32_u' }),
  );
  // f32 values are bits: through a scratch Float32Array
  for (const [c, op] of ARITH) {
    out.push(row(`F32_${c}`, 'd:N a:N b:N', {
      body: `const a = $a;
const b = $b;
SU32[0] = a;
const x = SF32[0]!;
SU32[0] = b;
const r = Math.fround(x ${op} SF32[0]!);
if (r === r) {
  SF32[0] = r;
  $d = SU32[0]!;
} else $d = F32_${c}(a, b);`,
      wasm: `f32.${c.toLowerCase()}`,
    }));
  }
  for (const [c, op] of FCMP) {
    out.push(row(`F32_${c}`, 'd:I a:N b:N', {
      body: `SU32[0] = $a;\nconst x = SF32[0]!;\nSU32[0] = $b;\n$d = x ${op} SF32[0]! ? 1 : 0;`, wasm: `f32.${c.toLowerCase()}`,
    }));
  }
  out.push(row('F32_CONVERT_I32_S', 'd:N a:I', { body: 'SF32[0] = $a;\n$d = SU32[0]!;', wasm: 'f32.convert_i32_s' }));
  return out;
}

// ---- any other operator: a function from the side table ------------------------------------------------

/**
 * GENn: mask bit i (0-2): operand i is in the reference array, bit 3: so is the result;
 * bits 4-6 and 7: the same for the i32 array (else the num array).
 */
function genOps(): OpSpec[] {
  const names = ['a', 'b', 'c'];
  return [1, 2, 3].map((n) => {
    const ops = names.slice(0, n);
    const arg = (s: string, i: number) => `mask & ${1 << i} ? ref[${s}] : mask & ${16 << i} ? i32[${s}] : num[${s}]`;
    return row(`GEN${n}`, `d:S ${ops.map((s) => `${s}:S`).join(' ')} o:o mask:x`, {
      body: `const mask = $mask;
${ops.map((s) => `const ${s} = @${s};`).join('\n')}
const r = ($o as Fn${n})(${ops.map(arg).join(', ')});
if (mask & 8) ref[@d] = r as Value;
else if (mask & 128) i32[@d] = (r as number) | 0;
else storeF64(num, @d, r as number);`,
    });
  });
}

// ---- memory 0 with i32 addresses, through its DataView ------------------------------------------------
// (fewer checks than typed views and no alignment cases; out of bounds, the DataView throws a
// RangeError, which the dispatch loop turns into a trap for the ops from I32_LOAD to I32_STORE16_K)

const EA = '($a >>> 0) + ($off >>> 0)';
const LE = (bytes: number) => (bytes > 1 ? ', true' : '');

function fastMemOps(): OpSpec[] {
  const loads: readonly (readonly [string, string, string, number])[] = [
    ['I32_LOAD', 'I', 'Int32', 4], ['I64_LOAD', 'R', 'BigInt64', 8], ['F32_LOAD', 'N', 'Uint32', 4], ['F64_LOAD', 'N', 'Float64', 8],
    ['I32_LOAD8_S', 'I', 'Int8', 1], ['I32_LOAD8_U', 'I', 'Uint8', 1], ['I32_LOAD16_S', 'I', 'Int16', 2],
    ['I32_LOAD16_U', 'I', 'Uint16', 2], ['I64_LOAD8_S', 'R', 'Int8', 1], ['I64_LOAD8_U', 'R', 'Uint8', 1],
    ['I64_LOAD16_S', 'R', 'Int16', 2], ['I64_LOAD16_U', 'R', 'Uint16', 2], ['I64_LOAD32_S', 'R', 'Int32', 4],
    ['I64_LOAD32_U', 'R', 'Uint32', 4],
  ];
  const wasmName = (n: string) => n.toLowerCase().replace('_', '.');
  const out: OpSpec[] = loads.map(([n, kind, get, bytes]) => {
    const v = `cf.mem0!.view.get${get}(${EA}${LE(bytes)})`;
    const body = n === 'F64_LOAD' ? `storeF64(num, @d, ${v});` : kind === 'R' && get !== 'BigInt64' ? `$d = BigInt(${v});` : `$d = ${v};`;
    return row(n, `d:${kind} a:I off:x`, { body, wasm: wasmName(n) });
  });
  const stores: readonly (readonly [string, string, string, number, string])[] = [
    ['I32_STORE', 'I', 'Int32', 4, '$v'], ['I64_STORE', 'R', 'BigInt64', 8, '$v as bigint'], ['F32_STORE', 'N', 'Uint32', 4, '$v'],
    ['F64_STORE', 'N', 'Float64', 8, ''], ['I32_STORE8', 'I', 'Uint8', 1, '$v'], ['I32_STORE16', 'I', 'Uint16', 2, '$v'],
    ['I64_STORE8', 'R', 'Uint8', 1, 'Number((($v) as bigint) & 0xffn)'], ['I64_STORE16', 'R', 'Uint16', 2, 'Number((($v) as bigint) & 0xffffn)'],
    ['I64_STORE32', 'R', 'Uint32', 4, 'Number((($v) as bigint) & 0xffffffffn)'],
  ];
  for (const [n, kind, set, bytes, val] of stores) {
    // (a NaN is stored by its bits: setFloat64 would not keep a signalling one)
    const body = n === 'F64_STORE'
      ? `const x = $v;
if (x === x) cf.mem0!.view.setFloat64(${EA}, x, true);
else cf.mem0!.view.setBigInt64(${EA}, f64ToI64(x), true);`
      : `cf.mem0!.view.set${set}(${EA}, ${val}${LE(bytes)});`;
    const k = ['I32_STORE', 'I32_STORE8', 'I32_STORE16'].includes(n) ? { k: `${n}_K` } : {};
    out.push(row(n, `a:I v:${kind} off:x`, { body, wasm: wasmName(n), ...k }));
  }
  for (const [n, set, bytes] of [['I32_STORE_K', 'Int32', 4], ['I32_STORE8_K', 'Uint8', 1], ['I32_STORE16_K', 'Uint16', 2]] as const) {
    out.push(row(n, 'a:I k:k off:x', { body: `cf.mem0!.view.set${set}(${EA}, $k${LE(bytes)});` }));
  }
  return out;
}

// ---- bulk operations on memories and tables: one template for both ---------------------------------------

/** MEMORY_FILL/COPY/INIT and TABLE_FILL/COPY/INIT from one template: the space and its helpers (bulk.ts) differ. */
function bulkOps(): OpSpec[] {
  const out: OpSpec[] = [];
  for (const [space, prefix, what, fill] of [['memories', 'memory', 'MEMORY', 'i32[@b + 1]!'], ['tables', 'table', 'TABLE', 'ref[@b + 1]!']] as const) {
    const is64 = (x: string) => `cf.instance.valid.${space}[${x}]!.addr === 'i64'`;
    out.push(
      row(`${what}_FILL`, 'b:B x:x', {
        body: `const x = $x;
const is64 = ${is64('x')};
${prefix}Fill(cf.instance.${space}[x]!, addrAt(i32, ref, @b, is64), ${fill}, addrAt(i32, ref, @b + 2, is64));`,
      }),
      row(`${what}_COPY`, 'b:B dst:x src:x', {
        body: `const d64 = ${is64('$dst')};
const s64 = ${is64('$src')};
const all = cf.instance.${space};
${prefix}Copy(all[$dst]!, all[$src]!, addrAt(i32, ref, @b, d64), addrAt(i32, ref, @b + 1, s64), addrAt(i32, ref, @b + 2, d64 && s64));`,
      }),
      row(`${what}_INIT`, `b:B x:x seg:x`, {
        body: `const x = $x;
${prefix}Init(cf.instance, cf.instance.${space}[x]!, $seg, addrAt(i32, ref, @b, ${is64('x')}), i32[@b + 1]! >>> 0, i32[@b + 2]! >>> 0);`,
      }),
    );
  }
  return out;
}

// ---- struct and array fields ----------------------------------------------------------------------------

const NULL_STRUCT = `if (o === null) trap('null structure reference');`;
const ARRAY_AT = (a: string, i: string) => `const a = ${a} as WasmArray | null;
if (a === null) trap(NULL_ARRAY);
const i = ${i} >>> 0;
if (i >= a.elems.length) trap(OOB_ARRAY);`;

function fieldOps(): OpSpec[] {
  const read = { N: (v: string) => `storeF64(num, @d, ${v} as number);`, R: (v: string) => `$d = ${v}!;`, I: (v: string) => `$d = (${v} as number) | 0;` };
  const sget = (k: 'N' | 'R' | 'I') => row(`STRUCT_GET_${k}`, `d:${k} s:R f:x`, {
    body: `const o = $s as WasmStruct | null;\n${NULL_STRUCT}\n${read[k]('o.fields[$f]')}`,
  });
  const sset = (k: 'N' | 'R' | 'I') => row(`STRUCT_SET_${k}`, `s:R v:${k} f:x`, {
    body: `const o = $s as WasmStruct | null;\n${NULL_STRUCT}\no.fields[$f] = $v;`,
  });
  const aget = (k: 'N' | 'R' | 'I') => row(`ARRAY_GET_${k}`, `d:${k} a:R i:I`, { body: `${ARRAY_AT('$a', '$i')}\n${read[k]('a.elems[i]')}` });
  const aset = (k: 'N' | 'R' | 'I') => row(`ARRAY_SET_${k}`, `a:R i:I v:${k}`, { body: `${ARRAY_AT('$a', '$i')}\na.elems[i] = $v;` });
  // the order of the kinds is N R I, as everywhere
  return [
    sget('N'), sget('R'), sget('I'),
    row('STRUCT_GET_P', 'd:I s:R f:x shift:x', {
      body: `const o = $s as WasmStruct | null;\n${NULL_STRUCT}\nconst sh = $shift;\n$d = ((o.fields[$f] as number) << sh) >> sh;`,
    }),
    sset('N'), sset('R'), sset('I'),
    row('STRUCT_SET_P', 's:R v:I f:x mask:x', { body: `const o = $s as WasmStruct | null;\n${NULL_STRUCT}\no.fields[$f] = $v & $mask;` }),
    row('ARRAY_NEW', 'b:B o:o', {
      body: 'const desc = $o as AggrDesc;\nref[@b] = newArray(desc.dt, i32[@b + 1]! >>> 0, slotValue(num, i32, ref, @b, desc.kinds[0]!));',
    }),
    row('ARRAY_NEW_DEFAULT', 'd:R c:I o:o', { body: '$d = newArrayDefault(($o as AggrDesc).dt, $c >>> 0);' }),
    row('ARRAY_NEW_FIXED', 'b:B o:o n:x', {
      body: 'const desc = $o as AggrDesc;\nref[@b] = newArrayFixed(desc.dt, slotValues(num, i32, ref, @b, desc.kinds, $n));',
    }),
    row('ARRAY_NEW_DATA', 'b:B o:o seg:x', { body: 'ref[@b] = arrayNewData(cf.instance, $o as AggrDesc, $seg, i32[@b]! >>> 0, i32[@b + 1]! >>> 0);' }),
    row('ARRAY_NEW_ELEM', 'b:B o:o seg:x', { body: 'ref[@b] = arrayNewElem(cf.instance, $o as AggrDesc, $seg, i32[@b]! >>> 0, i32[@b + 1]! >>> 0);' }),
    aget('N'), aget('R'), aget('I'),
    row('ARRAY_GET_P', 'd:I a:R i:I shift:x', { body: `${ARRAY_AT('$a', '$i')}\nconst sh = $shift;\n$d = ((a.elems[i] as number) << sh) >> sh;` }),
    aset('N'), aset('R'), aset('I'),
    row('ARRAY_SET_P', 'a:R i:I v:I mask:x', { body: `${ARRAY_AT('$a', '$i')}\na.elems[i] = $v & $mask;` }),
    row('ARRAY_LEN', 'd:I a:R', { body: `const a = $a as WasmArray | null;\nif (a === null) trap(NULL_ARRAY);\n$d = a.elems.length;` }),
    row('ARRAY_FILL', 'b:B o:o', {
      body: `const desc = $o as AggrDesc;
arrayFill(ref[@b] as WasmArray | null, desc, i32[@b + 1]! >>> 0, slotValue(num, i32, ref, @b + 2, desc.kinds[0]!), i32[@b + 3]! >>> 0);`,
    }),
    row('ARRAY_COPY', 'b:B o:o', {
      body: 'arrayCopy(ref[@b] as WasmArray | null, i32[@b + 1]! >>> 0, ref[@b + 2] as WasmArray | null, i32[@b + 3]! >>> 0, i32[@b + 4]! >>> 0);',
    }),
    row('ARRAY_INIT_DATA', 'b:B o:o seg:x', {
      body: 'arrayInitData(cf.instance, ref[@b] as WasmArray | null, $o as AggrDesc, $seg, i32[@b + 1]! >>> 0, i32[@b + 2]! >>> 0, i32[@b + 3]! >>> 0);',
    }),
    row('ARRAY_INIT_ELEM', 'b:B o:o seg:x', {
      body: 'arrayInitElem(cf.instance, ref[@b] as WasmArray | null, $seg, i32[@b + 1]! >>> 0, i32[@b + 2]! >>> 0, i32[@b + 3]! >>> 0);',
    }),
  ];
}

// ---- the instruction set, in opcode order -----------------------------------------------------------------

const POLL_JUMP = 'if (--budget < 0) budget = m.poll();\npc = $t;';

export const ISA: readonly OpSpec[] = [
  // ---- control
  row('UNREACHABLE', '', { body: `trap('unreachable executed');`, ends: true }),
  row('NOP', '', { body: '' }), // padding after peephole rewrites; never reached
  row('BR', 't:t', { jump: 'true' }),
  // a back-edge (as BR; the padding leaves room for the post-pass to rotate the loop)
  row('BR_LOOP', 't:t - - - -', { body: `${POLL_JUMP}\ncontinue;`, ends: true }),
  row('BR_IF', 'c:I t:t', { jump: '$c !== 0', neg: 'BR_UNLESS' }),
  row('BR_UNLESS', 'c:I t:t', { jump: '$c === 0', neg: 'BR_IF' }),
  // c n arity src (t d)*(n+1)
  row('BR_TABLE', 'c:I n:x arity:x src:S', { custom: true, size: -1 }),
  // results [s, s+n) to [0, n), then the frame returns
  row('RETURN', 's:S n:x', {
    body: `const s = @s;
for (let j = 0, n = $n; j < n; j++) {
  num[fp + j] = num[s + j]!;
  i32[fp + j] = i32[s + j]!;
  ref[fp + j] = ref[s + j]!;
}
break ret;`,
    ends: true,
  }),
  // no results (size 2, as BR: a branch to a return becomes one in place)
  row('RETURN0', '-', { body: 'break ret;', ends: true }),
  ...KINDS.map(([s, arr]) => row(`RETURN1_${s}`, `s:${s}`, { body: `${arr}[fp] = $s;\nbreak ret;`, ends: true })),
  row('CALL', 'f:x base:B', { body: 'callee = cf.funcs[$f]!;\nbase = $base;\nnext = %next;\nbreak call;', ends: true }),
  // i32[d] = a + k (the last argument), then CALL f base
  row('CALL_ADDI', 'f:x base:B d:I a:I k:k', {
    body: '$d = ($a + $k) | 0;\ncallee = cf.funcs[$f]!;\nbase = $base;\nnext = %next;\nbreak call;', ends: true,
  }),
  row('CALL_INDIRECT', 'type:o table:x base:B c:S is64:x', { body: 'callee = indirect(cf, i32, ref, fp, pc);\nbase = $base;\nnext = %next;\nbreak call;', ends: true }),
  row('CALL_REF', 'base:B r:R', {
    body: `const f = $r as FuncInst | null;\nif (f === null) trap('null function reference');\ncallee = f;\nbase = $base;\nnext = %next;\nbreak call;`, ends: true,
  }),
  row('RETURN_CALL', 'f:x base:B', { body: 'callee = cf.funcs[$f]!;\nbase = $base;\nbreak tail;', ends: true }),
  row('RETURN_CALL_INDIRECT', 'type:o table:x base:B c:S is64:x', { body: 'callee = indirect(cf, i32, ref, fp, pc);\nbase = $base;\nbreak tail;', ends: true }),
  row('RETURN_CALL_REF', 'base:B r:R', {
    body: `const f = $r as FuncInst | null;\nif (f === null) trap('null function reference');\ncallee = f;\nbase = $base;\nbreak tail;`, ends: true,
  }),
  row('THROW', 'tag:o b:B n:x', { custom: true }),
  row('THROW_REF', 's:R', { custom: true }),
  // ---- moves and constants
  ...perKind('MOV', 'd:A s:A', (arr) => `${arr}[@d] = $s;`),
  row('CONST_I32', 'd:I k:k', { body: '$d = $k;' }),
  row('CONST_F32', 'd:N k:k', { body: '$d = $k >>> 0;' }), // bits
  row('CONST_F64', 'd:N i:x', { body: '$d = cf.f64s[$i]!;' }), // an index in the f64 table
  row('CONST_R', 'd:R o:o', { body: '$d = $o as Value;' }),
  ...perKind('SELECT', 'd:A c:I a:A b:A', (arr) => `${arr}[@d] = $c !== 0 ? ${arr}[@a]! : ${arr}[@b]!;`),
  row('GLOBAL_GET_N', 'd:N g:x', { body: 'storeF64(num, @d, cf.globals[$g]!.value as number);' }),
  row('GLOBAL_GET_R', 'd:R g:x', { body: '$d = cf.globals[$g]!.value;' }),
  row('GLOBAL_GET_I', 'd:I g:x', { body: '$d = (cf.globals[$g]!.value as number) | 0;' }),
  ...perKind('GLOBAL_SET', 'g:x s:A', () => 'cf.globals[$g]!.value = $s;'),
  ...i32Ops(),
  ...jumpOps(),
  ...i64Ops(),
  ...floatOps(),
  ...genOps(),
  ...fastMemOps(),
  // ---- any memory access: o = MemAccess (kind, memory, offset, lane)
  row('MEM_LOAD', 'd:S a:S o:o', {
    body: `const acc = $o as MemAccess;
const r = memLoad(cf.instance, acc, addrAt(i32, ref, @a, acc.is64));
if (acc.vref) ref[@d] = r;
else if (acc.vi32) i32[@d] = (r as number) | 0;
else num[@d] = r as number;`,
  }),
  row('MEM_STORE', 'a:S v:S o:o', {
    body: `const acc = $o as MemAccess;
const v = @v;
memStore(cf.instance, acc, addrAt(i32, ref, @a, acc.is64), acc.vref ? ref[v]! : acc.vi32 ? i32[v]! : num[v]!);`,
  }),
  row('MEM_LOAD_LANE', 'd:R a:S v:R o:o', {
    body: `const acc = $o as MemAccess;\n$d = memLoadLane(cf.instance, acc, addrAt(i32, ref, @a, acc.is64), $v as Uint8Array);`,
  }),
  row('MEMORY_SIZE', 'd:S mem:x', {
    body: `const x = $mem;\nputAddr(i32, ref, @d, cf.instance.valid.memories[x]!.addr === 'i64', cf.instance.memories[x]!.buffer.byteLength / 65536);`,
  }),
  row('MEMORY_GROW', 'd:S s:S mem:x', {
    body: `const x = $mem;
const is64 = cf.instance.valid.memories[x]!.addr === 'i64';
putAddr(i32, ref, @d, is64, cf.instance.memories[x]!.grow(addrAt(i32, ref, @s, is64)));`,
  }),
  ...bulkOps().slice(0, 3),
  row('DATA_DROP', 'seg:x', { body: 'cf.instance.datas[$seg] = null;' }),
  // ---- tables
  row('TABLE_GET', 'd:R c:S table:x', {
    body: `const x = $table;
const elems = cf.instance.tables[x]!.elems;
const i = addrAt(i32, ref, @c, cf.instance.valid.tables[x]!.addr === 'i64');
if (i >= elems.length) trap(OOB_TABLE);
$d = elems[i]!;`,
  }),
  row('TABLE_SET', 'c:S v:R table:x', {
    body: `const x = $table;
const elems = cf.instance.tables[x]!.elems;
const i = addrAt(i32, ref, @c, cf.instance.valid.tables[x]!.addr === 'i64');
if (i >= elems.length) trap(OOB_TABLE);
elems[i] = $v;`,
  }),
  row('TABLE_SIZE', 'd:S table:x', {
    body: `const x = $table;\nputAddr(i32, ref, @d, cf.instance.valid.tables[x]!.addr === 'i64', cf.instance.tables[x]!.elems.length);`,
  }),
  row('TABLE_GROW', 'b:B table:x', {
    body: `const x = $table;
const is64 = cf.instance.valid.tables[x]!.addr === 'i64';
putAddr(i32, ref, @b, is64, cf.instance.tables[x]!.grow(addrAt(i32, ref, @b + 1, is64), ref[@b]!));`,
  }),
  ...bulkOps().slice(3),
  row('ELEM_DROP', 'seg:x', { body: 'cf.instance.elems[$seg] = null;' }),
  // ---- references
  row('REF_NULL', 'd:R', { body: '$d = null;' }),
  row('REF_IS_NULL', 'd:I s:R', { body: '$d = $s === null ? 1 : 0;' }),
  row('REF_FUNC', 'd:R f:x', { body: '$d = cf.funcs[$f]!;' }),
  row('REF_AS_NON_NULL', 's:R', { body: `if ($s === null) trap('null reference');` }),
  row('BR_ON_NULL', 's:R t:t', { jump: '$s === null' }),
  row('BR_ON_NON_NULL', 's:R t:t', { jump: '$s !== null' }),
  row('REF_EQ', 'd:I a:R b:R', { body: '$d = $a === $b ? 1 : 0;' }),
  row('REF_TEST', 'd:I s:R type:o', { body: '$d = refMatches($s, $type as CRefType) ? 1 : 0;' }),
  row('REF_CAST', 's:R type:o', { body: `if (!refMatches($s, $type as CRefType)) trap('cast failure');` }),
  row('BR_ON_CAST', 's:R type:o t:t', { jump: 'refMatches($s, $type as CRefType)' }),
  row('BR_ON_CAST_FAIL', 's:R type:o t:t', { jump: '!refMatches($s, $type as CRefType)' }),
  row('REF_I31', 'd:R s:I', { body: '$d = ($s << 1) >> 1;' }),
  row('I31_GET_S', 'd:I s:R', { body: `const v = $s;\nif (v === null) trap('null i31 reference');\n$d = (v as number) | 0;` }),
  row('I31_GET_U', 'd:I s:R', { body: `const v = $s;\nif (v === null) trap('null i31 reference');\n$d = (v as number) & 0x7fffffff;` }),
  row('ANY_CONVERT_EXTERN', 'd:R s:R', { body: '$d = internalize($s);' }),
  row('EXTERN_CONVERT_ANY', 'd:R s:R', { body: '$d = externalize($s);' }),
  // ---- aggregates (o = AggrDesc)
  row('STRUCT_NEW', 'b:B o:o', {
    body: 'const desc = $o as AggrDesc;\nref[@b] = newStruct(desc.dt, slotValues(num, i32, ref, @b, desc.kinds, desc.kinds.length));',
  }),
  row('STRUCT_NEW_DEFAULT', 'd:R o:o', { body: '$d = newStructDefault(($o as AggrDesc).dt);' }),
  ...fieldOps(),
  // ---- stack switching
  row('CONT_NEW', 'd:R f:R type:o', {
    body: `const f = $f as FuncInst | null;\nif (f === null) trap('null function reference');\n$d = new Cont($type as DefType, f, null, null, 0, 0);`,
  }),
  row('CONT_BIND', 'b:B site:o', { custom: true }), // o: BindSite
  row('SUSPEND', 'base:B tag:o n:x', { custom: true }),
  row('RESUME', 'base:B site:o', { custom: true }), // o: ResumeSite
  row('RESUME_THROW', 'base:B site:o tag:o n:x', { custom: true }),
  row('RESUME_THROW_REF', 'base:B site:o', { custom: true }),
  row('SWITCH', 'base:B site:o', { custom: true }), // o: SwitchSite
];
