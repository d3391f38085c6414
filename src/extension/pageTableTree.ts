// The page-table view: mm -> VMA -> pgd -> pmd -> pte -> page, drawn from a MachineSnapshot.
// Children are computed when a node is expanded, so large address spaces cost nothing until opened.
import * as vscode from 'vscode';

import type { MachineSnapshot, MmSnapshot, PageSnapshot, PteSnapshot, TlbEntrySnapshot, VmaSnapshot } from '../engine/index';

export type PtNode =
  | { kind: 'mm'; mm: MmSnapshot }
  | { kind: 'vma'; mm: MmSnapshot; vma: VmaSnapshot }
  | { kind: 'pgd'; mm: MmSnapshot; vma: VmaSnapshot; pgd: number; ptes: PteSnapshot[] }
  | { kind: 'pmd'; mm: MmSnapshot; vma: VmaSnapshot; pgd: number; pmd: number; ptes: PteSnapshot[] }
  | { kind: 'pte'; mm: MmSnapshot; pte: PteSnapshot }
  | { kind: 'page'; mm: MmSnapshot; pte: PteSnapshot; page: PageSnapshot }
  | { kind: 'orphans'; mm: MmSnapshot; ptes: PteSnapshot[] }
  | { kind: 'tlb'; mm: MmSnapshot; entries: TlbEntrySnapshot[] }
  | { kind: 'tlbEntry'; mm: MmSnapshot; entry: TlbEntrySnapshot }
  | { kind: 'message'; text: string; detail?: string };

const hex = (n: number) => `0x${n.toString(16)}`;

export function vmaDescription(v: VmaSnapshot): string {
  const parts = [
    v.prot,
    ...v.flags.filter((f) => !['VM_READ', 'VM_WRITE', 'VM_EXEC'].includes(f)).map((f) => f.replace(/^VM_/, '').toLowerCase()),
  ];
  if (v.file) parts.push(`${v.file}@${v.pgoff}`);
  else parts.push('anon');
  if (v.ops.length) parts.push(`ops: ${v.ops.join(',')}`);
  return parts.join(' ');
}

export function pteDescription(p: PteSnapshot): string {
  switch (p.kind) {
    case 'present':
      return [
        p.huge ? `huge pte, ${((p.pages ?? 0) * 4) / 1024} MB` : 'present',
        `pfn ${p.pfn ?? '?'}`,
        p.prot ?? '',
        p.dirty ? 'dirty' : '',
        p.young ? 'young' : '',
      ]
        .filter(Boolean)
        .join(' ');
    case 'swap':
      return `swap slot ${p.swapSlot ?? '?'}${p.prot ? ` ${p.prot}` : ''}`;
    case 'file':
      return `file pgoff ${p.pgoff ?? '?'}${p.prot ? ` ${p.prot}` : ''}`;
  }
}

export function pageDescription(p: PageSnapshot): string {
  const parts = [`count ${p.count}`, `mapcount ${p.mapcount}`];
  if (p.pins) parts.push(`pins ${p.pins}`);
  if (p.file !== undefined) parts.push(`${p.file}[${p.index ?? '?'}]${p.version !== undefined ? ` v${p.version}` : ''}`);
  if (p.flags.length) parts.push(p.flags.join(','));
  return parts.join(' · ');
}

/** first index whose addr >= a, in ptes sorted by addr */
function lowerBound(ptes: PteSnapshot[], a: number): number {
  let lo = 0;
  let hi = ptes.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (ptes[m].addr < a) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function groupBy<K>(ptes: PteSnapshot[], key: (p: PteSnapshot) => K): Map<K, PteSnapshot[]> {
  const m = new Map<K, PteSnapshot[]>();
  for (const p of ptes) {
    const k = key(p);
    let g = m.get(k);
    if (!g) m.set(k, (g = []));
    g.push(p);
  }
  return m;
}

export interface TreeSource {
  /** labels of the runs one can pick */
  variants: string[];
  variant: number;
  step: number | 'final';
  snapshot: MachineSnapshot;
  scenario: string;
}

export class PageTableProvider implements vscode.TreeDataProvider<PtNode> {
  private readonly changed = new vscode.EventEmitter<PtNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private source: TreeSource | undefined;
  private sorted = new WeakMap<MmSnapshot, PteSnapshot[]>();
  private pages = new Map<number, PageSnapshot>();
  view?: vscode.TreeView<PtNode>;

  get current(): TreeSource | undefined {
    return this.source;
  }

  setSource(s: TreeSource | undefined): void {
    this.source = s;
    this.sorted = new WeakMap();
    this.pages = new Map((s?.snapshot.pages ?? []).map((p) => [p.pfn, p]));
    if (this.view) {
      this.view.description = s ? `${s.variants[s.variant] ?? ''} · ${s.step === 'final' ? 'final state' : `step ${s.step}`}` : undefined;
      // no message when empty: the view's welcome content (with its buttons) shows instead
      this.view.message = undefined;
    }
    this.changed.fire(undefined);
  }

  private ptesOf(mm: MmSnapshot): PteSnapshot[] {
    let s = this.sorted.get(mm);
    if (!s) {
      s = [...mm.ptes].sort((a, b) => a.addr - b.addr);
      this.sorted.set(mm, s);
    }
    return s;
  }

  private parents = new WeakMap<PtNode, PtNode>();

  getParent(node: PtNode): PtNode | undefined {
    return this.parents.get(node);
  }

  getChildren(node?: PtNode): PtNode[] {
    const kids = this.children(node);
    if (node) for (const k of kids) this.parents.set(k, node);
    return kids;
  }

  private children(node?: PtNode): PtNode[] {
    const src = this.source;
    if (!src) return [];
    if (!node) {
      if (src.snapshot.mms.length === 0) return [{ kind: 'message', text: 'No address space in this state' }];
      return src.snapshot.mms.map((mm) => ({ kind: 'mm', mm }));
    }
    switch (node.kind) {
      case 'mm': {
        const vmas = [...node.mm.vmas].sort((a, b) => a.start - b.start);
        const out: PtNode[] =
          vmas.length === 0 ? [{ kind: 'message', text: 'no VMA' }] : vmas.map((vma) => ({ kind: 'vma', mm: node.mm, vma }));
        // ptes no VMA covers (an orphan pte: the race munmap must not lose) would be shown nowhere else
        const orphans = this.ptesOf(node.mm).filter((p) => !vmas.some((v) => p.addr >= v.start && p.addr < v.end));
        if (orphans.length > 0) out.push({ kind: 'orphans', mm: node.mm, ptes: orphans });
        // the translations the CPUs' TLBs still hold for this mm (worlds that name CPUs)
        if (node.mm.tlb) out.push({ kind: 'tlb', mm: node.mm, entries: node.mm.tlb });
        return out;
      }
      case 'vma': {
        const all = this.ptesOf(node.mm);
        const from = lowerBound(all, node.vma.start);
        const to = lowerBound(all, node.vma.end);
        const ptes = all.slice(from, to);
        const pages = Math.max(0, Math.round((node.vma.end - node.vma.start) / 4096));
        // a huge pte maps HPAGE_SIZE / PAGE_SIZE pages
        const mapped = ptes.reduce((n, p) => n + (p.pages ?? 1), 0);
        if (ptes.length === 0)
          return [{ kind: 'message', text: 'no pte populated', detail: `pte_none for all ${pages} page${pages === 1 ? '' : 's'}` }];
        const out: PtNode[] = [...groupBy(ptes, (p) => p.pgd)].map(([pgd, g]) => ({
          kind: 'pgd',
          mm: node.mm,
          vma: node.vma,
          pgd,
          ptes: g,
        }));
        if (pages > mapped)
          out.push({ kind: 'message', text: `${pages - mapped} of ${pages} pages pte_none`, detail: 'never faulted in, or zapped' });
        return out;
      }
      case 'pgd':
        // a huge pte is the pmd entry itself: no pte table below it
        return [...groupBy(node.ptes, (p) => p.pmd)].map(([pmd, g]): PtNode =>
          g.length === 1 && g[0].huge
            ? { kind: 'pte', mm: node.mm, pte: g[0] }
            : { kind: 'pmd', mm: node.mm, vma: node.vma, pgd: node.pgd, pmd, ptes: g },
        );
      case 'pmd':
      case 'orphans':
        return node.ptes.map((pte) => ({ kind: 'pte', mm: node.mm, pte }));
      case 'tlb':
        if (node.entries.length === 0) return [{ kind: 'message', text: 'no cached translation' }];
        return node.entries.map((entry) => ({ kind: 'tlbEntry', mm: node.mm, entry }));
      case 'pte': {
        const pfn = node.pte.pfn;
        if (node.pte.kind !== 'present' || pfn === undefined) return [];
        const page = this.pages.get(pfn);
        return page
          ? [{ kind: 'page', mm: node.mm, pte: node.pte, page }]
          : [{ kind: 'message', text: `pfn ${pfn}`, detail: 'not in the page table of this snapshot' }];
      }
      default:
        return [];
    }
  }

  getTreeItem(node: PtNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    let item: vscode.TreeItem;
    switch (node.kind) {
      case 'mm':
        item = new vscode.TreeItem(`mm ${node.mm.name}`, C.Expanded);
        item.description = `rss ${node.mm.rss} · ${node.mm.mapCount} VMA${node.mm.mapCount === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('server-process');
        break;
      case 'vma':
        item = new vscode.TreeItem(`${hex(node.vma.start)}–${hex(node.vma.end)}`, C.Collapsed);
        item.description = vmaDescription(node.vma);
        item.iconPath = new vscode.ThemeIcon(node.vma.file ? 'file' : 'symbol-array');
        break;
      case 'pgd':
        item = new vscode.TreeItem(`pgd[${node.pgd}]`, C.Collapsed);
        item.description = `${node.ptes.length} pte${node.ptes.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('list-tree');
        break;
      case 'pmd':
        item = new vscode.TreeItem(`pmd[${node.pmd}]`, C.Collapsed);
        item.description = `${node.ptes.length} pte${node.ptes.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('list-flat');
        break;
      case 'pte': {
        const p = node.pte;
        // a huge pte is a pmd entry (PSE): named by its pmd slot
        item = new vscode.TreeItem(
          p.huge ? `pmd[${p.pmd}] ${hex(p.addr)}` : `pte[${p.pte}] ${hex(p.addr)}`,
          p.kind === 'present' ? C.Collapsed : C.None,
        );
        item.description = pteDescription(p);
        item.iconPath = new vscode.ThemeIcon(
          p.kind === 'present' ? 'circle-filled' : p.kind === 'swap' ? 'archive' : 'file-symlink-file',
          new vscode.ThemeColor(p.kind === 'present' ? (p.dirty ? 'charts.orange' : 'charts.green') : 'charts.blue'),
        );
        break;
      }
      case 'page':
        item = new vscode.TreeItem(`page pfn ${node.page.pfn}`, C.None);
        item.description = pageDescription(node.page);
        item.iconPath = new vscode.ThemeIcon(node.page.pins > 0 ? 'pinned' : 'file-binary');
        break;
      case 'orphans':
        item = new vscode.TreeItem('outside any VMA', C.Expanded);
        item.description = `${node.ptes.length} pte${node.ptes.length === 1 ? '' : 's'} no VMA covers`;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('errorForeground'));
        break;
      case 'tlb':
        item = new vscode.TreeItem('TLBs', C.Collapsed);
        item.description = `${node.entries.length} cached translation${node.entries.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('zap');
        break;
      case 'tlbEntry': {
        const e = node.entry;
        const page = this.pages.get(e.pfn);
        item = new vscode.TreeItem(`${e.cpu} ${hex(e.addr)}`, C.None);
        item.description = `pfn ${e.pfn} ${e.write ? 'rw' : 'r-'}${page ? '' : ' · page freed'}`;
        item.iconPath = new vscode.ThemeIcon('zap', page ? undefined : new vscode.ThemeColor('errorForeground'));
        break;
      }
      case 'message':
        item = new vscode.TreeItem(node.text, C.None);
        item.description = node.detail;
        item.iconPath = new vscode.ThemeIcon('info');
        break;
    }
    item.contextValue = node.kind;
    item.tooltip = new vscode.MarkdownString().appendText(`${item.label as string}${item.description ? ` — ${item.description}` : ''}`);
    item.id = this.idOf(node);
    return item;
  }

  private idOf(n: PtNode): string | undefined {
    switch (n.kind) {
      case 'mm':
        return `mm:${n.mm.name}`;
      case 'vma':
        return `mm:${n.mm.name}/vma:${n.vma.start}`;
      case 'pgd':
        return `mm:${n.mm.name}/vma:${n.vma.start}/pgd:${n.pgd}`;
      case 'pmd':
        return `mm:${n.mm.name}/vma:${n.vma.start}/pgd:${n.pgd}/pmd:${n.pmd}`;
      case 'pte':
        return `mm:${n.mm.name}/pte:${n.pte.addr}`;
      case 'page':
        return `mm:${n.mm.name}/pte:${n.pte.addr}/page`;
      case 'orphans':
        return `mm:${n.mm.name}/orphans`;
      case 'tlb':
        return `mm:${n.mm.name}/tlb`;
      case 'tlbEntry':
        return `mm:${n.mm.name}/tlb/${n.entry.cpu}/${n.entry.addr}`;
      default:
        return undefined;
    }
  }
}
