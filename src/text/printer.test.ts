import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModule } from '../binary/decoder.ts';
import { encodeModule } from '../binary/encoder.ts';
import { emptyModule, type Module } from '../syntax/ast.ts';
import { instr } from '../syntax/opcodes.ts';
import type { FuncType, RefType } from '../syntax/types.ts';
import { parseModule } from './parser.ts';
import { printBytes, printId, printInstr, printModule, printString, printValType } from './printer.ts';
import { parseScript } from '../script/script-parser.ts';
import { coreWastFiles, specDir } from '../../test/helpers/spec.ts';
import { stripOffsets } from '../../test/helpers/modules.ts';

const func = (params: FuncType['params'], results: FuncType['results'] = []) =>
  ({ types: [{ final: true, supers: [], comp: { kind: 'func', params, results } as FuncType }] });
const ref = (nullable: boolean, heap: RefType['heap']): RefType => ({ nullable, heap });

test('empty module', () => {
  assert.equal(printModule(emptyModule()), '(module)\n');
  const m = emptyModule();
  m.names.module = 'm';
  assert.equal(printModule(m), '(module $m)\n');
});

test('identifiers and strings', () => {
  assert.equal(printId('foo.bar'), '$foo.bar');
  assert.equal(printId('has space'), '$"has space"');
  assert.equal(printId('ü'), '$"ü"');
  assert.equal(printString('a"b\\c\n\u0001é'), '"a\\"b\\\\c\\n\\u{1}é"');
  assert.equal(printBytes(new Uint8Array([0x61, 0, 0xff, 0x22, 0x0a])), '"a\\00\\ff\\"\\n"');
  assert.equal(printValType(ref(true, 'func')), 'funcref');
  assert.equal(printValType(ref(false, 'func')), '(ref func)');
  assert.equal(printValType(ref(true, 'nocont')), 'nullcontref');
  assert.equal(printValType(ref(true, 3)), '(ref null 3)');
});

test('single instructions', () => {
  assert.equal(printInstr(instr('i32.const', -5)), 'i32.const -5');
  assert.equal(printInstr(instr('i64.const', 2n ** 63n - 1n)), 'i64.const 9223372036854775807');
  assert.equal(printInstr(instr('f32.const', 0xff800000)), 'f32.const -inf');
  assert.equal(printInstr(instr('f64.const', 0x400921fb54442d18n)), 'f64.const 3.141592653589793');
  assert.equal(printInstr(instr('i32.load', { align: 2, offset: 0n, mem: 0 })), 'i32.load');
  assert.equal(printInstr(instr('i32.load8_u', { align: 0, offset: 4n, mem: 0 })), 'i32.load8_u offset=4');
  assert.equal(printInstr(instr('i64.store', { align: 2, offset: 0n, mem: 2 })), 'i64.store 2 align=4');
  assert.equal(printInstr(instr('v128.load8_lane', { align: 0, offset: 1n, mem: 1 }, 7)), 'v128.load8_lane 1 offset=1 7');
  assert.equal(printInstr(instr('memory.size', 0)), 'memory.size');
  assert.equal(printInstr(instr('memory.copy', 0, 0)), 'memory.copy');
  assert.equal(printInstr(instr('memory.copy', 1, 0)), 'memory.copy 1 0');
  assert.equal(printInstr(instr('memory.init', 3, 0)), 'memory.init 3');
  assert.equal(printInstr(instr('memory.init', 3, 1)), 'memory.init 1 3');
  assert.equal(printInstr(instr('table.init', 2, 1)), 'table.init 1 2');
  assert.equal(printInstr(instr('table.init', 2, 0)), 'table.init 2');
  assert.equal(printInstr(instr('table.get', 0)), 'table.get');
  assert.equal(printInstr(instr('call_indirect', 4, 0)), 'call_indirect (type 4)');
  assert.equal(printInstr(instr('return_call_indirect', 4, 2)), 'return_call_indirect 2 (type 4)');
  assert.equal(printInstr(instr('select', null)), 'select');
  assert.equal(printInstr(instr('select', [])), 'select (result)');
  assert.equal(printInstr(instr('select', ['i32', ref(true, 'extern')])), 'select (result i32 externref)');
  assert.equal(printInstr(instr('ref.null', 'nofunc')), 'ref.null nofunc');
  assert.equal(printInstr(instr('ref.null', 2)), 'ref.null 2');
  assert.equal(printInstr(instr('ref.test', ref(true, 1))), 'ref.test (ref null 1)');
  assert.equal(printInstr(instr('ref.cast', ref(false, 'i31'))), 'ref.cast (ref i31)');
  assert.equal(printInstr(instr('br_on_cast', { label: 1, from: ref(true, 'any'), to: ref(false, 3) })),
    'br_on_cast 1 anyref (ref 3)');
  assert.equal(printInstr(instr('array.new_fixed', 2, 5)), 'array.new_fixed 2 5');
  assert.equal(printInstr(instr('i8x16.shuffle', Uint8Array.from({ length: 16 }, (_, i) => i))),
    'i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15');
  assert.equal(printInstr(instr('v128.const', Uint8Array.from({ length: 16 }, (_, i) => i))),
    'v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c');
  assert.equal(printInstr(instr('i16x8.extract_lane_s', 3)), 'i16x8.extract_lane_s 3');
  assert.equal(printInstr(instr('cont.bind', 1, 2)), 'cont.bind 1 2');
  assert.equal(printInstr(instr('resume_throw', 1, 2, [{ tag: 0, label: 3 }])), 'resume_throw 1 2 (on 0 3)');
  assert.equal(printInstr(instr('switch', 1, 0)), 'switch 1 0');
});

function demo(): Module {
  const m = emptyModule();
  m.names.module = 'demo';
  m.types.push(func(['i32'], ['i32']));
  m.types.push({
    explicit: true,
    types: [
      { final: false, supers: [], comp: { kind: 'struct', fields: [{ mutable: true, type: 'i32' }, { mutable: false, type: ref(true, 1) }] } },
      { final: true, supers: [1], comp: { kind: 'struct', fields: [{ mutable: true, type: 'i32' }, { mutable: false, type: ref(true, 1) }, { mutable: false, type: 'i8' }] } },
    ],
  });
  m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'cont', type: 0 } }] });
  m.types.push({ types: [{ final: false, supers: [], comp: { kind: 'array', field: { mutable: true, type: 'i16' } } }] });
  m.types.push(func([]));
  m.names.types.set(0, 'ft');
  m.names.types.set(1, 'a');
  m.names.types.set(3, 'ct');
  m.names.fields.set(1, new Map([[0, 'x']]));
  m.imports.push({ module: 'env', name: 'f', desc: { kind: 'func', type: 0 }, at: -1 });
  m.imports.push({ module: 'env', name: 'g', desc: { kind: 'global', type: { mutable: false, type: 'i32' } }, at: -1 });
  m.names.funcs.set(1, 'main');
  m.names.tags.set(0, 'yield');
  m.names.locals.set(1, new Map([[0, 'p'], [2, 'tmp']]));
  m.names.labels.set(1, new Map([[0, 'outer'], [3, 'h']]));
  m.funcs.push({
    type: 0, locals: ['i64', 'f32', ref(true, 3)], at: -1, body: [
      instr('block', { type: 0 }),
      instr('local.get', 0),
      instr('loop', 'i32'),
      instr('br_if', 1),
      instr('br', 0),
      instr('end'),
      instr('end'),
      instr('drop'),
      instr('block', null),
      instr('block', ref(true, 3)),
      instr('local.get', 3),
      instr('resume', 3, [{ tag: 0, label: 0 }, { tag: 0, label: null }]),
      instr('unreachable'),
      instr('end'),
      instr('drop'),
      instr('end'),
      instr('try_table', null, [{ kind: 'catch', tag: 0, label: 0 }, { kind: 'catch_all_ref', label: 0 }]),
      instr('f32.const', 0x3dcccccd),
      instr('local.set', 2),
      instr('i64.load', { align: 3, offset: 0n, mem: 0 }),
      instr('i64.store', { align: 1, offset: 16n, mem: 0 }),
      instr('struct.get', 1, 0),
      instr('call_indirect', 4, 0),
      instr('br_table', { labels: [0, 1], default: 1 }),
      instr('end'),
      instr('local.get', 0),
      instr('if', 'i32'),
      instr('i32.const', 1),
      instr('else'),
      instr('i32.const', 2),
      instr('end'),
      instr('end'),
    ],
  });
  m.funcs.push({ type: 4, locals: [], at: -1, body: [instr('end')] });
  m.tables.push({ type: { addr: 'i32', limits: { min: 1n, max: 10n }, elem: ref(true, 'func') }, init: null, at: -1 });
  m.tables.push({ type: { addr: 'i64', limits: { min: 0n, max: null }, elem: ref(false, 0) }, init: [instr('ref.func', 1), instr('end')], at: -1 });
  m.memories.push({ type: { addr: 'i32', limits: { min: 1n, max: null } }, at: -1 });
  m.globals.push({ type: { mutable: true, type: 'i32' }, init: [instr('global.get', 0), instr('i32.const', 2), instr('i32.mul'), instr('end')], at: -1 });
  m.globals.push({ type: { mutable: false, type: 'f64' }, init: [instr('f64.const', 0x3ff8000000000000n), instr('end')], at: -1 });
  m.tags.push({ type: 4, at: -1 });
  m.exports.push({ name: 'main', kind: 'func', index: 1, at: -1 });
  m.exports.push({ name: 'mem', kind: 'memory', index: 0, at: -1 });
  m.start = 2;
  m.elems.push({ type: ref(false, 'func'), init: [[instr('ref.func', 1), instr('end')], [instr('ref.func', 0), instr('end')]], mode: { kind: 'active', table: 0, offset: [instr('i32.const', 0), instr('end')] }, at: -1 });
  m.elems.push({ type: ref(true, 'func'), init: [[instr('ref.null', 'func'), instr('end')]], mode: { kind: 'passive' }, at: -1 });
  m.elems.push({ type: ref(false, 'func'), init: [[instr('ref.func', 2), instr('end')]], mode: { kind: 'declarative' }, at: -1 });
  m.datas.push({ init: new TextEncoder().encode('hi\n"\\'), mode: { kind: 'active', memory: 0, offset: [instr('i32.const', 8), instr('end')] }, at: -1 });
  m.datas.push({ init: new Uint8Array([0, 1, 2]), mode: { kind: 'passive' }, at: -1 });
  m.names.datas.set(1, 'bytes');
  m.customs.push({ name: 'hello', bytes: new Uint8Array([1, 2]), after: 3 });
  m.customs.push({ name: 'first', bytes: new Uint8Array([]), after: 0 });
  return m;
}

const DEMO = `(module $demo
  (type $ft (;0;) (func (param i32) (result i32)))
  (rec
    (type $a (;1;) (sub (struct (field $x (mut i32)) (field (ref null $a)))))
    (type (;2;) (sub final $a (struct (field (mut i32)) (field (ref null $a)) (field i8))))
  )
  (type $ct (;3;) (cont $ft))
  (type (;4;) (sub (array (mut i16))))
  (type (;5;) (func))
  (import "env" "f" (func (;0;) (type $ft)))
  (import "env" "g" (global (;0;) i32))
  (func $main (;1;) (type $ft) (param $p i32) (result i32)
    (local i64) (local $tmp f32) (local (ref null $ct))
    block $outer (type $ft)
      local.get $p
      loop (result i32) ;; label = @2
        br_if $outer
        br 0 (;@2;)
      end
    end
    drop
    block ;; label = @1
      block $h (result (ref null $ct))
        local.get 3
        resume $ct (on $yield $h) (on $yield switch)
        unreachable
      end
      drop
    end
    try_table (catch $yield 0 (;@0;)) (catch_all_ref 0 (;@0;)) ;; label = @1
      f32.const 0.1
      local.set $tmp
      i64.load
      i64.store offset=16 align=2
      struct.get $a $x
      call_indirect (type 4)
      br_table 0 (;@1;) 1 (;@0;) 1 (;@0;)
    end
    local.get $p
    if (result i32) ;; label = @1
      i32.const 1
    else
      i32.const 2
    end
  )
  (func (;2;) (type 4))
  (table (;0;) 1 10 funcref)
  (table (;1;) i64 0 (ref $ft) (ref.func $main))
  (memory (;0;) 1)
  (global (;1;) (mut i32) global.get 0 i32.const 2 i32.mul)
  (global (;2;) f64 (f64.const 1.5))
  (tag $yield (;0;) (type 4))
  (export "main" (func $main))
  (export "mem" (memory 0))
  (start 2)
  (elem (;0;) (i32.const 0) func $main 0)
  (elem (;1;) funcref (item ref.null func))
  (elem (;2;) declare func 2)
  (data (;0;) (i32.const 8) "hi\\n\\"\\\\")
  (data $bytes (;1;) "\\00\\01\\02")
  (@custom "hello" (after func) "\\01\\02")
  (@custom "first" (before first) "")
)
`;

test('golden: a module with every kind of field', () => {
  assert.equal(printModule(demo()), DEMO);
});

test('indent option and long data', () => {
  const m = emptyModule();
  m.memories.push({ type: { addr: 'i32', limits: { min: 1n, max: 1n } }, at: -1 });
  m.datas.push({ init: new Uint8Array(100).fill(0x41), mode: { kind: 'active', memory: 0, offset: [instr('i32.const', 0), instr('end')] }, at: -1 });
  assert.equal(printModule(m, { indent: 4 }), `(module
    (memory (;0;) 1 1)
    (data (;0;) (i32.const 0)
        "${'A'.repeat(64)}"
        "${'A'.repeat(36)}"
    )
)
`);
});

test('names: a repeated name gets a synthetic id and (@name); shadowed labels print as depths', () => {
  const m = emptyModule();
  m.types.push(func([]));
  m.names.funcs.set(0, 'f');
  m.names.funcs.set(1, 'f');
  m.names.labels.set(0, new Map([[0, 'l'], [1, 'l']]));
  m.funcs.push({
    type: 0, locals: [], at: -1, body: [
      instr('block', null), instr('block', null), instr('br', 0), instr('br', 1), instr('end'), instr('end'), instr('end'),
    ],
  });
  m.funcs.push({ type: 0, locals: [], at: -1, body: [instr('call', 0), instr('call', 1), instr('end')] });
  assert.equal(printModule(m), `(module
  (type (;0;) (func))
  (func $f (;0;) (type 0)
    block $l
      block $l
        br $l
        br 1 (;@1;)
      end
    end
  )
  (func $"#func1 f" (@name "f") (;1;) (type 0)
    call $f
    call $"#func1 f"
  )
)
`);
  assert.deepEqual(parseModule(printModule(m)).names, m.names);
});

test('a function whose type is not a function type still prints', () => {
  const m = emptyModule();
  m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'struct', fields: [] } }] });
  m.names.locals.set(0, new Map([[0, 'x']]));
  m.funcs.push({ type: 0, locals: ['i32'], at: -1, body: [instr('local.get', 0), instr('drop'), instr('end')] });
  m.funcs.push({ type: 7, locals: [], at: -1, body: [instr('end')] });
  assert.equal(printModule(m), `(module
  (type (;0;) (struct))
  (func (;0;) (type 0)
    (local i32)
    local.get 0
    drop
  )
  (func (;1;) (type 7))
)
`);
});

// ---- round trips ----------------------------------------------------------------
//
// print -> parse gives the same module: compared structurally (without source offsets;
// names included), by the encoder's bytes, and by printing again (printing is idempotent).


/**
 * Checks that `m` survives print -> parse. `ignore` lists Module fields the parser does not
 * reproduce (they are copied over before comparing).
 */
function roundTrip(m: Module, ignore: readonly (keyof Module)[] = []): string {
  const printed = printModule(m);
  const m2 = parseModule(printed, 'printed');
  for (const k of ignore) (m2 as unknown as Record<string, unknown>)[k] = m[k];
  assert.deepStrictEqual(stripOffsets(m2), stripOffsets(m), printed);
  let bytes: Uint8Array | null = null;
  try {
    bytes = encodeModule(m);
  } catch {
    // an invalid module the encoder refuses
  }
  if (bytes) assert.deepStrictEqual(encodeModule(m2), bytes, printed);
  assert.equal(printModule(m2), printed);
  return printed;
}


test('round trip: the golden module', () => {
  roundTrip(demo());
});

test('round trip: names that need quoting, labels, fields, locals', () => {
  const m = parseModule(`(module $"my module"
    (type $"pair type" (struct (field $"first field" i32) (field $second (mut i64))))
    (type $sig (func (param i32) (result i32)))
    (func $"f\u{1F600}" (type $sig) (param $"the param" i32) (result i32) (local $"a b" i64)
      (block $"outer label" (result i32)
        (loop $l (result i32)
          (block $l (br_if $"outer label" (local.get $"the param")) (br 1))
          (i32.const 0)))))`);
  const printed = roundTrip(m);
  assert.match(printed, /block \$"outer label" \(result i32\)/);
  assert.match(printed, /br_if \$"outer label"/);
  assert.match(printed, /br 1 \(;@2;\)/); // $l is shadowed there
  assert.match(printed, /\(param \$"the param" i32\)/);
  assert.match(printed, /\(field \$"first field" i32\)/);
});

const SPEC = join(specDir(), 'core');
const specFiles = (): string[] => coreWastFiles();

/**
 * The text of every `(module ...)` form (at any depth) that is neither binary nor quoted
 * (`module definition` is read as a plain module).
 */
function textModules(src: string): string[] {
  const out: string[] = [];
  const starts: number[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const ch = src[i]!;
    if (ch === ';' && src[i + 1] === ';') {
      while (i < n && src[i] !== '\n') i++;
    } else if (ch === '(' && src[i + 1] === ';') {
      let depth = 0;
      do {
        if (src[i] === '(' && src[i + 1] === ';') {
          depth++;
          i += 2;
        } else if (src[i] === ';' && src[i + 1] === ')') {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < n);
    } else if (ch === '"') {
      i++;
      while (i < n && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (ch === '(') {
      starts.push(i);
      i++;
    } else if (ch === ')') {
      const s = starts.pop() ?? 0;
      const text = src.slice(s, i + 1);
      const m = /^\(module(?:\s+definition)?(?:\s+\$[^\s()]+)?\s*(\S*)/.exec(text);
      if (m && /^\(module[\s)]/.test(text) && !/^(binary|quote|instance)\b/.test(m[1]!)) {
        out.push(text.replace(/^\(module\s+definition\b/, '(module'));
      }
      i++;
    } else i++;
  }
  return out;
}

const short = (file: string, text: string): string =>
  `${file.slice(SPEC.length + 1)}: ${text.slice(0, 70).replace(/\s+/g, ' ')}`;
const firstLines = (e: unknown): string => String((e as Error).message).split('\n').slice(0, 40).join('\n');

test('spec suite: every text module round trips (parse -> print -> parse)', (t) => {
  let total = 0;
  let unparsed = 0;
  let ok = 0;
  const failures: string[] = [];
  for (const file of specFiles()) {
    for (const text of textModules(readFileSync(file, 'utf8'))) {
      total++;
      let m: Module;
      try {
        m = parseModule(text, file);
      } catch {
        unparsed++; // the parser's business, not the printer's
        continue;
      }
      try {
        roundTrip(m);
        ok++;
      } catch (e) {
        failures.push(`${short(file, text)}\n${firstLines(e)}`);
      }
    }
  }
  t.diagnostic(`text modules: ${total}, parsed: ${total - unparsed}, round trips: ${ok}, ` +
    `failures: ${failures.length}`);
  if (failures.length) assert.fail(`${failures.length} modules do not round trip:\n${failures.slice(0, 5).join('\n\n')}`);
  assert.ok(ok > 4000);
});

test('spec suite: every decodable binary module round trips (decode -> print -> parse)', (t) => {
  let total = 0;
  let ok = 0;
  let customs = 0;
  const failures: string[] = [];
  for (const file of specFiles()) {
    const script = parseScript(readFileSync(file, 'utf8'), file);
    for (const c of script.commands) {
      if (!('source' in c) || c.kind === 'assert_malformed' || c.source.kind !== 'binary') continue;
      let m: Module;
      try {
        m = decodeModule(c.source.bytes);
      } catch {
        continue;
      }
      total++;
      if (m.customs.length) customs++;
      try {
        // the data count section is the decoder's record of the binary; the parser infers it
        roundTrip(m, ['dataCount']);
        ok++;
      } catch (e) {
        failures.push(`${file.slice(SPEC.length + 1)}\n${firstLines(e)}`);
      }
    }
  }
  t.diagnostic(`binary modules: ${total}, round trips: ${ok}, with custom sections: ${customs}`);
  if (failures.length) assert.fail(`${failures.length} modules do not round trip:\n${failures.slice(0, 5).join('\n\n')}`);
});

test('custom sections survive as @custom annotations', () => {
  const m = emptyModule();
  m.types.push(func([]));
  m.customs.push({ name: 'a', bytes: new Uint8Array([1, 2, 3]), after: 0 });
  m.customs.push({ name: 'b', bytes: new Uint8Array([]), after: 1 });
  roundTrip(m);
});
