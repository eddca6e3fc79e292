// Floats <-> their IEEE bits, in one place for the whole project (parser,
// printer, interpreter, WAST harness). f32 bits are unsigned 32-bit numbers;
// f64 bits are bigints.
//
// Signalling NaNs: once V8 optimises a function (Maglev/TurboFan), storing a
// number into a Float64Array or through DataView.setFloat64 sets the quiet bit
// of a signalling NaN; the `fill` builtin copies the bits intact. So every f64
// written to typed memory goes through `storeF64` (see docs/interpreter.md).

const scratch = new ArrayBuffer(8);
const F64 = new Float64Array(scratch);
const F32 = new Float32Array(scratch);
const U32 = new Uint32Array(scratch);
const I64 = new BigInt64Array(scratch);
const U64 = new BigUint64Array(scratch);

/** Stores an f64 into a Float64Array slot, keeping the bits of a signalling NaN. */
export function storeF64(target: Float64Array, index: number, x: number): void {
  if (x === x) target[index] = x;
  else target.fill(x, index, index + 1);
}

/** The value of f32 bits, as a double (a signalling NaN comes back quieted: doubles cannot hold it). */
export function f32FromBits(bits: number): number {
  U32[0] = bits;
  return F32[0]!;
}

/** A double rounded to f32 (ties to even), as unsigned bits. */
export function f32ToBits(x: number): number {
  F32[0] = x;
  return U32[0]!;
}

/** The f64 of 64 bits, given as a signed or unsigned bigint (both wrap modulo 2^64). */
export function f64FromBits(bits: bigint): number {
  U64[0] = BigInt.asUintN(64, bits);
  return F64[0]!;
}

/** The bits of an f64, as an unsigned bigint. */
export function f64ToBits(x: number): bigint {
  storeF64(F64, 0, x);
  return U64[0]!;
}

/** The bits of an f64, as a signed bigint (the i64 of `i64.reinterpret_f64`). */
export function f64ToI64(x: number): bigint {
  storeF64(F64, 0, x);
  return I64[0]!;
}
