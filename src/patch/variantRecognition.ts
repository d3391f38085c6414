// Which engine variants a patch corresponds to, recognised from the facts the analyser extracted
// (lock contracts, signatures, calls and lock operations per function), never from file names or
// subjects. Evidence comes only from lines the patch adds or removes, never from context: a patch that
// deletes a variant's code is not that variant, and one that only touches a function a variant changes
// is not that variant unless it makes the variant's change. Each claim carries a confidence and the
// changed lines it rests on.
import type { Family, VariantName } from '../engine/index';

import type { Analysis, ApiChange, FunctionDelta, LockContract } from './analysisModel';
import type { FileSides } from './apiDelta';
import { ADDED, REMOVED, type DiffLine } from './diffReader';
import { evidenceText } from './fragments';
import { lockOpOf } from './lockOps';

export type VariantDetail = NonNullable<Analysis['variantDetails']>[number];
type Line = VariantDetail['lines'][number];

export interface VersionFacts {
  version?: string;
  changes: ApiChange[];
  functions: FunctionDelta[];
  contracts: LockContract[];
  files: FileSides[];
}

const WALK_API = /^(walk_user_pages|get_one_user_page|custom_page_walker_t|setup_\w*page_walk|cleanup_\w*page_walk)$/;

interface CallAt {
  name: string;
  member: string;
  fn: string;
  args: string[];
  file: string;
  src: number;
  /** the line is added (new side) or removed (old side), not context */
  changed: boolean;
  line: DiffLine | undefined;
  prevText: string;
}

export function recogniseVariants(f: VersionFacts): VariantDetail[] {
  const out: VariantDetail[] = [];
  const ver = f.version ? { version: f.version } : {};
  const push = <F extends Exclude<Family, 'mutation'>>(
    family: F,
    variant: VariantName<F>,
    confidence: VariantDetail['confidence'],
    evidence: string[],
    lines: Line[],
  ) => {
    if (out.some((d) => d.family === family && d.variant === variant)) return;
    const seen = new Set<string>();
    const uniq = lines.filter((l) => !seen.has(l.file + l.line) && seen.add(l.file + l.line)).slice(0, 8);
    out.push({ family, variant, ...ver, confidence, evidence, lines: uniq });
  };

  // calls on each side, and whether their line is one the patch changes
  const newCalls: CallAt[] = [];
  const oldCalls: CallAt[] = [];
  const addedText: Line[] = [];
  const addedNames = new Set<string>();
  /** names on the new side, context included: where the walk options' changed lines are looked for */
  const shownNames = new Set<string>();
  for (const fs of f.files) {
    for (const [views, list, kind] of [
      [fs.new, newCalls, ADDED],
      [fs.old, oldCalls, REMOVED],
    ] as const) {
      for (const v of views) {
        for (const c of v.facts.calls) {
          const l = v.lines[c.line];
          // the old side matters only where the patch removes something
          if (kind === REMOVED && l?.kind !== REMOVED) continue;
          list.push({
            name: c.name,
            member: c.member,
            fn: v.fnOfRow[c.line],
            args: c.args,
            file: fs.file.path,
            src: l?.src ?? 0,
            changed: l?.kind === kind,
            line: l,
            prevText: c.line > 0 ? v.lines[c.line - 1].text : '',
          });
          if (kind === ADDED && l?.kind === ADDED) addedNames.add(c.name);
          if (kind === ADDED) shownNames.add(c.name);
        }
        if (kind !== ADDED) continue;
        for (const s of v.facts.sigs) {
          shownNames.add(s.name);
          if (v.lines[s.line]?.kind === ADDED) addedNames.add(s.name);
        }
        for (const e of v.facts.exports) if (v.lines[e.line]?.kind === ADDED) addedNames.add(e.name);
        // the remap rules look for two words only: keep just the lines that have them
        for (const l of v.lines)
          if (l.kind === ADDED && (l.text.indexOf('VM_NONUNIFORM') >= 0 || l.text.indexOf('VM_FAULT_SIGSEGV') >= 0))
            addedText.push({ file: fs.file.path, line: l.src, text: evidenceText(l) });
      }
    }
  }
  const lineOf = (c: CallAt): Line => ({ file: c.file, line: c.src, text: c.line ? evidenceText(c.line) : '' });
  const at = (file: string, src: number) => `${file} (line ${src})`;
  const added = (name: string) =>
    f.changes.some((c) => (c.kind === 'added-function' && c.name === name) || (c.kind === 'conversion' && c.conversion?.to === name));

  // --- fault path
  const nopageContracts = f.contracts.filter((c) => /\.nopage$/.test(c.hook) && c.lock === 'page_table_lock');
  const installerCalls = newCalls.filter((c) => c.name === 'install_new_page' && c.changed);
  const installNewPage = added('install_new_page') || installerCalls.length > 0;
  const nopageSig = f.changes.find((c) => c.kind === 'member-signature' && c.name === 'nopage');
  for (const c of nopageContracts) {
    const changedEvidence = c.evidence.filter((e) => /^[+-]/.test(e.text)).map((e) => ({ file: e.file, line: e.line, text: e.text }));
    if (changedEvidence.length === 0) continue;
    const sigLine = nopageSig ? [{ file: nopageSig.file, line: nopageSig.line, text: `+${nopageSig.after}` }] : [];
    if (c.atEntry === 'held' && c.droppedBy === 'implementation') {
      push(
        'fault',
        'install_new_page-hch',
        installNewPage && nopageSig ? 'high' : 'medium',
        [
          `->nopage is entered with page_table_lock held and each implementation drops it (${changedEvidence.length} changed evidence lines)`,
          ...(nopageSig ? [`->nopage takes the era's new form: ${nopageSig.after}`] : []),
          ...(installNewPage ? ['implementations install the pte with install_new_page()'] : []),
        ],
        [...sigLine, ...changedEvidence, ...installerCalls.slice(0, 2).map(lineOf)],
      );
    } else if (c.atEntry === 'released' && c.droppedBy === 'caller' && installNewPage) {
      push(
        'fault',
        'install_new_page',
        nopageSig ? 'high' : 'medium',
        ['the caller drops page_table_lock before ->nopage', 'implementations install the pte with install_new_page()'],
        [...sigLine, ...changedEvidence, ...installerCalls.slice(0, 2).map(lineOf)],
      );
    }
  }
  // callers of ->nopage: a sequence count sampled (on a changed line) around the call means the truncate retry
  const nopageCallers = new Set(
    newCalls.filter((c) => c.member === 'nopage' && c.name.includes('->') && c.fn).map((c) => c.file + '\0' + c.fn),
  );
  for (const key of nopageCallers) {
    const [file, fn] = key.split('\0');
    const inFn = newCalls.filter((c) => c.file === file && c.fn === fn);
    const seqOp = (c: CallAt) => lockOpOf({ name: c.name, member: c.member, line: 0, args: c.args }, fn);
    const seq = inFn.filter((c) => seqOp(c)?.action === 'seq-read');
    const seqChanged = seq.filter((c) => c.changed);
    const delta = f.functions.find((d) => d.file === file && d.function === fn);
    if (seqChanged.length > 0 && delta) {
      const retry = inFn.filter((c) => c.changed && seqOp(c)?.action !== 'seq-read' && /truncate|seq/.test(c.args.join(',')));
      push(
        'fault',
        'truncate-seq',
        delta.locksAdded.some((l) => l.startsWith('seq_read')) ? 'high' : 'medium',
        [`${fn}() samples a sequence count (${seqChanged.map((s) => at(s.file, s.src)).join(', ')}) around ->nopage and retries`],
        [...seqChanged, ...retry].map(lineOf),
      );
    } else if (delta && !installNewPage && seq.length === 0) {
      const call = inFn.find((c) => c.member === 'nopage');
      if (call && call.args.length === 3) {
        const released = inFn.filter((c) => c.src <= call.src && seqOp(c)?.action === 'release');
        const changed = [call, ...released].filter((c) => c.changed);
        if (released.length > 0 && changed.length > 0) {
          push(
            'fault',
            '2.5.70',
            'medium',
            [
              `${fn}() drops page_table_lock and calls ->nopage(vma, address, ...) for a page it installs itself (${at(call.file, call.src)})`,
            ],
            changed.map(lineOf),
          );
        }
      }
    }
  }

  // --- get_user_pages and the page walk: names the patch adds, not ones it only shows or removes
  // a walk option is a change made to the page-walk API, which may be context; the plain walk is the API added
  const walkNames = [...addedNames].filter((n) => WALK_API.test(n));
  const walkShown = [...shownNames].filter((n) => WALK_API.test(n));
  const walkLines = newCalls.filter((c) => c.changed && WALK_API.test(c.name)).map(lineOf);
  if (walkShown.length > 0) {
    const ev = [
      walkNames.length
        ? `page-walk API added by the patch: ${walkNames.sort().join(', ')}`
        : `page-walk API the patch changes: ${walkShown.sort().join(', ')}`,
    ];
    const lines: Line[] = [...walkLines];
    let opt: VariantName<'gup'> | '' = '';
    const typedefChange = f.changes.find((c) => c.kind === 'signature' && c.name === 'custom_page_walker_t' && c.before && c.after);
    if (typedefChange && typedefChange.after!.split(',').length > typedefChange.before!.split(',').length) {
      opt = 'walk-opt1';
      ev.push(`custom_page_walker_t gains a parameter: ${typedefChange.after}`);
      lines.unshift({ file: typedefChange.file, line: typedefChange.line, text: `+${typedefChange.after}` });
    }
    const removedUnlock = f.functions.filter((d) => d.locksRemoved.includes('spin_unlock(page_table_lock)'));
    const guardedUnlock = newCalls.filter(
      (c) => c.changed && c.name === 'spin_unlock' && /page_table_lock/.test(c.args[0] ?? '') && /IS_ERR\s*\(/.test(c.prevText),
    );
    if (!opt && removedUnlock.length > 0 && guardedUnlock.length > 0) {
      opt = 'walk-opt3';
      ev.push(`walkers no longer drop page_table_lock: ${removedUnlock.map((d) => d.function).join(', ')}`);
      ev.push(`the walk drops it when the page is an error: ${guardedUnlock.map((c) => at(c.file, c.src)).join(', ')}`);
      lines.unshift(
        ...guardedUnlock.map(lineOf),
        ...oldCalls
          .filter((c) => c.changed && c.name === 'spin_unlock' && /page_table_lock/.test(c.args[0] ?? ''))
          .slice(0, 3)
          .map(lineOf),
      );
    }
    const cleaner = newCalls.filter((c) => c.changed && c.member && /clean/i.test(c.member));
    const cleanupFns = f.changes.filter((c) => c.kind === 'added-function' && /^cleanup_\w*page_walk$/.test(c.name));
    if (!opt && (cleaner.length > 0 || cleanupFns.length > 0)) {
      opt = 'walk-opt4';
      ev.push(
        `error handling goes through a separate cleaning function: ${[...cleaner.map((c) => c.name + '()'), ...cleanupFns.map((c) => c.name + '()')].slice(0, 4).join(', ')}`,
      );
      lines.unshift(...cleaner.map(lineOf), ...cleanupFns.map((c) => ({ file: c.file, line: c.line, text: `+${c.after}` })));
    }
    const walkerCallsUnlocked = newCalls.filter((c) => c.member && /walk/i.test(c.member) && c.name.includes('->'));
    const droppedBefore = walkerCallsUnlocked.filter((c) => /spin_unlock\s*\(.*page_table_lock/.test(c.prevText));
    const unlockAdded = newCalls.filter((c) => c.changed && c.name === 'spin_unlock' && /page_table_lock/.test(c.args[0] ?? ''));
    if (!opt && droppedBefore.length > 0 && unlockAdded.length > 0) {
      opt = 'walk-opt2';
      ev.push('page_table_lock is dropped before every walker call');
      lines.unshift(...unlockAdded.map(lineOf));
    }
    if (opt || walkNames.length > 0) push('gup', opt || 'walk', opt ? 'high' : 'medium', ev, lines);
  } else {
    const gup = f.changes.find(
      (c) => (c.kind === 'signature' || c.kind === 'added-function') && c.name === 'get_user_pages' && /vmas/.test(c.after ?? ''),
    );
    const eightArgs = newCalls.filter((c) => c.changed && c.name === 'get_user_pages' && c.args.length === 8);
    if (gup || eightArgs.length > 0) {
      push(
        'gup',
        'gup-2.5.46',
        gup ? 'high' : 'medium',
        [gup ? `get_user_pages() takes vmas: ${gup.after}` : 'get_user_pages() is called with its vmas argument on lines the patch adds'],
        [...(gup ? [{ file: gup.file, line: gup.line, text: `+${gup.after}` }] : []), ...eightArgs.map(lineOf)],
      );
    }
  }

  // --- release of pinned pages
  const putUser = /^(put_user_pages?(_dirty(_lock)?)?|unpin_user_pages?(_dirty(_lock)?)?)$/;
  const addedPut = f.changes.filter(
    (c) => (c.kind === 'added-function' && putUser.test(c.name)) || (c.kind === 'conversion' && putUser.test(c.conversion?.to ?? '')),
  );
  const putNames = addedPut.map((c) => c.conversion?.to ?? c.name);
  const callsPut = f.functions.filter((d) => d.callsAdded.some((n) => putUser.test(n)));
  const putLines = newCalls.filter((c) => c.changed && putUser.test(c.name)).map(lineOf);
  if (addedPut.length > 0 || callsPut.length > 0) {
    push(
      'release',
      'put_user_page',
      addedPut.length > 0 && callsPut.length > 0 ? 'high' : 'medium',
      [
        ...(addedPut.length ? [`adds ${putNames.join(', ')}`] : []),
        ...(callsPut.length
          ? [
              `releases pinned pages through ${[...new Set(callsPut.flatMap((d) => d.callsAdded.filter((n) => putUser.test(n))))].join(', ')} in ${callsPut
                .map((d) => d.function)
                .slice(0, 5)
                .join(', ')}`,
            ]
          : []),
      ],
      [...addedPut.map((c) => ({ file: c.file, line: c.line, text: `+${c.after}` })), ...putLines],
    );
  } else {
    const gupAndPut = f.functions.filter(
      (d) => d.callsAdded.includes('put_page') && newCalls.some((c) => c.fn === d.function && /^get_user_pages/.test(c.name)),
    );
    if (gupAndPut.length > 0) {
      const lines = newCalls.filter((c) => c.changed && c.name === 'put_page' && gupAndPut.some((d) => d.function === c.fn)).map(lineOf);
      push(
        'release',
        'put_page',
        'medium',
        [`releases pages from get_user_pages() with put_page() in ${gupAndPut.map((d) => d.function).join(', ')}`],
        lines,
      );
    }
  }

  // --- remap_file_pages
  const nonuniform = addedText.filter((l) => /\bVM_NONUNIFORM\b/.test(l.text));
  const sigsegv = addedText.filter((l) => /\breturn\s+VM_FAULT_SIGSEGV\b/.test(l.text));
  const accessMask = f.changes.filter((c) => /access_mask/.test(c.after ?? ''));
  if (nonuniform.length > 0 || (sigsegv.length > 0 && accessMask.length > 0)) {
    push(
      'remap',
      'nonuniform',
      nonuniform.length > 0 && sigsegv.length > 0 ? 'high' : 'medium',
      [
        ...(nonuniform.length
          ? [
              `checks VM_NONUNIFORM (${nonuniform
                .slice(0, 3)
                .map((l) => at(l.file, l.line))
                .join(', ')})`,
            ]
          : []),
        ...(sigsegv.length
          ? [
              `faults can end in VM_FAULT_SIGSEGV (${sigsegv
                .slice(0, 3)
                .map((l) => at(l.file, l.line))
                .join(', ')})`,
            ]
          : []),
      ],
      [...nonuniform, ...sigsegv],
    );
  } else {
    const remap = f.functions.filter(
      (d) =>
        /^(sys_)?remap_file_pages$|^install_file_pte$|^populate_range$/.test(d.function) &&
        d.callsAdded.length + d.callsRemoved.length + d.locksAdded.length + d.locksRemoved.length > 0,
    );
    if (remap.length > 0) {
      const lines = [...newCalls, ...oldCalls]
        .filter((c) => c.changed && remap.some((d) => d.function === c.fn && d.file === c.file))
        .map(lineOf);
      push('remap', '2.6.13', 'low', ['changes the calls of remap_file_pages() without per-page protections'], lines);
    }
  }
  return out;
}
