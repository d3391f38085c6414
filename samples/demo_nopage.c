/*
 * A character driver written against 2.5.70: its ->nopage has the old three-argument form,
 * returns the page (or NOPAGE_SIGBUS) and lets do_no_page() install the pte.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>

struct demo_dev {
	struct page **pages;
	unsigned long npages;
};

static struct page *demo_vm_nopage(struct vm_area_struct *vma,
				   unsigned long address, int write_access)
{
	struct demo_dev *dev = vma->vm_private_data;
	unsigned long offset = (address - vma->vm_start) >> PAGE_SHIFT;
	struct page *page;

	if (offset >= dev->npages)
		return NOPAGE_SIGBUS;
	page = dev->pages[offset];
	get_page(page);
	return page;
}

static struct vm_operations_struct demo_vm_ops = {
	.nopage = demo_vm_nopage,
};

int demo_pin_user_buffer(struct demo_dev *dev, unsigned long uaddr, int n)
{
	struct vm_area_struct **vmas = NULL;
	int got, i;

	down_read(&current->mm->mmap_sem);
	got = get_user_pages(current, current->mm, uaddr, n, 1, 0, dev->pages, vmas);
	up_read(&current->mm->mmap_sem);
	if (got < n) {
		for (i = 0; i < got; i++)
			put_page(dev->pages[i]);
		return -EFAULT;
	}
	return got;
}
