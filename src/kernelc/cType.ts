// C types as the interpreter needs them: integer width and signedness (i386: long is 32 bits),
// pointers to named structs (to find field bindings), opaque kernel typedefs (pte_t) and
// function pointers bound to a hook.

export type CType =
  | { k: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { k: 'ptr'; to: CType }
  | { k: 'struct'; name: string }
  | { k: 'void' }
  /** a hook member: calls go through the era's hook binding of that name */
  | { k: 'fnptr'; hook: string; ret: CType }
  /** a value the interpreter only passes around (a binding's opaque handle) */
  | { k: 'opaque'; name: string };

export const INT: CType = { k: 'int', bits: 32, signed: true };
export const UINT: CType = { k: 'int', bits: 32, signed: false };
export const ULONG: CType = UINT;
export const VOID: CType = { k: 'void' };
export const BOOL: CType = INT;

export const ptr = (to: CType): CType => ({ k: 'ptr', to });
export const struct = (name: string): CType => ({ k: 'struct', name });
export const ptrTo = (name: string): CType => ptr(struct(name));
export const opaque = (name: string): CType => ({ k: 'opaque', name });

export function typeText(t: CType): string {
  switch (t.k) {
    case 'int':
      return `${t.signed ? '' : 'unsigned '}${t.bits === 8 ? 'char' : t.bits === 16 ? 'short' : t.bits === 64 ? 'long long' : 'int'}`;
    case 'ptr':
      return `${typeText(t.to)} *`;
    case 'struct':
      return t.name.endsWith('_t') ? t.name : `struct ${t.name}`;
    case 'void':
      return 'void';
    case 'fnptr':
      return `${typeText(t.ret)} (*)(...) [${t.hook}]`;
    case 'opaque':
      return t.name;
  }
}

/** the struct a `->` applies to, or undefined */
export function pointee(t: CType): string | undefined {
  return t.k === 'ptr' && t.to.k === 'struct' ? t.to.name : undefined;
}

export function isInt(t: CType): t is { k: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean } {
  return t.k === 'int';
}

/** a value converted to an integer type (C's modular conversion); 64-bit values are kept as they are */
export function wrapInt(v: number, t: { bits: number; signed: boolean }): number {
  switch (t.bits) {
    case 32:
      return t.signed ? v | 0 : v >>> 0;
    case 16:
      return t.signed ? (v << 16) >> 16 : v & 0xffff;
    case 8:
      return t.signed ? (v << 24) >> 24 : v & 0xff;
    default:
      return Math.trunc(v);
  }
}

/** the usual arithmetic conversions of two integer operands (int promotion first) */
export function arithType(a: CType, b: CType): { k: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean } {
  const pa = a.k === 'int' && a.bits >= 32 ? a : INT;
  const pb = b.k === 'int' && b.bits >= 32 ? b : INT;
  const ia = pa as { k: 'int'; bits: 32 | 64; signed: boolean };
  const ib = pb as { k: 'int'; bits: 32 | 64; signed: boolean };
  const bits = Math.max(ia.bits, ib.bits) as 32 | 64;
  const signed = ia.bits === ib.bits ? ia.signed && ib.signed : ia.bits > ib.bits ? ia.signed : ib.signed;
  return { k: 'int', bits, signed };
}

/** the integer type a C type spelling names ("unsigned long", "int", "pgoff_t" via typedefs) */
export function intTypeOf(words: string[]): CType | undefined {
  const w = words.filter((x) => x !== 'const' && x !== 'volatile' && x !== 'register' && x !== 'static' && x !== 'inline');
  if (w.length === 0) return undefined;
  const unsigned = w.includes('unsigned');
  const signedKw = w.includes('signed');
  const rest = w.filter((x) => x !== 'unsigned' && x !== 'signed');
  const longs = rest.filter((x) => x === 'long').length;
  if (rest.includes('char')) return { k: 'int', bits: 8, signed: !unsigned };
  if (rest.includes('short')) return { k: 'int', bits: 16, signed: !unsigned };
  if (longs >= 2) return { k: 'int', bits: 64, signed: !unsigned };
  if (longs === 1 || rest.includes('int') || rest.length === 0) {
    if (rest.some((x) => x !== 'long' && x !== 'int')) return undefined;
    return { k: 'int', bits: 32, signed: !unsigned || (signedKw && !unsigned) };
  }
  if (rest.length === 1 && rest[0] === '_Bool') return { k: 'int', bits: 8, signed: false };
  return undefined;
}
