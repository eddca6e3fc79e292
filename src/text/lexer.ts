// The lexer of the text format (after the reference interpreter's lexer.mll).
//
// Tokens are produced lazily, on demand of the parser, into growing typed
// arrays (kind, start, end): the parser walks them by index and may look
// ahead or jump back (the module parser makes two passes over a module).
// Errors are raised when the offending token is reached, so that a parse
// error earlier in the text wins, as in the reference interpreter.
//
// A token keeps only its extent in the text; values are computed on demand:
// `tokenText` (keywords, numbers), `stringBytes`/`stringName` (string
// literals), `idName` (identifiers). Numbers stay raw text; numbers.ts
// converts them.
//
// Text that came from bytes that are not valid UTF-8 (quoted modules whose
// strings contain `\ff`-style escapes) is represented with lone surrogates
// U+DC80..U+DCFF for the invalid bytes (see `decodeUtf8Lossless`); the lexer
// reports any lone surrogate as "malformed UTF-8 encoding".

import { WasmSyntaxError } from '../util/errors.ts';
import { BY_NAME } from '../syntax/opcodes.ts';

// ---- token kinds ----------------------------------------------------------------

export const LPAR = 0;
export const RPAR = 1;
/** unsigned integer: `123`, `0x1f` */
export const NAT = 2;
/** signed integer: `+1`, `-0x10` */
export const INT = 3;
/** any other number: `1.5`, `1e3`, `inf`, `nan:0x1` */
export const FLOAT = 4;
export const STRING = 5;
/** `$x` or `$"x"` */
export const ID = 6;
/** a known keyword (instruction names included) */
export const KEYWORD = 7;
/** `offset=N` */
export const OFFSET_EQ = 8;
/** `align=N` */
export const ALIGN_EQ = 9;
export const EOF = 10;

export type TokenKind = number;

const KIND_NAMES = ['(', ')', 'nat', 'int', 'float', 'string', 'id', 'keyword', 'offset=', 'align=', 'eof'];
export const kindName = (k: TokenKind): string => KIND_NAMES[k] ?? '?';

/** Keywords that are not instruction names (from lexer.mll). */
const OTHER_KEYWORDS = [
  'i8', 'i16', 'i32', 'i64', 'f32', 'f64', 'v128', 'i8x16', 'i16x8', 'i32x4', 'i64x2', 'f32x4', 'f64x2',
  'any', 'anyref', 'none', 'nullref', 'eq', 'eqref', 'i31', 'i31ref', 'structref', 'arrayref', 'nofunc',
  'funcref', 'nullfuncref', 'exn', 'noexn', 'exnref', 'nullexnref', 'extern', 'noextern', 'externref',
  'nullexternref', 'nocont', 'contref', 'nullcontref', 'ref', 'null',
  'array', 'struct', 'field', 'mut', 'cont', 'sub', 'final', 'rec',
  'then', 'do', 'catch', 'catch_ref', 'catch_all', 'catch_all_ref',
  'ref.struct', 'ref.array', 'ref.exn', 'ref.extern', 'ref.host',
  // script result patterns beyond the reference's: (ref.any), (ref.cont)
  'ref.any', 'ref.cont',
  'type', 'func', 'param', 'result', 'start', 'local', 'global', 'table', 'memory', 'tag', 'elem', 'data',
  'declare', 'offset', 'on', 'item', 'import', 'export',
  'module', 'binary', 'quote', 'definition', 'instance',
  'script', 'register', 'invoke', 'get', 'assert_malformed', 'assert_invalid', 'assert_malformed_custom',
  'assert_invalid_custom', 'assert_unlinkable', 'assert_return', 'assert_trap', 'assert_exception',
  'assert_exhaustion', 'assert_suspension', 'nan:canonical', 'nan:arithmetic', 'either', 'input', 'output',
];

const KEYWORDS: ReadonlySet<string> = new Set([...BY_NAME.keys(), ...OTHER_KEYWORDS]);

// ---- character classes ----------------------------------------------------------

const C_IDCHAR = 1; // letter | digit | '_' | symbol
const C_KWCHAR = 2; // letter | digit | '_' | '.' | ':'
const C_DIGIT = 4;
const C_HEX = 8;
const CLASS = new Uint8Array(128);
{
  const set = (chars: string, bits: number) => {
    for (let i = 0; i < chars.length; i++) CLASS[chars.charCodeAt(i)]! |= bits;
  };
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  set(letters, C_IDCHAR | C_KWCHAR);
  set('0123456789', C_IDCHAR | C_KWCHAR | C_DIGIT | C_HEX);
  set('abcdefABCDEF', C_HEX);
  set('_', C_IDCHAR | C_KWCHAR);
  set('+-*/\\^~=<>!?@#$%&|:`.\'', C_IDCHAR);
  set('.:', C_KWCHAR);
}
const isIdChar = (c: number): boolean => c < 128 && (CLASS[c]! & C_IDCHAR) !== 0;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => c < 128 && (CLASS[c]! & C_HEX) !== 0;

/** The reference lexer's `num`/`hexnum` (digits with single underscores between): end index or -1. */
function scanDigits(s: string, i: number, end: number, hex: boolean): number {
  const ok = hex ? isHex : isDigit;
  if (i >= end || !ok(s.charCodeAt(i))) return -1;
  i++;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (ok(c)) i++;
    else if (c === 95 /* _ */ && i + 1 < end && ok(s.charCodeAt(i + 1))) i += 2;
    else break;
  }
  return i;
}

/** Classifies text[s, e) as NAT, INT or FLOAT, or -1 if it is not a number. */
function numberKind(text: string, s: number, e: number): TokenKind {
  let i = s;
  let c = text.charCodeAt(i);
  const signed = c === 43 || c === 45; // + -
  if (signed) {
    i++;
    c = text.charCodeAt(i);
  }
  if (i >= e) return -1;
  if (c === 105 /* i */) return e - i === 3 && text.startsWith('inf', i) ? FLOAT : -1;
  if (c === 110 /* n */) {
    if (e - i === 3 && text.startsWith('nan', i)) return FLOAT;
    if (text.startsWith('nan:0x', i) && scanDigits(text, i + 6, e, true) === e) return FLOAT;
    return -1;
  }
  if (!isDigit(c)) return -1;
  const hex = c === 48 && text.charCodeAt(i + 1) === 120 /* x */;
  if (hex) i += 2;
  let j = scanDigits(text, i, e, hex);
  if (j < 0) return -1;
  if (j === e) return signed ? INT : NAT;
  c = text.charCodeAt(j);
  if (c === 46 /* . */) {
    j++;
    if (j === e) return FLOAT;
    const k = scanDigits(text, j, e, hex);
    if (k >= 0) j = k;
    if (j === e) return FLOAT;
    c = text.charCodeAt(j);
  }
  if (hex ? c === 112 || c === 80 : c === 101 || c === 69) {
    j++;
    const d = text.charCodeAt(j);
    if (d === 43 || d === 45) j++;
    return scanDigits(text, j, e, false) === e ? FLOAT : -1;
  }
  return -1;
}

/** Whether text[s, e) is a nat (`num` or `0x hexnum`). */
function isNat(text: string, s: number, e: number): boolean {
  if (text.charCodeAt(s) === 48 && text.charCodeAt(s + 1) === 120) return scanDigits(text, s + 2, e, true) === e;
  return scanDigits(text, s, e, false) === e;
}

// ---- UTF-8 ----------------------------------------------------------------------

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Decodes bytes as UTF-8, or returns null if they are not valid UTF-8. */
function decodeUtf8(bytes: Uint8Array): string | null {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      try {
        return utf8Fatal.decode(bytes);
      } catch {
        return null;
      }
    }
  }
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/**
 * Decodes bytes as UTF-8, mapping every byte that is not part of a valid
 * sequence to the lone surrogate U+DC80+byte ("surrogate escape"), so that
 * the lexer can report it as malformed UTF-8 where the reference does.
 */
export function decodeUtf8Lossless(bytes: Uint8Array): string {
  const valid = decodeUtf8(bytes);
  if (valid !== null) return valid;
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    let len = 0;
    let cp = 0;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      cp = b & 0x07;
    }
    let ok = len > 0 && i + len <= n;
    for (let k = 1; ok && k < len; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok) {
      if (len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
      if (len === 4 && (cp < 0x10000 || cp > 0x10ffff)) ok = false;
    }
    if (ok) {
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
  }
  return out;
}

// ---- the token stream -------------------------------------------------------------

/**
 * Where a `(@custom ...)` (or `(@name ...)`) annotation is: `(` at start, its items from
 * bodyStart, `)` before end.
 */
export interface CustomAnnotation {
  readonly start: number;
  readonly bodyStart: number;
  readonly end: number;
}

/** An item of an annotation: a string, an atom (idchars), `(` or `)`. */
export interface AnnotationItem {
  readonly kind: 'string' | 'atom' | '(' | ')';
  readonly start: number;
  readonly end: number;
}

/** The items of an annotation's body t[s, e) (already checked by the lexer). */
export function annotationItems(t: string, s: number, e: number): AnnotationItem[] {
  const out: AnnotationItem[] = [];
  let i = s;
  while (i < e) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) i++;
    else if (c === 59 && t.charCodeAt(i + 1) === 59) {
      while (i < e && t.charCodeAt(i) !== 10) i++;
    } else if (c === 40 && t.charCodeAt(i + 1) === 59) {
      let depth = 0;
      do {
        if (t.startsWith('(;', i)) { depth++; i += 2; }
        else if (t.startsWith(';)', i)) { depth--; i += 2; }
        else i++;
      } while (depth > 0 && i < e);
    } else if (c === 40 || c === 41) {
      out.push({ kind: c === 40 ? '(' : ')', start: i, end: i + 1 });
      i++;
    } else if (c === 34) {
      const j = scanString(t, i, e);
      out.push({ kind: 'string', start: i, end: j });
      i = j;
    } else {
      let j = i + 1;
      while (j < e && (isIdChar(t.charCodeAt(j)) || t.charCodeAt(j) === 34)) {
        j = t.charCodeAt(j) === 34 ? scanString(t, j, e) : j + 1;
      }
      out.push({ kind: 'atom', start: i, end: j });
      i = j;
    }
  }
  return out;
}

const NONE: readonly CustomAnnotation[] = [];

const syntax = (msg: string, at: number): never => {
  throw new WasmSyntaxError(msg, at);
};

export class TokenStream {
  readonly text: string;
  /** end of the text region being lexed */
  private readonly limit: number;
  /** next character to lex */
  private cur: number;
  private kinds = new Uint8Array(256);
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  /** number of tokens lexed so far */
  private count = 0;
  private done = false;
  /** the parser's current token */
  pos = 0;
  /** the `(@custom ...)` annotations met so far (other annotations are dropped) */
  readonly customs: CustomAnnotation[] = [];
  /**
   * The `(@name ...)` annotations, by the index of the token that follows them: the
   * parser asks for the one right after the identifier (or keyword) of a definition.
   */
  private readonly nameAnnotations = new Map<number, CustomAnnotation[]>();
  /** `(@name ...)` annotations lexed since the last token */
  private pendingNames: CustomAnnotation[] | null = null;

  constructor(text: string, start = 0, end = text.length) {
    this.text = text;
    this.cur = start;
    this.limit = end;
  }

  // ---- access ----

  private fill(i: number): void {
    while (this.count <= i) {
      if (this.done) {
        // repeat EOF
        this.push(EOF, this.limit, this.limit);
      } else this.lexOne();
    }
  }

  /** Kind of the token at pos + o. */
  kind(o = 0): TokenKind {
    const i = this.pos + o;
    if (i >= this.count) this.fill(i);
    return this.kinds[i]!;
  }
  /** Start offset of the token at pos + o. */
  start(o = 0): number {
    const i = this.pos + o;
    if (i >= this.count) this.fill(i);
    return this.starts[i]!;
  }
  /** End offset of the token at pos + o. */
  end(o = 0): number {
    const i = this.pos + o;
    if (i >= this.count) this.fill(i);
    return this.ends[i]!;
  }
  /** Source text of the token at pos + o. */
  tokenText(o = 0): string {
    const i = this.pos + o;
    if (i >= this.count) this.fill(i);
    return this.text.slice(this.starts[i]!, this.ends[i]!);
  }
  /** Whether the token at pos + o is the keyword `kw`. */
  isKw(kw: string, o = 0): boolean {
    const i = this.pos + o;
    if (i >= this.count) this.fill(i);
    return this.kinds[i] === KEYWORD && this.ends[i]! - this.starts[i]! === kw.length && this.text.startsWith(kw, this.starts[i]!);
  }
  /** Whether the tokens at pos are `(` kw. */
  isOpen(kw: string): boolean {
    return this.kind() === LPAR && this.isKw(kw, 1);
  }

  /** Skips from a `(` at pos past its matching `)`; returns false if EOF came first. */
  skipGroup(): boolean {
    let depth = 0;
    for (;;) {
      const k = this.kind();
      if (k === EOF) return false;
      this.pos++;
      if (k === LPAR) depth++;
      else if (k === RPAR && --depth === 0) return true;
    }
  }

  /** The `(@name ...)` annotations right before the token at pos + o (none: empty). */
  nameAnnotationsBefore(o = 0): readonly CustomAnnotation[] {
    const i = this.pos + o;
    if (i >= this.count) this.fill(i);
    return this.nameAnnotations.get(i) ?? NONE;
  }

  // ---- values ----

  /** The bytes of the string literal at pos + o. */
  stringBytes(o = 0): Uint8Array {
    const s = this.start(o) + 1;
    const e = this.end(o) - 1;
    return decodeString(this.text, s, e);
  }

  /** The string literal at pos + o as a name (valid UTF-8 required: "malformed UTF-8 encoding"). */
  stringName(o = 0): string {
    const s = this.start(o) + 1;
    const e = this.end(o) - 1;
    const name = stringAsText(this.text, s, e);
    if (name === null) syntax('malformed UTF-8 encoding', s - 1);
    return name!;
  }

  /** The name of the identifier at pos + o (without `$`; quoted ids decoded). */
  idName(o = 0): string {
    const s = this.start(o);
    const e = this.end(o);
    if (this.text.charCodeAt(s + 1) !== 34) return this.text.slice(s + 1, e);
    const name = stringAsText(this.text, s + 2, e - 1);
    if (name === null) syntax('malformed UTF-8 encoding', s);
    return name!;
  }

  // ---- lexing ----

  private push(kind: TokenKind, s: number, e: number): void {
    if (this.count === this.kinds.length) {
      const n = this.count * 2;
      const k = new Uint8Array(n);
      k.set(this.kinds);
      this.kinds = k;
      const a = new Int32Array(n);
      a.set(this.starts);
      this.starts = a;
      const b = new Int32Array(n);
      b.set(this.ends);
      this.ends = b;
    }
    if (this.pendingNames !== null) {
      this.nameAnnotations.set(this.count, this.pendingNames);
      this.pendingNames = null;
    }
    this.kinds[this.count] = kind;
    this.starts[this.count] = s;
    this.ends[this.count] = e;
    this.count++;
  }

  private lexOne(): void {
    const t = this.text;
    const n = this.limit;
    let i = this.cur;
    for (;;) {
      if (i >= n) {
        this.cur = n;
        this.done = true;
        this.push(EOF, n, n);
        return;
      }
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (c === 40 /* ( */) {
        const d = i + 1 < n ? t.charCodeAt(i + 1) : -1;
        if (d === 59 /* ; */) {
          i = this.blockComment(i);
          continue;
        }
        if (d === 64 /* @ */) {
          i = this.annotation(i);
          continue;
        }
        this.cur = i + 1;
        this.push(LPAR, i, i + 1);
        return;
      }
      if (c === 41 /* ) */) {
        this.cur = i + 1;
        this.push(RPAR, i, i + 1);
        return;
      }
      if (c === 59 /* ; */) {
        if (i + 1 < n && t.charCodeAt(i + 1) === 59) {
          i = this.lineComment(i);
          continue;
        }
        syntax('unknown operator ;', i);
      }
      if (c === 34 /* " */ || isIdChar(c)) {
        this.atom(i);
        return;
      }
      if (c === 44 || c === 91 || c === 93 || c === 123 || c === 125) syntax(`unknown operator ${t[i]}`, i);
      if (c < 0x20 || c === 0x7f) syntax('misplaced control character', i);
      if (c >= 0xd800 && c <= 0xdfff && !validSurrogate(t, i, n)) syntax('malformed UTF-8 encoding', i);
      syntax('misplaced unicode character', i);
    }
  }

  /** `;;` up to the end of the line; returns the index after it. */
  private lineComment(i: number): number {
    const t = this.text;
    const n = this.limit;
    i += 2;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 10 || c === 13) return i + 1;
      if (c >= 0xd800 && c <= 0xdfff) {
        if (!validSurrogate(t, i, n)) syntax('malformed UTF-8 encoding', i);
        i += 2;
      } else i++;
    }
    return i;
  }

  /** A nested block comment starting with `(;` at i; returns the index after it. */
  private blockComment(start: number): number {
    const t = this.text;
    const n = this.limit;
    let i = start + 2;
    let depth = 1;
    const opens = [start];
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 59 /* ; */ && i + 1 < n && t.charCodeAt(i + 1) === 41) {
        i += 2;
        opens.pop();
        if (--depth === 0) return i;
      } else if (c === 40 && i + 1 < n && t.charCodeAt(i + 1) === 59) {
        opens.push(i);
        i += 2;
        depth++;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        if (!validSurrogate(t, i, n)) syntax('malformed UTF-8 encoding', i);
        i += 2;
      } else i++;
    }
    return syntax('unclosed comment', opens[opens.length - 1] ?? start);
  }

  /** An annotation `(@id ...)` starting at i, skipped; returns the index after it. */
  private annotation(start: number): number {
    const t = this.text;
    const n = this.limit;
    let i = this.annotationId(start, false);
    const bodyStart = i;
    let depth = 1;
    while (depth > 0) {
      if (i >= n) syntax('unclosed annotation', start);
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 9 || c === 13) i++;
      else if (c === 40 /* ( */) {
        const d = i + 1 < n ? t.charCodeAt(i + 1) : -1;
        if (d === 59) i = this.blockComment(i);
        else if (d === 64 && i + 2 < n && (t.charCodeAt(i + 2) === 34 || isIdChar(t.charCodeAt(i + 2)))) {
          i = this.annotationId(i, true);
          depth++;
        } else {
          i++;
          depth++;
        }
      } else if (c === 41) {
        i++;
        depth--;
      } else if (c === 59 && i + 1 < n && t.charCodeAt(i + 1) === 59) {
        i = this.lineComment(i);
      } else if (c === 36 /* $ */) {
        // identifiers must not be empty, even inside annotations
        const d = i + 1 < n ? t.charCodeAt(i + 1) : -1;
        if (d === 34) {
          const e = scanString(t, i + 1, n);
          if (e === i + 3) syntax('empty identifier', i);
          i = e;
        } else if (d >= 0 && isIdChar(d)) i += 2;
        else syntax('empty identifier', i);
      } else if (c === 34) i = scanString(t, i, n);
      else if (isIdChar(c) || c === 44 || c === 59 || c === 91 || c === 93 || c === 123 || c === 125) i++;
      else if (c >= 0xd800 && c <= 0xdfff && !validSurrogate(t, i, n)) syntax('malformed UTF-8 encoding', i);
      else syntax('illegal character', i);
    }
    const id = t.slice(start + 2, bodyStart);
    if (id === 'custom' || id === '"custom"') this.customs.push({ start, bodyStart, end: i });
    else if (id === 'name' || id === '"name"') (this.pendingNames ??= []).push({ start, bodyStart, end: i });
    return i;
  }

  /** Checks the id of an annotation `(@id` at i; returns the index after the id. */
  private annotationId(i: number, nested: boolean): number {
    const t = this.text;
    const n = this.limit;
    let j = i + 2;
    if (j < n && t.charCodeAt(j) === 34) {
      let e: number;
      try {
        e = scanString(t, j, n);
      } catch (err) {
        // `(@` followed by a malformed string is `(@` without an id
        if (!nested) syntax('empty annotation id', i);
        throw err;
      }
      const name = stringAsText(t, j + 1, e - 1);
      if (name === '') syntax('empty annotation id', i);
      if (name === null) syntax('malformed UTF-8 encoding', i);
      return e;
    }
    while (j < n && isIdChar(t.charCodeAt(j))) j++;
    if (j === i + 2) syntax('empty annotation id', i);
    return j;
  }

  /** A maximal run of idchars and strings (the reference's `reserved`), classified. */
  private atom(s: number): void {
    const t = this.text;
    const n = this.limit;
    let i = s;
    let strings = 0;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        if (i === s) {
          i = scanString(t, i, n); // errors are reported for a string at the start
        } else {
          // a string glued to other characters: the reference lexes the longest
          // match (a reserved token) only if the string is well-formed
          let e: number;
          try {
            e = scanString(t, i, n);
          } catch {
            break;
          }
          i = e;
        }
        strings++;
      } else if (isIdChar(c)) i++;
      else break;
    }
    this.cur = i;
    const c0 = t.charCodeAt(s);
    if (strings > 0) {
      if (c0 === 34 && strings === 1 && t.charCodeAt(i - 1) === 34 && scanString(t, s, n) === i) {
        this.push(STRING, s, i);
        return;
      }
      if (c0 === 36 && strings === 1 && t.charCodeAt(s + 1) === 34 && scanString(t, s + 1, n) === i) {
        if (i - s === 3 || decodeString(t, s + 2, i - 1).length === 0) syntax('empty identifier', s);
        this.push(ID, s, i);
        return;
      }
      syntax(`unknown operator ${t.slice(s, i)}`, s);
    }
    if (c0 === 36 /* $ */) {
      if (i - s === 1) syntax('empty identifier', s);
      this.push(ID, s, i);
      return;
    }
    const nk = numberKind(t, s, i);
    if (nk >= 0) {
      this.push(nk, s, i);
      return;
    }
    if (c0 >= 97 && c0 <= 122 /* a-z */) {
      if (t.startsWith('offset=', s) && isNat(t, s + 7, i)) {
        this.push(OFFSET_EQ, s, i);
        return;
      }
      if (t.startsWith('align=', s) && isNat(t, s + 6, i)) {
        this.push(ALIGN_EQ, s, i);
        return;
      }
      let kw = i - s >= 2;
      for (let j = s + 1; kw && j < i; j++) {
        const c = t.charCodeAt(j);
        if ((CLASS[c]! & C_KWCHAR) === 0) kw = false;
      }
      if (kw) {
        const word = t.slice(s, i);
        if (KEYWORDS.has(word)) {
          this.push(KEYWORD, s, i);
          return;
        }
      }
    }
    syntax(`unknown operator ${t.slice(s, i)}`, s);
  }
}

/** Whether the surrogate at i is part of a valid pair. */
function validSurrogate(t: string, i: number, n: number): boolean {
  const c = t.charCodeAt(i);
  if (c >= 0xdc00) return false;
  if (i + 1 >= n) return false;
  const d = t.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

/** Scans a string literal starting with `"` at i; returns the index after it or throws. */
function scanString(t: string, i: number, n: number): number {
  const start = i;
  i++;
  for (;;) {
    if (i >= n) return syntax('unclosed string literal', start);
    const c = t.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 10 || c === 13) return syntax('unclosed string literal', start);
    if (c === 92 /* \ */) {
      if (i + 1 >= n) return syntax('unclosed string literal', start);
      const d = t.charCodeAt(i + 1);
      if (d === 110 || d === 114 || d === 116 || d === 92 || d === 39 || d === 34) i += 2;
      else if (d === 117 /* u */) {
        if (t.charCodeAt(i + 2) !== 123) return syntax('illegal escape', i);
        const e = scanDigits(t, i + 3, n, true);
        if (e < 0 || t.charCodeAt(e) !== 125) return syntax('illegal escape', i);
        const cp = parseInt(t.slice(i + 3, e).replaceAll('_', ''), 16);
        if (!(cp < 0xd800 || (cp >= 0xe000 && cp < 0x110000))) return syntax('malformed UTF-8 encoding', i);
        i = e + 1;
      } else if (isHex(d) && i + 2 < n && isHex(t.charCodeAt(i + 2))) i += 3;
      else return syntax('illegal escape', i);
    } else if (c < 0x20 || c === 0x7f) {
      return syntax('illegal control character in string literal', i);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (!validSurrogate(t, i, n)) return syntax('malformed UTF-8 encoding', i);
      i += 2;
    } else i++;
  }
}

const hexVal = (c: number): number => (c <= 57 ? c - 48 : (c | 32) - 87);

/** The bytes of a (well-formed) string literal's contents t[s, e). */
export function decodeString(t: string, s: number, e: number): Uint8Array {
  // fast path: ASCII without escapes
  let simple = true;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c === 92 || c >= 0x80) {
      simple = false;
      break;
    }
  }
  if (simple) {
    const out = new Uint8Array(e - s);
    for (let i = s; i < e; i++) out[i - s] = t.charCodeAt(i);
    return out;
  }
  const bytes: number[] = [];
  let i = s;
  while (i < e) {
    const c = t.charCodeAt(i);
    if (c === 92) {
      const d = t.charCodeAt(i + 1);
      switch (d) {
        case 110: bytes.push(10); i += 2; break;
        case 114: bytes.push(13); i += 2; break;
        case 116: bytes.push(9); i += 2; break;
        case 92: bytes.push(92); i += 2; break;
        case 39: bytes.push(39); i += 2; break;
        case 34: bytes.push(34); i += 2; break;
        case 117: {
          const close = t.indexOf('}', i);
          const cp = parseInt(t.slice(i + 3, close).replaceAll('_', ''), 16);
          for (const b of utf8Encoder.encode(String.fromCodePoint(cp))) bytes.push(b);
          i = close + 1;
          break;
        }
        default:
          bytes.push(hexVal(d) * 16 + hexVal(t.charCodeAt(i + 2)));
          i += 3;
      }
    } else if (c < 0x80) {
      bytes.push(c);
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff && !validSurrogate(t, i, e)) {
      // a surrogate-escaped raw byte (see decodeUtf8Lossless)
      bytes.push(c - 0xdc00);
      i++;
    } else {
      const cp = t.codePointAt(i)!;
      const len = cp > 0xffff ? 2 : 1;
      for (const b of utf8Encoder.encode(t.slice(i, i + len))) bytes.push(b);
      i += len;
    }
  }
  return Uint8Array.from(bytes);
}

/** The contents t[s, e) of a string literal as text, or null if its bytes are not valid UTF-8. */
export function stringAsText(t: string, s: number, e: number): string | null {
  let simple = true;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c === 92 || (c >= 0xd800 && c <= 0xdfff)) {
      simple = false;
      break;
    }
  }
  if (simple) return t.slice(s, e);
  return decodeUtf8(decodeString(t, s, e));
}
