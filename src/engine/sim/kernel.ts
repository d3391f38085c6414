// The simulated kernel: every object of the world (allocator, files, address spaces, DFS, swap)
// plus the variant rules in force, lockdep, the trace and the violation log.

import { Dfs } from '../fs/dfs';
import { File } from '../mm/addressSpace';
import { MmStruct } from '../mm/mmStruct';
import { NO_LIMIT, PageAllocator } from '../mm/page';
import { SwapSpace } from '../mm/swap';
import { Tlb, checkFreedTlb } from '../mm/tlb';

import type { InvariantName } from './catalogue';
import { DEFAULT_MAX_MAP_COUNT } from './constants';
import { interpretedFunctions, interpretedVariant, type InterpretedFunctions } from './interpreted';
import { Lockdep } from './lockdep';
import { Spinlock } from './locks';
import { OPS, type ExtraOp } from './ops';
import type { OpResult, VariantSelection, Violation, WorldSpec } from './spec';
import type { Task } from './task';
import { Trace, ViolationLog } from './trace';
import {
  baseVariant,
  getVariant,
  variantsOf,
  type Family,
  type FamilyRules,
  type FaultRules,
  type MutationRules,
  type RemapRules,
  type Variant,
} from './variants';

const FAMILIES: readonly Family[] = ['fault', 'gup', 'release', 'remap', 'mutation'];

export interface KernelOptions {
  trace?: boolean;
  /** operations beyond the engine's, by name (tests: a deliberately buggy kernel function) */
  extraOps?: Readonly<Record<string, ExtraOp>>;
  /** variants beyond the catalogue's (tests: a rule set no patch proposed) */
  extraVariants?: readonly Variant[];
}

export class Kernel {
  readonly alloc: PageAllocator;
  readonly files = new Map<string, File>();
  readonly mms = new Map<string, MmStruct>();
  readonly dfs: Dfs;
  readonly swap = new SwapSpace();
  readonly lockdep = new Lockdep();
  /** per-CPU TLBs, when the world names CPUs */
  readonly tlb: Tlb | null;
  /** zone->lru_lock (one zone): guards the LRU lists kswapd isolates pages from */
  readonly lruLock = new Spinlock('lru_lock', 'zone');
  readonly violations = new ViolationLog();
  readonly trace: Trace;
  /** scheduler step counter (for violations and trace events) */
  stepNo = 0;
  /** the task running now (set by the driver) */
  current: Task | null = null;
  readonly tasks: Task[] = [];
  /** what each operation came to, in completion order */
  readonly results: OpResult[] = [];
  /** the variant chosen for each family that has variants */
  readonly selected = new Map<Family, Variant>();
  readonly fault: FaultRules;
  /** references one DMA pin adds to page->count (0: pins are tracked apart; a release variant may set it) */
  pinBias = 0;
  /** event counters (see MachineSnapshot.counters) */
  readonly counters = new Map<string, number>();
  count(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }
  /** MAP_SHARED|MAP_ANONYMOUS mappings get an internal shmem file each */
  anonFiles = 0;
  readonly remap: RemapRules;
  /** the deliberate breakage in force (all false by default) */
  readonly mutation: MutationRules;
  /** kernel functions the fault variant runs from C (null: all TypeScript) */
  readonly interp: InterpretedFunctions | null;
  /** operations beyond the engine's table (MachineOptions.extraOps) */
  readonly extraOps: ReadonlyMap<string, ExtraOp>;

  constructor(world: WorldSpec, sel: VariantSelection, opts: KernelOptions = {}) {
    this.trace = new Trace(opts.trace ?? false);
    this.extraOps = new Map(Object.entries(opts.extraOps ?? {}));
    for (const name of this.extraOps.keys())
      if (Object.hasOwn(OPS, name)) throw new Error(`extra operation '${name}' is an engine operation`);
    const extra = opts.extraVariants ?? [];
    for (const fam of FAMILIES) {
      const name = sel[fam];
      if (name !== undefined) {
        const v =
          getVariant(fam, name) ??
          extra.find((x) => x.family === fam && x.name === name) ??
          (fam === 'fault' ? interpretedVariant(name) : undefined);
        if (!v) {
          const known = [...variantsOf(fam), ...extra.filter((x) => x.family === fam)].map((x) => x.name);
          throw new Error(
            `unknown ${fam} variant '${name}'${known.length ? ` (known: ${known.join(', ')})` : ' (no variants registered for this family)'}`,
          );
        }
        this.selected.set(fam, v);
      } else {
        const b = baseVariant(fam);
        if (b) this.selected.set(fam, b);
      }
    }
    this.fault = this.selected.get('fault')!.rules as FaultRules;
    this.remap = this.selected.get('remap')!.rules as RemapRules;
    this.mutation = this.selected.get('mutation')!.rules as MutationRules;
    this.interp = interpretedFunctions(this.selected.get('fault')!.name);

    this.alloc = new PageAllocator(world.memoryPages ?? NO_LIMIT);
    this.alloc.objectRmap = this.fault.rmap === 'object';
    this.alloc.onBadFree = (p, why) => this.recordViolation('freed-while-mapped', `pfn ${p.pfn}: ${why}`, this.current, '__free_pages');
    const cpus = world.cpus ?? [];
    if (new Set(cpus).size !== cpus.length) throw new Error('a CPU is declared twice');
    this.tlb = cpus.length > 0 ? new Tlb(cpus) : null;
    if (this.tlb !== null) this.alloc.onFree = (p) => checkFreedTlb(this, p);

    const nodes = world.nodes ?? [];
    this.dfs = new Dfs(nodes);
    for (const f of world.files ?? []) {
      if (this.files.has(f.name)) throw new Error(`file '${f.name}' declared twice`);
      if (!Number.isInteger(f.pages) || f.pages < 0) throw new Error(`file '${f.name}': pages must be a non-negative integer`);
      const file = new File(f.name, f.pages, f.fs ?? 'local');
      this.files.set(f.name, file);
      // inode->i_mapping exists from the start (one per node on the DFS)
      if (file.fs === 'dfs') for (const n of nodes) file.mapping(n);
      else file.mapping(null);
    }
    for (const m of world.mms) {
      if (this.mms.has(m.name)) throw new Error(`mm '${m.name}' declared twice`);
      if (m.node !== undefined && !nodes.includes(m.node)) throw new Error(`mm '${m.name}': unknown node '${m.node}'`);
      this.mms.set(m.name, new MmStruct(m.name, m.node ?? null, world.maxMapCount ?? DEFAULT_MAX_MAP_COUNT));
    }
  }

  /** rules of a family (for modules that implement families other than fault/remap) */
  rules<F extends Family>(family: F): FamilyRules[F] | undefined {
    return this.selected.get(family)?.rules as FamilyRules[F] | undefined;
  }
  /** an operation of the engine's table or of MachineOptions.extraOps */
  hasOp(name: string): boolean {
    return Object.hasOwn(OPS, name) || this.extraOps.has(name);
  }
  variantName(family: Family): string | undefined {
    return this.selected.get(family)?.name;
  }

  file(name: string): File {
    const f = this.files.get(name);
    if (!f) throw new Error(`unknown file '${name}'`);
    return f;
  }

  /** `stack`: the JavaScript stack of an engine error */
  recordViolation(invariant: InvariantName, message: string, task: Task | null, fn?: string, stack?: string): void {
    const v: Violation = {
      invariant,
      message,
      task: task?.name,
      step: this.stepNo,
      fn,
      locksHeld: task ? [...task.locksHeldNames()] : [],
    };
    if (stack !== undefined) v.stack = stack;
    const added = this.violations.add(v);
    if (added && this.trace.enabled) {
      this.trace.push(
        this.stepNo,
        task ? task.id : -1,
        'violation',
        fn ?? '',
        `${invariant}: ${message}`,
        task ? task.locksHeldNames() : [],
      );
    }
  }
}
