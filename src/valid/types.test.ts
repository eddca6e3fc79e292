import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type CValType, type DefType, bottomHeap, internRecType, isSubDef, isSubHeap, isSubtype, matchFuncType,
  refType, topHeap,
} from './types.ts';
import { arrayT, contT, funcT, mod, rec, ref, refNull, structT, sub, valid } from '../../test/helpers/valid-testkit.ts';
import type { AbsHeapType } from '../syntax/types.ts';

test('equivalent rec groups of two modules are the same objects', () => {
  const group = (base: number) => rec(
    structT({ mutable: false, type: refNull(base + 1) }),
    funcT([ref(base)], [refNull(base + 1)]),
  );
  const a = valid(mod({ types: [group(0)] }));
  const b = valid(mod({ types: [rec(arrayT('i8')), group(1)] }));
  assert.equal(a.types[0], b.types[1]);
  assert.equal(a.types[1], b.types[2]);
  assert.equal(a.types[0]!.group, b.types[1]!.group);
  // the unrolled composite type refers to the canonical types themselves
  const st = a.types[0]!.comp;
  assert.equal(st.kind, 'struct');
  if (st.kind === 'struct') assert.equal(st.fields[0]!.type, a.types[1]!.refNull);
});

test('references to earlier types are canonical', () => {
  const a = valid(mod({ types: [rec(structT()), rec(funcT([ref(0)], []))] }));
  const b = valid(mod({ types: [rec(arrayT('i32')), rec(structT()), rec(funcT([ref(1)], []))] }));
  assert.equal(a.types[1], b.types[2]);
  assert.notEqual(a.types[0], b.types[0]);
});

test('distinct structure gives distinct types', () => {
  const t = (s: ReturnType<typeof rec>) => valid(mod({ types: [s] })).types[0]!;
  const base = t(rec(structT()));
  assert.equal(base, t(rec(structT())));
  assert.notEqual(base, t(rec(sub(structT(), [], false)))); // not final
  assert.notEqual(base, t({ types: [sub(structT()), sub(structT())] }));
  // position in the group matters
  const g1 = valid(mod({ types: [rec(structT(), arrayT('i32'))] }));
  const g2 = valid(mod({ types: [rec(arrayT('i32'), structT())] }));
  assert.notEqual(g1.types[0], g2.types[1]);
  // a self-reference differs from a reference to an equivalent earlier type
  const self = valid(mod({ types: [rec(funcT([ref(0)], []))] }));
  const other = valid(mod({ types: [rec(funcT([ref(0)], [])), rec(funcT([ref(0)], []))] }));
  assert.equal(self.types[0], other.types[0]);
  assert.notEqual(other.types[0], other.types[1]);
});

test('equal types within one module are identical', () => {
  const m = valid(mod({ types: [rec(funcT(['i32'], [])), rec(funcT(['i32'], []))] }));
  assert.equal(m.types[0], m.types[1]);
  assert.equal(refType(true, m.types[0]!), m.types[1]!.refNull);
});

test('interned reference types compare by identity', () => {
  assert.equal(refType(true, 'func'), refType(true, 'func'));
  assert.notEqual(refType(true, 'func'), refType(false, 'func'));
});

test('abstract heap type hierarchy', () => {
  const sub = (a: AbsHeapType, b: AbsHeapType) => isSubHeap(a, b);
  for (const h of ['eq', 'i31', 'struct', 'array', 'none'] as const) assert.ok(sub(h, 'any'), h);
  for (const h of ['i31', 'struct', 'array', 'none'] as const) assert.ok(sub(h, 'eq'), h);
  assert.ok(sub('none', 'i31'));
  assert.ok(!sub('i31', 'struct'));
  assert.ok(!sub('any', 'eq'));
  assert.ok(sub('nofunc', 'func'));
  assert.ok(sub('noextern', 'extern'));
  assert.ok(sub('noexn', 'exn'));
  assert.ok(sub('nocont', 'cont'));
  assert.ok(!sub('cont', 'func'));
  assert.ok(!sub('func', 'any'));
  assert.ok(!sub('extern', 'any'));
  assert.ok(!sub('none', 'func'));
  assert.ok(!sub('nofunc', 'cont'));
  assert.equal(topHeap('i31'), 'any');
  assert.equal(bottomHeap('cont'), 'nocont');
});

test('defined types in the abstract hierarchy', () => {
  const m = valid(mod({ types: [rec(structT()), rec(arrayT('i32')), rec(funcT([], [])), rec(contT(2))] }));
  const [s, a, f, k] = m.types as DefType[];
  assert.ok(isSubHeap(s!, 'struct') && isSubHeap(s!, 'eq') && isSubHeap(s!, 'any') && !isSubHeap(s!, 'array'));
  assert.ok(isSubHeap(a!, 'array') && isSubHeap(a!, 'eq') && !isSubHeap(a!, 'struct'));
  assert.ok(isSubHeap(f!, 'func') && !isSubHeap(f!, 'any'));
  assert.ok(isSubHeap(k!, 'cont') && !isSubHeap(k!, 'func'));
  assert.ok(isSubHeap('none', s!) && isSubHeap('none', a!) && !isSubHeap('none', f!));
  assert.ok(isSubHeap('nofunc', f!) && isSubHeap('nocont', k!) && !isSubHeap('nocont', f!));
  assert.ok(!isSubHeap('struct', s!));
  assert.equal(topHeap(k!), 'cont');
  assert.equal(topHeap(a!), 'any');
});

test('declared subtyping chains', () => {
  const m = valid(mod({
    types: [
      rec(sub(structT(), [], false)),
      rec(sub(structT({ mutable: false, type: 'i32' }), [0], false)),
      rec(sub(structT({ mutable: false, type: 'i32' }, { mutable: true, type: 'f64' }), [1])),
      rec(sub(structT({ mutable: false, type: 'i32' }), [0], false)),
    ],
  }));
  const [a, b, c, d] = m.types as DefType[];
  assert.ok(isSubDef(c!, a!) && isSubDef(c!, b!) && isSubDef(b!, a!) && isSubDef(a!, a!));
  assert.ok(!isSubDef(a!, b!) && !isSubDef(b!, c!));
  // b and d are written apart but are equivalent: the same type
  assert.equal(b, d);
  assert.ok(isSubDef(c!, d!));
  const t = (x: DefType, nullable = false): CValType => refType(nullable, x);
  assert.ok(isSubtype(t(c!), t(a!, true)));
  assert.ok(!isSubtype(t(c!, true), t(a!)));
  assert.ok(isSubtype('bot', t(a!)));
  assert.ok(!isSubtype('i32', 'i64'));
});

test('function type matching is contravariant in parameters', () => {
  const m = valid(mod({
    types: [rec(sub(structT(), [], false)), rec(sub(structT({ mutable: false, type: 'i32' }), [0]))],
  }));
  const [a, b] = m.types as DefType[];
  const f = (p: CValType[], r: CValType[]) => ({ kind: 'func' as const, params: p, results: r });
  assert.ok(matchFuncType(f([a!.ref], [b!.ref]), f([b!.ref], [a!.ref])));
  assert.ok(!matchFuncType(f([b!.ref], [b!.ref]), f([a!.ref], [b!.ref])));
  assert.ok(!matchFuncType(f([a!.ref], [a!.ref]), f([a!.ref], [b!.ref])));
});

test('unknown type references', () => {
  assert.throws(() => internRecType(rec(funcT([ref(3)], [])), []), /unknown type 3/);
});
