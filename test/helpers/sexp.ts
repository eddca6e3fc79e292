// Finding where an S-expression ends in WAT/WAST text (strings, line
// comments and nested block comments skipped): enough to cut a module out
// of a script for tools that take one module per file.

export function sexpEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
    } else if (c === ';' && text[i + 1] === ';') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(' && text[i + 1] === ';') {
      let d = 0;
      do {
        if (text[i] === '(' && text[i + 1] === ';') { d++; i += 2; }
        else if (text[i] === ';' && text[i + 1] === ')') { d--; i += 2; }
        else i++;
      } while (d > 0 && i < text.length);
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
      if (depth === 0) return i;
    } else i++;
  }
  throw new Error(`unbalanced S-expression at ${start}`);
}
