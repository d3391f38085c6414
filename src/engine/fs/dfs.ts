// The distributed filesystem model: nodes sharing files through one backing store, with a token
// per range (one page here) that a node takes shared to read the range into its page cache and
// exclusive to write it (after invalidating every other node's copy and mapping).

import { DfsTokenLock } from '../sim/locks';

export class Dfs {
  readonly nodes: string[];
  private readonly tokens = new Map<string, DfsTokenLock>();
  constructor(nodes: string[]) {
    this.nodes = nodes;
  }
  token(file: string, page: number): DfsTokenLock {
    const k = file + ':' + page;
    let t = this.tokens.get(k);
    if (!t) {
      t = new DfsTokenLock(file, page);
      this.tokens.set(k, t);
    }
    return t;
  }
  allTokens(): DfsTokenLock[] {
    return [...this.tokens.values()];
  }
  /** the tokens by "file:page", in creation order, without a copy (for the state hash) */
  get tokenMap(): ReadonlyMap<string, DfsTokenLock> {
    return this.tokens;
  }
}
