// Where a command writes: the process's stdout/stderr, or a test's buffers.
export interface Io {
  out(s: string): void;
  err(s: string): void;
}

export const stdio: Io = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};
