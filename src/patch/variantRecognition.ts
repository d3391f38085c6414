// Which engine variants a patch corresponds to, recognised from the facts the analyser extracted
// (lock contracts, signatures, calls and lock operations per function), never from file names or
// subjects. Each recognition carries the facts that led to it.
import type { Analysis, ApiChange, FunctionDelta, LockContract } from './analysisModel';
import type { FileSides } from './apiDelta';
import { ADDED } from './diffReader';
import { lockOpOf } from './lockOps';
import type { Family, VariantName } from '../engine/index';

export type VariantDetail = NonNullable<Analysis['variantDetails']>[number];

export interface VersionFacts {
  version?: string;
  changes: ApiChange[];
  functions: FunctionDelta[];
  contracts: LockContract[];
  files: FileSides[];
}

const WALK_API = /^(walk_user_pages|get_one_user_page|custom_page_walker_t|setup_\w*page_walk|cleanup_\w*page_walk)$/;

export function recogniseVariants(f: VersionFacts): VariantDetail[] {
  const out: VariantDetail[] = [];
  const ver = f.version ? { version: f.version } : {};
  const push = <F extends Exclude<Family, 'mutation'>>(family: F, variant: VariantName<F>, evidence: string[]) => {
    if (!out.some((d) => d.family === family && d.variant === variant)) out.push({ family, variant, ...ver, evidence });
  };

  // facts on the new side: calls (with their function), added lines' text
  const newCalls: { name: string; member: string; fn: string; args: string[]; file: string; src: number; added: boolean; prevText: string }[] = [];
  const addedText: { text: string; file: string; src: number }[] = [];
  const allNames = new Set<string>();
  for (const fs of f.files) {
    for (const v of fs.new) {
      for (const c of v.facts.calls) {
        const l = v.lines[c.line];
        newCalls.push({
          name: c.name, member: c.member, fn: v.fnOfRow[c.line], args: c.args, file: fs.file.path, src: l?.src ?? 0,
          added: l?.kind === ADDED, prevText: c.line > 0 ? v.lines[c.line - 1].text : '',
        });
        allNames.add(c.name);
      }
      for (const s of v.facts.sigs) allNames.add(s.name);
      for (const e of v.facts.exports) allNames.add(e.name);
      for (const l of v.lines) if (l.kind === ADDED) addedText.push({ text: l.text, file: fs.file.path, src: l.src });
    }
    for (const v of fs.old) for (const s of v.facts.sigs) allNames.add(s.name);
  }
  const at = (file: string, src: number) => `${file} (line ${src})`;

  // --- fault path
  const nopageContracts = f.contracts.filter((c) => /\.nopage$/.test(c.hook) && c.lock === 'page_table_lock');
  const installNewPage = f.changes.some((c) => c.kind === 'added-function' && c.name === 'install_new_page') || newCalls.some((c) => c.name === 'install_new_page');
  for (const c of nopageContracts) {
    if (c.atEntry === 'held' && c.droppedBy === 'implementation') {
      push('fault', 'install_new_page-hch', [`->nopage is entered with page_table_lock held and each implementation drops it (${c.evidence.length} evidence lines)`,
        ...(installNewPage ? ['implementations install the pte with install_new_page()'] : [])]);
    } else if (c.atEntry === 'released' && c.droppedBy === 'caller' && installNewPage) {
      push('fault', 'install_new_page', ['the caller drops page_table_lock before ->nopage', 'implementations install the pte with install_new_page()']);
    }
  }
  // callers of ->nopage: a sequence count sampled around the call means the truncate retry
  const nopageCallers = new Set(newCalls.filter((c) => c.member === 'nopage' && c.name.includes('->') && c.fn).map((c) => c.file + '\0' + c.fn));
  for (const key of nopageCallers) {
    const [file, fn] = key.split('\0');
    const inFn = newCalls.filter((c) => c.file === file && c.fn === fn);
    const seq = inFn.filter((c) => lockOpOf({ name: c.name, member: c.member, line: 0, args: c.args }, fn)?.action === 'seq-read');
    const delta = f.functions.find((d) => d.file === file && d.function === fn);
    if (seq.length > 0 && delta) {
      push('fault', 'truncate-seq', [`${fn}() samples a sequence count (${seq.map((s) => at(s.file, s.src)).join(', ')}) around ->nopage and retries`]);
    } else if (delta && !installNewPage) {
      const call = inFn.find((c) => c.member === 'nopage');
      if (call && call.args.length === 3) {
        const released = inFn.some((c) => c.src <= call.src && lockOpOf({ name: c.name, member: c.member, line: 0, args: c.args }, fn)?.action === 'release');
        if (released) push('fault', '2.5.70', [`${fn}() drops page_table_lock and calls ->nopage(vma, address, ...) for a page it installs itself (${at(call.file, call.src)})`]);
      }
    }
  }

  // --- get_user_pages and the page walk
  const walkNames = [...allNames].filter((n) => WALK_API.test(n));
  if (walkNames.length > 0) {
    const ev = [`page-walk API in the patch: ${walkNames.sort().join(', ')}`];
    let opt: VariantName<'gup'> | '' = '';
    const typedefChange = f.changes.find((c) => c.kind === 'signature' && c.name === 'custom_page_walker_t' && c.before && c.after);
    if (typedefChange && (typedefChange.after!.split(',').length > typedefChange.before!.split(',').length)) {
      opt = 'walk-opt1';
      ev.push(`custom_page_walker_t gains a parameter: ${typedefChange.after}`);
    }
    const removedUnlock = f.functions.filter((d) => d.locksRemoved.includes('spin_unlock(page_table_lock)'));
    const guardedUnlock = newCalls.filter((c) => c.added && c.name === 'spin_unlock' && /page_table_lock/.test(c.args[0] ?? '') && /IS_ERR\s*\(/.test(c.prevText));
    if (!opt && removedUnlock.length > 0 && guardedUnlock.length > 0) {
      opt = 'walk-opt3';
      ev.push(`walkers no longer drop page_table_lock: ${removedUnlock.map((d) => d.function).join(', ')}`);
      ev.push(`the walk drops it when the page is an error: ${guardedUnlock.map((c) => at(c.file, c.src)).join(', ')}`);
    }
    const cleaner = newCalls.filter((c) => c.member && /clean/i.test(c.member));
    const cleanupFns = f.changes.filter((c) => c.kind === 'added-function' && /^cleanup_\w*page_walk$/.test(c.name));
    if (!opt && (cleaner.length > 0 || cleanupFns.length > 0)) {
      opt = 'walk-opt4';
      ev.push(`error handling goes through a separate cleaning function: ${[...cleaner.map((c) => c.name + '()'), ...cleanupFns.map((c) => c.name + '()')].slice(0, 4).join(', ')}`);
    }
    const walkerCallsUnlocked = newCalls.filter((c) => c.member && /walk/i.test(c.member) && c.name.includes('->'));
    if (!opt && walkerCallsUnlocked.some((c) => /spin_unlock\s*\(.*page_table_lock/.test(c.prevText))) {
      opt = 'walk-opt2';
      ev.push('page_table_lock is dropped before every walker call');
    }
    push('gup', opt || 'walk', ev);
  } else {
    const gup = f.changes.find((c) => (c.kind === 'signature' || c.kind === 'added-function') && c.name === 'get_user_pages');
    const gupFn = f.functions.find((d) => d.function === 'get_user_pages');
    const eightArgs = newCalls.filter((c) => c.name === 'get_user_pages' && c.args.length === 8);
    if ((gup && /vmas/.test(gup.after ?? '')) || gupFn || eightArgs.some((c) => c.added)) {
      push('gup', 'gup-2.5.46', [gupFn ? 'the patch changes get_user_pages() itself, which still collects vmas' : 'get_user_pages() is called with its vmas argument']);
    }
  }

  // --- release of pinned pages
  const putUser = /^(put_user_pages?(_dirty(_lock)?)?|unpin_user_pages?(_dirty(_lock)?)?)$/;
  const addedPut = f.changes.filter((c) => c.kind === 'added-function' && putUser.test(c.name));
  const callsPut = f.functions.filter((d) => d.callsAdded.some((n) => putUser.test(n)));
  if (addedPut.length > 0 || callsPut.length > 0) {
    push('release', 'put_user_page', [
      ...(addedPut.length ? [`adds ${addedPut.map((c) => c.name).join(', ')}`] : []),
      ...(callsPut.length ? [`releases pinned pages through ${[...new Set(callsPut.flatMap((d) => d.callsAdded.filter((n) => putUser.test(n))))].join(', ')} in ${callsPut.map((d) => d.function).slice(0, 5).join(', ')}`] : []),
    ]);
  } else {
    const gupAndPut = f.functions.filter((d) => d.callsAdded.includes('put_page') && newCalls.some((c) => c.fn === d.function && /^get_user_pages/.test(c.name)));
    if (gupAndPut.length > 0) push('release', 'put_page', [`releases pages from get_user_pages() with put_page() in ${gupAndPut.map((d) => d.function).join(', ')}`]);
  }

  // --- remap_file_pages
  const nonuniform = addedText.filter((l) => /\bVM_NONUNIFORM\b/.test(l.text));
  const sigsegv = addedText.filter((l) => /\breturn\s+VM_FAULT_SIGSEGV\b/.test(l.text));
  if (nonuniform.length > 0 || (sigsegv.length > 0 && f.changes.some((c) => /access_mask/.test(c.after ?? '')))) {
    push('remap', 'nonuniform', [
      ...(nonuniform.length ? [`checks VM_NONUNIFORM (${nonuniform.slice(0, 3).map((l) => at(l.file, l.src)).join(', ')})`] : []),
      ...(sigsegv.length ? [`faults can end in VM_FAULT_SIGSEGV (${sigsegv.slice(0, 3).map((l) => at(l.file, l.src)).join(', ')})`] : []),
    ]);
  } else if (f.functions.some((d) => /^(sys_)?remap_file_pages$|^install_file_pte$|^populate_range$/.test(d.function))) {
    push('remap', '2.6.13', ['changes remap_file_pages() without per-page protections']);
  }
  return out;
}
