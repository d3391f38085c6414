/**
 * Kernel C on the engine: an interpreter for the C of the fault path and the per-era bindings
 * that map its names onto the engine's objects. No vscode, no DOM.
 *
 *   compileProgram(era, sources, names?)  -> KernelCProgram (program.ts): parse each function with
 *     tree-sitter, compile it once (compile.ts) to an instruction list over explicit frames
 *   registerKernelCVariant({name, base, program})  (variant.ts): a fault variant whose
 *     handle_pte_fault / do_no_page / do_anonymous_page run interpreted
 *   namesReport(parser, era, source, fns?) (names.ts): names needed / unbound
 *   eraBindings('2.6.11') (eras/): the binding tables (binding.ts describes their shape)
 */
export { compileProgram, compileWith, type CSource, type KernelCProgram } from './program';
export { registerKernelCVariant, interpretedEntries, type KernelCVariantSpec } from './variant';
export { interpretedVariant } from '../engine/sim/interpreted';
export { namesReport, type NamesReport, type NameEntry } from './names';
export { baseEraOf, eraBindings, eraNames, eraOf, interpretableFunctions } from './eras/index';
export { rebuildColumnVariant, type ColumnVariantSpec } from './columnVariant';
export { formatDiagnostic, KernelCError, type KcDiagnostic } from './diagnostic';
export { runFunction, type CFunction } from './compile';
export type { EraBindings, FnBinding, FieldBinding, HookBinding, ConstBinding, CallSite } from './binding';
