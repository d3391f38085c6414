import { describe, expect, it } from 'vitest';

import { normType } from '../../../src/patch/cTypes';

describe('C type spelling', () => {
  it('squashes blanks and writes the stars against the name, never before a qualifier', () => {
    expect(normType('struct  page*')).toBe('struct page *');
    expect(normType('char * *')).toBe('char **');
    expect(normType('void * __user')).toBe('void *__user');
    expect(normType('struct page * const')).toBe('struct page *const');
    expect(normType(' \tunsigned\nlong ')).toBe('unsigned long');
    expect(normType('pte_t *  ')).toBe('pte_t *');
  });
});
