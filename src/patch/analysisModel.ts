// The result of analysing a patch (mbox, thread, diff): plain data shared by the CLI (`mmx analyze --json`)
// and the extension (CodeLens, diagnostics, hovers). Produced by src/patch (analyzePatch).

export interface Problem {
  file: string;
  line: number;
  column?: number;
  message: string;
  severity?: 'error' | 'warning' | 'info';
}

export interface PatchInfo {
  subject: string;
  /** e.g. "v2", or the kernel tree it is against ("2.5.70-mm3") */
  version: string;
  /** [PATCH n/m] position when present */
  index?: number;
  total?: number;
  author?: string;
  date?: string;
  /** line in the analysed file where this patch starts */
  line: number;
  files: { path: string; status: 'modified' | 'added' | 'deleted' | 'renamed'; oldPath?: string; hunks: number }[];
  /** Signed-off-by, Reviewed-by, ... found before the diff */
  trailers?: { key: string; value: string }[];
  /** the diff was read from a review reply that quotes it ("> +foo"), not from the patch mail itself */
  quoted?: { reply: string; author?: string; line: number; depth: number; attribution?: string };
}

/** A reviewer's comment written between the quoted lines of a patch, attached to the diff line it follows. */
export interface ReviewComment {
  /** the patched file, and the line of the analysed file holding the diff line commented on (the
   * patch's own copy when the thread has it, else the quoted copy) */
  file: string;
  line: number;
  /** that diff line, marker and text ("+\tspin_unlock(&mm->page_table_lock);") */
  on: string;
  /** line in the patched C file (new side; old side for a removed line) */
  sourceLine?: number;
  text: string;
  /** line of the analysed file where the comment starts */
  commentLine: number;
  /** the reply it was written in */
  reply: string;
  author?: string;
  /** subject of the patch commented on */
  patch: string;
  version?: string;
}

export interface ApiChange {
  kind: 'signature' | 'added-function' | 'removed-function' | 'added-macro' | 'removed-macro' | 'added-export' | 'removed-export' | 'member-signature' | 'comment' | 'return-convention'
    | 'added-member' | 'removed-member' | 'member-type'
    /** same types, another way of defining it (asmlinkage long sys_x(...) -> SYSCALL_DEFINEn(x, ...)) */
    | 'definition'
    /** objects defined by DEFINE_* macros */
    | 'added-definition' | 'removed-definition'
    /** a function that becomes (or is added as) a static inline stub: { BUG(); return 0; } */
    | 'stub'
    /** an ops-table slot wired to another function (.nopage = f -> .fault = g) */
    | 'ops-slot'
    /** a function removed and one added that replace it (same ops slot, or most of the body shared) */
    | 'conversion';
  name: string;
  /** struct for a function-pointer member (vm_operations_struct), file otherwise */
  container: string;
  before?: string;
  after?: string;
  /** the patched file (path inside the tree); line is in the analysed patch file */
  file: string;
  line: number;
  /** patch version it belongs to, when the input holds several */
  version?: string;
  /** further places the same change appears (a prototype and its definition) */
  locations?: { file: string; line: number }[];
  /** for a conversion: the two functions, the ops slot that links them, how each hands back its result */
  conversion?: {
    from: string;
    to: string;
    /** "vm_operations_struct.nopage -> .fault" */
    slot?: string;
    table?: string;
    returnsBefore: string[];
    returnsAfter: string[];
    /** body lines the two share */
    sharedLines: number;
  };
}

export interface LockContract {
  hook: string;
  lock: string;
  atEntry: 'held' | 'released';
  /** who drops it: 'caller' or 'implementation' */
  droppedBy: 'caller' | 'implementation';
  version?: string;
  /** line: in the analysed file; sourceLine: in the patched C file (new side, or old side for removed lines) */
  evidence: { file: string; line: number; text: string; sourceLine?: number }[];
}

export interface Implementation {
  /** the patched file; line is in the analysed patch file (where its header, or its assignment, is) */
  file: string;
  line: number;
  function: string;
  hook: string;
  consistent: boolean;
  problems: string[];
  version?: string;
  /** what could not be checked (a body outside the hunks) */
  notes?: string[];
}

export interface FunctionDelta {
  /** "(hunk -1158)" when the patch shows neither the function's header nor a diff -p section */
  function: string;
  file: string;
  /** line in the analysed patch file */
  line: number;
  callsAdded: string[];
  callsRemoved: string[];
  locksAdded: string[];
  locksRemoved: string[];
  /** control flow the patch adds or removes: "goto out_unlock", "break", "return", "label out_unlock" */
  flowAdded?: string[];
  flowRemoved?: string[];
  /** locals whose type changes where a contract depends on it (sequence counts, page pointers) */
  localTypes?: { name: string; before: string; after: string; line: number }[];
  /** the same object reached another way: an atomic access become a plain one, a barrier gone */
  accessChanges?: { object: string; before: string; after: string; change: string; line: number }[];
  /** set when no hunk header or definition names the function and the patch's description does */
  namedFrom?: 'description';
  version?: string;
}

export interface Analysis {
  source: string;
  patches: PatchInfo[];
  apiChanges: ApiChange[];
  functions: FunctionDelta[];
  lockContracts: LockContract[];
  implementations: Implementation[];
  /** engine variants recognised from the extracted facts, e.g. ["install_new_page-hch"] */
  variants: string[];
  /** versions of one patch across a thread, paired the way range-diff does */
  versionPairs?: {
    from: string;
    to: string;
    pairs: {
      a: string;
      b: string;
      changed: boolean;
      /** file-level pairing inside a patch pair; '' on one side for a file only the other version touches */
      files?: { a: string; b: string; changed: boolean; interdiff?: string[] }[];
    }[];
  }[];
  /** how each recognised variant was recognised */
  variantDetails?: {
    family: 'fault' | 'gup' | 'release' | 'remap';
    variant: string;
    version?: string;
    /** high: the variant's own change (signature of the era, the rule's lines) is in the patch; medium: part of
     * it; low: the patch only touches what the variant changes */
    confidence: 'high' | 'medium' | 'low';
    evidence: string[];
    /** the lines the patch adds or removes that the claim rests on (never context) */
    lines: { file: string; line: number; text: string }[];
  }[];
  /** hunks read whole / hunks seen; and the hunk sides parsed as C / those that parsed without a syntax error */
  coverage: { hunksSeen: number; hunksRecovered: number; cSides?: number; cSidesClean?: number };
  /** how the patch converts callers of a release API: "put_page(p)" -> "put_user_pages_dirty_lock(&$PAGE, 1, $DIRTY)" */
  callerReplacements?: {
    api: string;
    /** the patch's call with $PAGE for the page and $DIRTY for the make-dirty argument */
    pattern: string;
    /** arguments the patch's version of the API takes */
    args: number;
    /** the replaced lines dirtied the page first (set_page_dirty_lock, SetPageDirty) */
    dirtied: boolean;
    file: string;
    line: number;
    version?: string;
  }[];
  /** comments of review replies on the lines of the patch they quote */
  reviewComments?: ReviewComment[];
  problems: Problem[];
}

/** A place in a C source file that uses an API a patch changes (from scanCSource). */
export interface SourceFinding {
  kind: 'hook-implementation' | 'hook-return' | 'call-arity' | 'gup-vmas' | 'gup-put-page';
  /** the API concerned: "vm_operations_struct.nopage", "get_user_pages", "put_user_page" */
  api: string;
  function: string;
  message: string;
  /** 1-based lines, 0-based columns, end exclusive */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** a hook implementation in a form that is neither the patch's old nor its new one (another era):
   * the patch does not apply to this tree, and nothing is offered to fix */
  thirdForm?: boolean;
  /** a mechanical replacement, offered only when the result parses with no new syntax error and no
   * longer uses a parameter the conversion removes; for a hook implementation it is the whole function */
  edit?: { line: number; column: number; endLine: number; endColumn: number; newText: string };
}
