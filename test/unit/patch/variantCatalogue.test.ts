// Every variant the patch analyser can recognise is one the engine can run: the names in
// src/patch/variantRecognition.ts are typed by the engine's VariantName, and this test checks the
// names written there against the engine's catalogue at run time too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { listVariants } from '../../../src/engine/index';

const source = readFileSync(join(__dirname, '../../../src/patch/variantRecognition.ts'), 'utf8');

/** (family, name) pairs the analyser can emit: push('family', 'name', ...) and the gup option names */
function emitted(): { family: string; name: string }[] {
  const out: { family: string; name: string }[] = [];
  for (const m of source.matchAll(/push\(\s*'(\w+)',\s*(?:\w+ \|\| )?'([^']+)'/g)) out.push({ family: m[1], name: m[2] });
  for (const m of source.matchAll(/\bopt = '([^']+)'/g)) out.push({ family: 'gup', name: m[1] });
  return out;
}

describe('variants the analyser recognises', () => {
  const catalogue = new Set(listVariants().map((v) => `${v.family}/${v.name}`));

  it('are found in the analyser source (the scan is not empty)', () => {
    const names = emitted().map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['2.5.70', 'install_new_page', 'walk', 'walk-opt1', 'walk-opt4', 'put_user_page', 'nonuniform']),
    );
  });

  it('each exist in the engine catalogue under the same family', () => {
    const missing = emitted().filter((e) => !catalogue.has(`${e.family}/${e.name}`));
    expect(missing).toEqual([]);
  });

  it('the check would catch a name the engine does not know', () => {
    expect(catalogue.has('fault/install_new_page-v2')).toBe(false);
    expect(catalogue.has('gup/walk-opt5')).toBe(false);
  });
});
