// Shared by the kernel C tests: the pristine 2.6.11 sources (test/fixtures), compiled programs,
// interpreted variants registered once per name, scenarios with an interpreted column added.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createMachine } from '../../../src/engine/index';
import { interpretedVariant as registered } from '../../../src/engine/sim/interpreted';
import { runFunction } from '../../../src/kernelc/compile';
import { linux2611 } from '../../../src/kernelc/eras/linux-2.6.11';
import { compileWith, registerKernelCVariant, type CSource, type KernelCProgram } from '../../../src/kernelc/index';
import { loadCParser, type CParser } from '../../../src/patch/cParser';
import { loadScenario } from '../../../src/scenario/runner';
import type { Scenario } from '../../../src/scenario/scenario';

export const ROOT = join(__dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'linux-2.6.11');
export const MEMORY_C = readFileSync(join(FIXTURES, 'mm', 'memory.c'), 'utf8');
export const FILEMAP_C = readFileSync(join(FIXTURES, 'mm', 'filemap.c'), 'utf8');
export const FAULT_FNS = ['handle_pte_fault', 'do_no_page', 'do_anonymous_page'];

export function parser(): Promise<CParser> {
  return loadCParser();
}

export function memoryC(text = MEMORY_C): CSource {
  return { file: 'mm/memory.c', text };
}

/** compile the fault path (or a mutated memory.c) and register it as fault variant `name` */
export async function interpretedVariant(name: string, text = MEMORY_C, fns = FAULT_FNS): Promise<KernelCProgram> {
  const program = compileWith(await parser(), linux2611, [memoryC(text)], fns);
  if (!registered(name)) {
    registerKernelCVariant({
      name,
      base: 'truncate-seq',
      description: `Linux 2.6.11 ${fns.join(', ')} interpreted from mm/memory.c; the rest of the kernel follows truncate-seq (invalidations bump truncate_count). 2.6.11 samples truncate_count after dropping page_table_lock, the TypeScript truncate-seq before.`,
      program,
    });
  }
  return program;
}

/** a bundled scenario with column `label` running fault variant `variant`, expecting what `like` expects */
export function scenarioWith(name: string, label: string, variant: string, like?: string): Scenario {
  const file = join(ROOT, 'scenarios', `${name}.mmscenario.yaml`);
  const r = loadScenario(readFileSync(file, 'utf8'), file);
  if (!r.scenario) throw new Error(`${name}: ${JSON.stringify(r.diagnostics)}`);
  const s = r.scenario;
  s.columns.push({ label, selection: { fault: variant } });
  if (like && s.expect[like]) s.expect[label] = s.expect[like];
  return s;
}

/** run a C function alone in a fresh task (steps performed inline) and return its value */
export function runAlone(program: KernelCProgram, fn: string, args: unknown[]): unknown {
  const m = createMachine({ mms: [{ name: 'm' }], tasks: [{ name: 't', mm: 'm', ops: [] }] }, {});
  const t = m.tasks[0];
  t.alone = true;
  const g = runFunction(program.fns.get(fn)!, t, args, program.era);
  let r = g.next();
  while (!r.done) r = g.next();
  return r.value;
}
