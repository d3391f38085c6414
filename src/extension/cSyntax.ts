// Counting syntax errors in a C text with the analyser's tree-sitter parser: a quick fix whose result
// has more of them than the text before it is not offered.
import type { CParser } from '../patch/cParser';

export function syntaxErrorCounter(parser: CParser): (text: string) => number {
  return (text) => {
    const tree = parser.parse(text);
    try {
      if (!tree.rootNode.hasError) return 0;
      let n = 0;
      const c = tree.walk();
      // only subtrees that contain an error are entered
      for (;;) {
        const node = c.currentNode;
        if (node.type === 'ERROR' || node.isMissing) n++;
        if (node.hasError && node.type !== 'ERROR' && c.gotoFirstChild()) continue;
        while (!c.gotoNextSibling()) if (!c.gotoParent()) return n;
      }
    } finally {
      tree.delete();
    }
  };
}
