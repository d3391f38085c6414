// C type spelling as the analyser compares it: the fragment facts (signatures, parameters,
// locals) and the source scanner (callers' declarations) must spell a type the same way.

/** "struct  page*" -> "struct page *", "char * *" -> "char **": one pass, no regex (it runs for every declaration). */
export function normType(t: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      // "char * __user" -> "char *__user": no space after a star
      space = out.length > 0 && out.charCodeAt(out.length - 1) !== 42;
    } else if (c === 42 /* * */) {
      if (out.length > 0 && out.charCodeAt(out.length - 1) !== 42) out += ' ';
      out += '*';
      space = false;
    } else {
      if (space && out.length > 0) out += ' ';
      out += t[i];
      space = false;
    }
  }
  return out;
}
