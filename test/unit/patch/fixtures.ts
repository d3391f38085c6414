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

export function fixture(rel: string): Buffer {
  return readFileSync(join(FIXTURES, rel));
}

export function fixtureText(rel: string): string {
  return readFileSync(join(FIXTURES, rel), 'utf8');
}
