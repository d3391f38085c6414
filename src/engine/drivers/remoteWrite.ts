// A write to a DFS file from another node: take the range's token exclusive, invalidate every
// other node's mappings and cached copy of the range, write the backing store (the version goes
// up), release the token. This is the cross-node invalidation seed 004's race is about.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { File } from '../mm/addressSpace';
import { invalidateMmapRange } from '../mm/truncate';
import { truncateInodePages } from '../mm/pageCache';

export function* dfsRemoteWrite(t: Task, file: File, page: number): Generator<Step, number, void> {
  t.enter('dfs_remote_write');
  const token = t.kernel.dfs.token(file.name, page);
  if (t.acquire(token, false)) yield t.step;
  const mine = t.node ?? '';
  const others = file.spacesList().filter((s) => s.node !== mine);
  for (const s of others) s.invalidating++;
  for (const s of others) {
    yield* invalidateMmapRange(t, s, page, page);
    yield* truncateInodePages(t, s, page, page + 1);
  }
  if (t.sleep('dfs: write to the backing store (network)')) yield t.step;
  if (t.objWrite(file.backingKey, page, 'write to the backing store')) yield t.step;
  file.ensure(page + 1);
  const version = file.bump(page);
  // this node's cached copy holds the new data
  const own = file.spacesList().find((s) => s.node === mine);
  const p = own?.cache.get(page);
  if (p) p.version = version;
  for (const s of others) s.invalidating--;
  if (t.tracing) t.emit('note', `${file.name} page ${page} now version ${version}`);
  if (t.release(token, false)) yield t.step;
  t.exit('dfs_remote_write', '0');
  return 0;
}
