// A listing of translated code, for debugging and tests: one instruction per line,
// `pc: NAME name=imm...`, the immediates named by the op's layout (src/exec/isa.ts).

import type { Code } from './code.ts';
import { OP_LAYOUT, OP_NAMES, OP_SIZE } from './ops.ts';

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
    const names = OP_LAYOUT[name].split(' ').filter((w) => w !== '').map((w) => w.split(':')[0]!);
    let size = OP_SIZE[name];
    // BR_TABLE: c n arity src, then (target, destination) for each of the n labels and the default
    if (name === 'BR_TABLE') size = 5 + 2 * (code[pc + 2]! + 1);
    const imms = code.slice(pc + 1, pc + size).map((v, k) => (k < names.length && names[k] !== '-' ? `${names[k]}=${v}` : String(v)));
    lines.push(`${pc}: ${name}${imms.length > 0 ? ' ' : ''}${imms.join(' ')}`);
    pc += size;
  }
  return lines.join('\n');
}
