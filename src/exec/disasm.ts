// A listing of translated code, for debugging and tests: one instruction per line,
// `pc: NAME imm...`.

import type { Code } from './code.ts';
import { OP_NAMES, OP_SIZE } from './ops.ts';

export function disasm(c: Code): string {
  const code = c.code;
  const lines: string[] = [];
  let pc = 0;
  while (pc < code.length) {
    const name = OP_NAMES[code[pc]!];
    if (name === undefined) {
      lines.push(`${pc}: ??? ${code[pc]}`);
      break;
    }
    let size: number = OP_SIZE[name];
    if (name === 'BR_TABLE') size = 5 + 2 * (code[pc + 2]! + 1);
    lines.push(`${pc}: ${name}${size > 1 ? ' ' : ''}${code.slice(pc + 1, pc + size).join(' ')}`);
    pc += size;
  }
  return lines.join('\n');
}
