// Source positions. Errors carry a plain offset (a character offset into
// text, or a byte offset into a binary) plus the file name; line and column
// are worked out only when an error is shown, as wasm-tools does.

export interface LineCol {
  readonly line: number; // 1-based
  readonly col: number; // 1-based
}

/** Line and column of `offset` in `text` (both 1-based). */
export function lineCol(text: string, offset: number): LineCol {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: end - start + 1 };
}

/** Where something is: a file (or '<input>'), and either its text or that it is binary. */
export interface SourceFile {
  readonly name: string;
  /** the text, for line/column computation; absent for binaries */
  readonly text?: string;
}

/** Line starts of a text, for many offset -> line:col look-ups (binary search). */
export function lineIndex(text: string): (offset: number) => LineCol {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  };
}
