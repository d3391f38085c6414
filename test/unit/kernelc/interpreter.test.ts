// The interpreter's C semantics on small functions, the census of the fault path, and the located
// diagnostics for constructs outside the subset and unbound names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Oops } from '../../../src/engine/sim/task';
import { Op } from '../../../src/kernelc/compile';
import { linux2611 } from '../../../src/kernelc/eras/linux-2.6.11';
import { compileWith, KernelCError, type KernelCProgram } from '../../../src/kernelc/index';
import { asSource, patchedFunctions } from '../../../src/kernelc/reconstruct';
import { readDiffs } from '../../../src/patch/diffReader';
import { splitLines } from '../../../src/patch/mail';

import { FILEMAP_C, MEMORY_C, ROOT, parser, runAlone } from './helpers';

async function c(text: string, fns?: string[]): Promise<KernelCProgram> {
  return compileWith(await parser(), linux2611, [{ file: 't.c', text }], fns);
}
async function run(text: string, fn: string, ...args: unknown[]): Promise<unknown> {
  return runAlone(await c(text), fn, args);
}

describe('kernel C semantics', () => {
  it('integer widths and signedness follow the declared types (i386: long is 32 bits)', async () => {
    expect(await run('unsigned int f(void) { unsigned int x = 0; x = x - 1; return x; }', 'f')).toBe(4294967295);
    expect(await run('int f(void) { int x = 2147483647; x++; return x; }', 'f')).toBe(-2147483648);
    expect(await run('int f(void) { unsigned char c = 300; return c; }', 'f')).toBe(44);
    expect(await run('int f(void) { signed char c = 200; return c; }', 'f')).toBe(-56);
    expect(await run('unsigned long f(unsigned long a) { return a & ~(4096UL - 1); }', 'f', 0xc0001234)).toBe(0xc0001000);
    // -1 converts to unsigned in a comparison with an unsigned int
    expect(await run('int f(void) { unsigned int a = 1; int b = -1; return b < a; }', 'f')).toBe(0);
    expect(await run('int f(void) { int a = 1; int b = -1; return b < a; }', 'f')).toBe(1);
    expect(await run('int f(void) { return 7 / 2 + -7 / 2 + -7 % 3; }', 'f')).toBe(3 - 3 - 1);
    expect(await run('unsigned int f(unsigned int x) { return x >> 28; }', 'f', 0xf0000000)).toBe(15);
    expect(await run('int f(int x) { return x >> 28; }', 'f', 0xf0000000 | 0)).toBe(-1);
  });

  it('casts convert to the target width', async () => {
    expect(await run('int f(void) { return (unsigned char)-1; }', 'f')).toBe(255);
    expect(await run('int f(void) { return (int)4294967295U; }', 'f')).toBe(-1);
    expect(await run('unsigned long f(void) { return (unsigned long)-2; }', 'f')).toBe(4294967294);
  });

  it('goto with backward jumps, labels, if/else', async () => {
    const src = `int f(int n) {
      int sum = 0;
      int i = 0;
    retry:
      if (i >= n)
        goto out;
      i++;
      if (i % 2)
        sum += i;
      else
        sum -= 1;
      goto retry;
    out:
      return sum;
    }`;
    expect(await run(src, 'f', 10)).toBe(1 + 3 + 5 + 7 + 9 - 5);
  });

  it('for, while, do, switch, break and continue', async () => {
    const src = `int f(int n) {
      int s = 0, i;
      for (i = 0; i < n; i++) { if (i == 2) continue; if (i == 6) break; s += i; }
      while (n > 0) { n--; s++; }
      do { s *= 2; } while (0);
      switch (s) {
      case 0: s = -1; break;
      case 26: s = 100;
      case 27: s += 1; break;
      default: s = -2;
      }
      return s;
    }`;
    // for: 0+1+3+4+5 = 13; while adds 8 -> 21... n = 8
    expect(await run(src, 'f', 8)).toBe(-2);
    expect(await run(src, 'f', 0)).toBe(-1);
    // for: 0..n-1 without 2, n = 5: 0+1+3+4 = 8, while +5 = 13, *2 = 26 -> falls through to 27: 101
    expect(await run(src, 'f', 5)).toBe(101);
  });

  it('out-parameters (&local), calls between interpreted functions, ?:, short-circuit', async () => {
    const src = `static void set(int *p, int v) { *p = v; }
    static int bump(int *n) { *n += 1; return 1; }
    int f(int a) {
      int r = 0, calls = 0;
      set(&r, 7);
      if (a && bump(&calls)) r += 1;
      if (a || bump(&calls)) r += 1;
      return likely(a) ? r * 100 + calls : -(r * 100 + calls);
    }`;
    expect(await run(src, 'f', 1)).toBe(901);
    expect(await run(src, 'f', 0)).toBe(-801);
  });

  it('a NULL dereference is an oops naming the C line', async () => {
    const p = await c('int f(struct vm_area_struct *vma)\n{\n\treturn vma->vm_flags;\n}');
    let err: unknown;
    try {
      runAlone(p, 'f', [null]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Oops);
    expect((err as Oops).message).toContain('t.c:3');
    expect((err as Oops).message).toContain('vma->vm_flags');
    // a NULL page handed to a primitive, too
    const q = await c('int g(struct page *p)\n{\n\tpage_cache_release(p);\n\treturn 0;\n}');
    expect(() => runAlone(q, 'g', [null])).toThrow(/NULL pointer dereference at t\.c:3: `page_cache_release\(p\)`/);
  });
});

describe('diagnostics', () => {
  it('an unsupported construct is reported with file:line:column and the construct', async () => {
    const p = compileWith(
      await parser(),
      linux2611,
      [{ file: 'x.c', text: 'int f(void)\n{\n\tint a = 1;\n\treturn sizeof(a);\n}\n' }],
      ['f'],
      { tolerant: true },
    );
    const d = p.diagnostics.find((x) => x.kind === 'unsupported');
    expect(d).toMatchObject({ file: 'x.c', line: 4, column: 9, construct: 'sizeof_expression', fn: 'f' });
    await expect(c('int f(void)\n{\n\treturn sizeof(int);\n}\n')).rejects.toThrow(/t\.c:3:9: unsupported construct: sizeof_expression/);
  });

  it('an unbound name is reported where it is used, never skipped', async () => {
    let err: unknown;
    try {
      await c('int f(struct page *p)\n{\n\tfrobnicate(p);\n\treturn p->lru_thing + FROB;\n}\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelCError);
    const ds = (err as KernelCError).diagnostics;
    expect(ds.map((d) => [d.kind, d.construct, d.line, d.column])).toEqual([
      ['unbound', 'frobnicate', 3, 2],
      ['unbound', 'page.lru_thing', 4, 9],
      ['unbound', 'FROB', 4, 24],
    ]);
  });

  it('a function that is asked for but not in the sources is reported', async () => {
    const p = compileWith(await parser(), linux2611, [{ file: 't.c', text: 'int f(void) { return 0; }' }], ['f', 'g'], { tolerant: true });
    expect(p.diagnostics).toMatchObject([{ kind: 'missing', construct: 'g' }]);
  });
});

describe('the census of the fault path (2.6.11)', () => {
  it('every construct of the census functions compiles; only unbound names remain', async () => {
    const p = compileWith(
      await parser(),
      linux2611,
      [
        { file: 'mm/memory.c', text: MEMORY_C },
        { file: 'mm/filemap.c', text: FILEMAP_C },
      ],
      [
        'do_no_page',
        'do_anonymous_page',
        'handle_pte_fault',
        'handle_mm_fault',
        'do_file_page',
        'do_swap_page',
        'do_wp_page',
        'filemap_nopage',
      ],
      { tolerant: true },
    );
    expect(p.fns.size).toBe(8);
    expect(p.diagnostics.filter((d) => d.kind !== 'unbound')).toEqual([]);
    // the interpreted fault path itself is fully bound
    const fault = new Set(['do_no_page', 'do_anonymous_page', 'handle_pte_fault', 'handle_mm_fault', 'do_file_page']);
    expect(p.diagnostics.filter((d) => fault.has(d.fn ?? ''))).toEqual([]);
    // backward jumps: do_no_page's retry and filemap_nopage's loops written with goto
    const back = (name: string) => p.fns.get(name)!.code.filter((ins, pc) => ins.op === Op.Jump && ins.target <= pc).length;
    expect(back('do_no_page')).toBeGreaterThanOrEqual(1);
    expect(back('filemap_nopage')).toBeGreaterThanOrEqual(5);
  });

  it('the handle_pte_fault of remap_file_pages 19/39 (from the patch, over 2.6.11) compiles; only unbound names remain', async () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/patch/corpus/2005-08-12_giarrusso_rfp-19-39_fault-sigsegv_diff-puN.eml'), 'utf8');
    const lines = splitLines(text);
    const fd = readDiffs(
      lines,
      lines.map((_, i) => i + 1),
      'rfp-19',
      [],
    ).files.find((f) => f.path === 'mm/memory.c')!;
    const built = patchedFunctions(fd, 'rfp-19', { file: 'mm/memory.c', text: MEMORY_C }, ['handle_pte_fault']);
    expect(built[0].text).toContain('goto out_segv;');
    const p = compileWith(await parser(), linux2611, [asSource('rfp19/mm/memory.c', built)], ['handle_pte_fault'], { tolerant: true });
    expect(p.fns.has('handle_pte_fault')).toBe(true);
    expect(p.diagnostics.filter((d) => d.kind !== 'unbound')).toEqual([]);
    expect(p.diagnostics.map((d) => d.construct)).toContain('VM_NONUNIFORM');
  });
});
