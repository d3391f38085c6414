/*
 * The ladder's N = 2 world in Promela, for SPIN as the explorer benchmark's anchor: a file of two
 * pages, two threads each faulting its own page of a shared mapping in its own mm, and one task
 * truncating the file to 0 (vmtruncate: i_size, zap every mapping's ptes under its page_table_lock,
 * then drop the pages from the page cache). Written for this benchmark after the engine's model of
 * do_no_page / filemap_nopage / vmtruncate (src/engine), at the same interleaving points where the
 * engine has them for shared objects; what a thread keeps in its own variables is local here too.
 *
 * -DSEQ gives the truncate-seq variant (mapping->truncate_count sampled before ->nopage, checked
 * under page_table_lock, the fault retried when it moved); without it, 2.5.70.
 * The property: when every task has finished, no pte maps a page that left the page cache (stale-pte).
 */

#define N 2
#define NPAGES 6

byte i_size = N;
byte cache[N];             /* page cache: index -> page (0: none) */
bool in_cache[NPAGES];     /* page->mapping != NULL */
byte pte[N];               /* each mm's pte for its page: page (0: none) */
bool ptl[N];               /* page_table_lock of each mm */
bool page_locked[NPAGES];
byte truncate_count = 0;
byte next_page = 1;
byte finished = 0;

inline lock(l) { atomic { l == 0 -> l = 1 } }
inline unlock(l) { l = 0 }

proctype fault(byte i) {
  byte page = 0;
  byte seq = 0;
  bool sigbus = 0;
retry:
  page = 0;
  /* handle_pte_fault: entry = *pte under page_table_lock; none: do_no_page */
  lock(ptl[i]);
  if
  :: pte[i] != 0 -> unlock(ptl[i]); goto done
  :: else -> skip
  fi;
  unlock(ptl[i]);
#ifdef SEQ
  seq = truncate_count;
#endif
  /* filemap_nopage: i_size_read, find_get_page, page_cache_alloc + add_to_page_cache, readpage */
  if
  :: i >= i_size -> sigbus = 1; goto done
  :: else -> skip
  fi;
  page = cache[i];
  if
  :: page == 0 ->
     atomic { page = next_page; next_page++ };
     atomic {
       if
       :: cache[i] == 0 -> cache[i] = page; in_cache[page] = 1
       :: else -> page = cache[i]
       fi
     };
     lock(page_locked[page]);
     skip;                 /* ->readpage: disk I/O, may sleep */
     unlock(page_locked[page])
  :: else -> skip
  fi;
  /* do_no_page: back under page_table_lock, install the pte if it is still none */
  lock(ptl[i]);
#ifdef SEQ
  if
  :: seq != truncate_count -> unlock(ptl[i]); goto retry
  :: else -> skip
  fi;
#endif
  if
  :: pte[i] == 0 -> pte[i] = page
  :: else -> skip
  fi;
  unlock(ptl[i]);
done:
  finished++
}

proctype trunc() {
  byte j = 0;
  i_size = 0;
#ifdef SEQ
  truncate_count++;
#endif
  /* invalidate_mmap_range: zap each mapping under its page_table_lock */
  j = 0;
  do
  :: j < N -> lock(ptl[j]); pte[j] = 0; unlock(ptl[j]); j++
  :: else -> break
  od;
  /* truncate_inode_pages: find_lock_page, remove from the page cache */
  j = 0;
  do
  :: j < N ->
     if
     :: cache[j] != 0 ->
        lock(page_locked[cache[j]]);
        in_cache[cache[j]] = 0;
        atomic { page_locked[cache[j]] = 0; cache[j] = 0 }
     :: else -> skip
     fi;
     j++
  :: else -> break
  od;
  finished++
}

init {
  byte k;
  atomic {
    k = 0;
    do
    :: k < N -> run fault(k); k++
    :: else -> break
    od;
    run trunc()
  };
  finished == N + 1;
  /* stale-pte: a pte to a page that is no longer in the page cache */
  k = 0;
  do
  :: k < N -> assert(pte[k] == 0 || in_cache[pte[k]]); k++
  :: else -> break
  od
}
