// Quick fixes are offered only when they hold up: the fixed text is parsed again and must have no
// syntax error the original did not have, and a converted function must no longer use a parameter its
// new signature removes. The parser an analysis was made with is remembered for the checks.
import type { Node } from 'web-tree-sitter';
import type { Analysis } from './analysisModel';
import type { CParser } from './cParser';

const parsers = new WeakMap<Analysis, CParser>();

/** Remember the parser an analysis was made with, so scans against it can check their fixes. */
export function attachParser(a: Analysis, parser: CParser): void {
  parsers.set(a, parser);
}

export function parserOf(a: Analysis): CParser | undefined {
  return parsers.get(a);
}

/** Syntax errors and missing tokens in a text (a function, or a few lines). */
export function syntaxErrors(parser: CParser, text: string): number {
  const tree = parser.parse(text);
  try {
    if (!tree.rootNode.hasError) return 0;
    let n = 0;
    const walk = (node: Node) => {
      if (node.isError || node.isMissing) n++;
      if (!node.hasError && !node.isMissing) return;
      for (const c of node.children) if (c) walk(c);
    };
    walk(tree.rootNode);
    return n;
  } finally {
    tree.delete();
  }
}

/** Why a fix must not be offered, or undefined when it holds up. */
export function fixProblem(parser: CParser | undefined, before: string, after: string, removedParams: string[] = [], bodyAt = 0): string | undefined {
  if (!parser) return 'no C parser to check the result with';
  for (const p of removedParams) {
    if (p && new RegExp(`\\b${p.replace(/\W/g, '')}\\b`).test(stripComments(after.slice(bodyAt)))) return `the body still uses '${p}', which the new signature removes`;
  }
  if (syntaxErrors(parser, after) > syntaxErrors(parser, before)) return 'the result does not parse';
  return undefined;
}

function stripComments(t: string): string {
  return t.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}
