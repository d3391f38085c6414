// Reading a scenario or a patch from disk, for the CLI and the extension alike: regular files only (a
// FIFO would block, a device such as /dev/zero never ends) and at most a size limit, so that nothing a
// user points at can hang or exhaust the process. Opened without blocking, then checked on the open
// descriptor, then read no further than the limit even if the file grows meanwhile.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

import { DEFAULT_INPUT_LIMITS, sizeText } from './limits';

export interface ReadLimit {
  /** most bytes accepted */
  maxBytes: number;
  /** what is read, for messages: "a scenario", "a patch" */
  what: string;
  /** how the user raises the limit, e.g. "setting mmExplorer.limits.scenarioMB" */
  raise?: string;
}

export type InputRead = { ok: true; bytes: Uint8Array } | { ok: false; message: string; code?: string };

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function tooBig(size: string, limit: ReadLimit): string {
  return `${size} is more than the ${sizeText(limit.maxBytes)} ${limit.what} may have${limit.raise ? ` (${limit.raise})` : ''}`;
}

/** The bytes of a regular file of at most limit.maxBytes; otherwise a message saying why not. Never throws. */
export function readInputFile(path: string, limit: ReadLimit): InputRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const message =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EACCES'
          ? 'permission denied'
          : err.code === 'EISDIR'
            ? 'is a directory'
            : err.message;
    return { ok: false, message, code: err.code };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, message: `is ${kindOf(st)}, not a regular file`, code: 'ENOTREG' };
    if (st.size > limit.maxBytes) return { ok: false, message: tooBig(sizeText(st.size), limit), code: 'EFBIG' };
    // one byte more than the limit tells a file that grew past it (or said size 0, as /proc files do)
    let buf = new Uint8Array(Math.min(st.size, limit.maxBytes) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > limit.maxBytes)
          return {
            ok: false,
            message: `grew past the ${sizeText(limit.maxBytes)} ${limit.what} may have${limit.raise ? ` (${limit.raise})` : ''}`,
            code: 'EFBIG',
          };
        const bigger = new Uint8Array(Math.min(limit.maxBytes + 1, Math.max(65536, buf.length * 2)));
        bigger.set(buf);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) return { ok: true, bytes: buf.subarray(0, n) };
      n += got;
    }
  } catch (e) {
    return { ok: false, message: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  } finally {
    closeSync(fd);
  }
}

/** the limit for reading a scenario or a patch: `megabytes` when given (> 0), else the default */
export function inputLimit(kind: 'scenario' | 'patch', megabytes?: number, raise?: string): ReadLimit {
  const bytes = kind === 'scenario' ? DEFAULT_INPUT_LIMITS.scenarioBytes : DEFAULT_INPUT_LIMITS.patchBytes;
  return {
    maxBytes: megabytes !== undefined && Number.isFinite(megabytes) && megabytes > 0 ? Math.floor(megabytes * 1024 * 1024) : bytes,
    what: kind === 'scenario' ? 'a scenario' : 'a patch',
    ...(raise ? { raise } : {}),
  };
}
