// Where a command writes: the process's stdout/stderr, or a test's buffers.
export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** stderr is a terminal the process owns: a live progress count may overwrite its last line */
  tty?: boolean;
}

export const stdio: Io = {
  tty: !!process.stderr.isTTY,
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};
