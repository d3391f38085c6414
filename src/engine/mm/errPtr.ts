// ERR_PTR / IS_ERR / PTR_ERR (include/linux/err.h): a pointer that carries a negative errno. The
// page-walk API of seed 000 passes them to custom page walkers for the vma and the page.

export interface ErrPtr {
  readonly errno: number;
}

const cache = new Map<number, ErrPtr>();

/** ERR_PTR(-errno); one object per errno so that identity comparisons stay cheap */
export function ERR_PTR(errno: number): ErrPtr {
  if (errno >= 0) throw new Error(`ERR_PTR(${errno}): an error pointer carries a negative errno`);
  let e = cache.get(errno);
  if (!e) {
    e = Object.freeze({ errno });
    cache.set(errno, e);
  }
  return e;
}

export function IS_ERR(x: unknown): x is ErrPtr {
  return typeof x === 'object' && x !== null && cache.get((x as ErrPtr).errno) === x;
}

export function PTR_ERR(e: ErrPtr): number {
  return e.errno;
}

const NAMES: Record<number, string> = { 12: 'ENOMEM', 14: 'EFAULT', 22: 'EINVAL' };

/** "-EFAULT" for -14 */
export function errnoName(ret: number): string {
  const n = NAMES[-ret];
  return n ? `-${n}` : String(ret);
}
