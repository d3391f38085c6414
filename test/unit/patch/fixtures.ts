// Paths of the patch analyser's test input (copied from the project's shared seeds and corpus).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'patch');

export const SEED = {
  s000: 'seeds/000_243e62cc6606d0f0.txt',
  s001: 'seeds/001_6c3cf800e53ebc37.txt',
  s002: 'seeds/002_8ad10912949ff2ea.txt',
  s003: 'seeds/003_c639fba1cd99ad68.txt',
  s004: 'seeds/004_de1f5842a85ca452.txt',
};

/** seed 004 (the install_new_page thread) is kept once: as the sample the extension ships */
export const SEED004_PATH = join(__dirname, '..', '..', '..', 'samples', 'install_new_page-thread.txt');
const ELSEWHERE: Record<string, string> = { [SEED.s004]: SEED004_PATH };

/** the path of a patch fixture named relative to test/fixtures/patch */
export function patchFixturePath(rel: string): string {
  return ELSEWHERE[rel] ?? join(FIXTURES, rel);
}

export function fixture(rel: string): Buffer {
  return readFileSync(patchFixturePath(rel));
}

export function fixtureText(rel: string): string {
  return readFileSync(patchFixturePath(rel), 'utf8');
}

/** C sources of the pristine 2.6.11 tree are kept once, in that tree (test/fixtures/linux-2.6.11) */
const TREE_SOURCES: Record<string, string> = {
  'memory.c': join(__dirname, '..', '..', 'fixtures', 'linux-2.6.11', 'mm', 'memory.c'),
};

/** a C source fixture by name: sources/NAME, or its place in the 2.6.11 tree */
export function sourcePath(name: string): string {
  return TREE_SOURCES[name] ?? join(FIXTURES, 'sources', name);
}

export function sourceText(name: string): string {
  return readFileSync(sourcePath(name), 'utf8');
}
