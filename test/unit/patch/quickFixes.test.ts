// Quick fixes hold up: each offered fix is applied to its file and the file parsed and scanned again;
// no fix adds a syntax error or leaves a removed parameter in use. Callers reached through arrays and
// fields get the patch's own replacement, with the patch's argument count.
import { beforeAll, describe, expect, it } from 'vitest';

import type { Analysis, SourceFinding } from '../../../src/patch/analysisModel';
import { analyzePatch } from '../../../src/patch/analyze';
import { loadCParser, type CParser } from '../../../src/patch/cParser';
import { fixProblem, syntaxErrors } from '../../../src/patch/fixCheck';
import { scanCSource } from '../../../src/patch/sourceScanner';

import { fixture, fixtureText, SEED, sourceText } from './fixtures';

const PATCHES = {
  hook: SEED.s004,
  walk: 'corpus/2002-12-05_oeser_page-walk-api-2.5.50-mm1_sg-st-callers_mime-attach.eml',
  pup: 'corpus/2019-03-08_hubbard_v4-put_user_page-placeholder_git-send-email.eml',
  vfio: 'corpus/2019-08-04_hubbard_v2-17-34_vfio-convert-put_user_page_3arg.eml',
};
const SOURCES = [
  'ncpfs-mmap.c',
  'ncpfs-mmap-2.5.70-form.c',
  'video-buf.c',
  'memory.c',
  'futex.c',
  'nfs-direct.c',
  'umem.c',
  'constructed-pinned-ctx.c',
];

let parser: CParser;
const A = new Map<string, Analysis>();
beforeAll(async () => {
  parser = await loadCParser();
  for (const p of Object.values(PATCHES)) A.set(p, await analyzePatch(fixture(p), p, { parser }));
});

function apply(text: string, e: NonNullable<SourceFinding['edit']>): string {
  const lines = text.split('\n');
  const off = (l: number, c: number) => lines.slice(0, l - 1).reduce((n, x) => n + x.length + 1, 0) + c;
  return text.slice(0, off(e.line, e.column)) + e.newText + text.slice(off(e.endLine, e.endColumn));
}

describe('every offered quick fix, applied and re-analysed', () => {
  it('adds no syntax error, leaves no removed parameter in use, and clears its own finding only', () => {
    let applied = 0;
    for (const p of Object.values(PATCHES)) {
      const a = A.get(p)!;
      for (const src of SOURCES) {
        const text = sourceText(src);
        const findings = scanCSource(text, src, a);
        for (const f of findings.filter((x) => x.edit)) {
          const fixed = apply(text, f.edit!);
          applied++;
          expect(syntaxErrors(parser, fixed), `${src} / ${p}: ${f.message}`).toBeLessThanOrEqual(syntaxErrors(parser, text));
          if (f.kind === 'hook-implementation')
            expect(fixed.slice(fixed.indexOf(f.edit!.newText))).not.toMatch(/\*type\b|\bint unused\b.*\bunused\b/);
          const after = scanCSource(fixed, src, a);
          // the fixed function has nothing left to say about this API; other findings are still shown
          expect(
            after.filter((x) => x.function === f.function && x.kind === f.kind && x.line === f.line && x.message === f.message),
            f.message,
          ).toEqual([]);
          const others = findings.filter((x) => x.function !== f.function);
          for (const o of others)
            expect(
              after.some((x) => x.function === o.function && x.kind === o.kind && x.message === o.message),
              o.message,
            ).toBe(true);
        }
      }
    }
    expect(applied).toBeGreaterThanOrEqual(6);
  });

  it('a fix that would leave a removed parameter in use, or not parse, is refused with the reason', () => {
    const before =
      'static struct page *f(struct vm_area_struct *vma, unsigned long address, int *type)\n{\n\t*type = VM_FAULT_MINOR;\n\treturn NULL;\n}\n';
    const header = 'static int f(struct vm_area_struct *vma, struct vm_fault *vmf)\n';
    const after = header + before.slice(before.indexOf('{'));
    expect(fixProblem(parser, before, after, ['address', 'type'], header.length)).toBe(
      "the body still uses 'type', which the new signature removes",
    );
    expect(fixProblem(parser, before, after.replace('return NULL;', 'return NULL'), [], header.length)).toBe('the result does not parse');
    expect(
      fixProblem(
        parser,
        before,
        after.replace('\t*type = VM_FAULT_MINOR;\n', '').replace('NULL', 'VM_FAULT_SIGBUS'),
        ['address', 'type'],
        header.length,
      ),
    ).toBeUndefined();
    expect(fixProblem(undefined, before, after)).toBe('no C parser to check the result with');
  });
});

describe('callers through arrays and fields', () => {
  it("put_page(ctx->pinned[i]) after get_user_pages(..., ctx->pinned, ...) and put_page(list[i]) get the patch's own replacement", () => {
    const f = scanCSource(fixtureText('sources/constructed-pinned-ctx.c'), 'pinned.c', A.get(PATCHES.vfio)!);
    expect(f.map((x) => [x.function, x.edit?.newText])).toEqual([
      // set_page_dirty_lock() under a condition + put_page(): the patch's 3-argument form, the condition as make_dirty
      ['pin_ctx_release', 'put_user_pages_dirty_lock(&c->pinned[i], 1, dirty);'],
      ['pin_ctx_drop', 'put_user_page(ctx->pinned[i])'],
      ['pin_list', 'put_user_pages_dirty_lock(&list[i], 1, true);'],
    ]);
    expect(f[0].message).toContain('as the patch does (3 arguments)');
  });

  it("the patch's replacement patterns keep its argument count", () => {
    expect(A.get(PATCHES.vfio)!.callerReplacements!.map((r) => [r.pattern, r.args])).toEqual([
      ['put_user_pages_dirty_lock(&$PAGE, 1, $DIRTY)', 3],
      ['put_user_page($PAGE)', 1],
    ]);
  });
});
