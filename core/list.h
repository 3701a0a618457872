/* list.h: intrusive circular doubly linked list (header-only).
 *
 * Embed a pd_list in each element and recover the element with
 * pd_list_entry. A list does not own its elements. */
#ifndef PD_LIST_H
#define PD_LIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pd_list {
    struct pd_list *prev, *next;
} pd_list;

#define pd_list_entry(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void pd_list_init(pd_list *l)
{
    l->prev = l->next = l;
}

static inline bool pd_list_empty(const pd_list *l)
{
    return l->next == l;
}

/* Inserts n before pos (at the tail when pos is the head). */
static inline void pd_list_insert_before(pd_list *pos, pd_list *n)
{
    n->prev = pos->prev;
    n->next = pos;
    pos->prev->next = n;
    pos->prev = n;
}

static inline void pd_list_push_back(pd_list *head, pd_list *n)
{
    pd_list_insert_before(head, n);
}

static inline void pd_list_push_front(pd_list *head, pd_list *n)
{
    pd_list_insert_before(head->next, n);
}

/* Unlinks n and leaves it as an empty list, so removing twice is harmless. */
static inline void pd_list_remove(pd_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    pd_list_init(n);
}

/* Unlinks and returns the first element, or NULL when empty. */
static inline pd_list *pd_list_pop_front(pd_list *head)
{
    pd_list *n = head->next;

    if (n == head)
        return NULL;
    pd_list_remove(n);
    return n;
}

/* Iterates safely against removal of the current node. */
#define pd_list_each_safe(pos, tmp, head) \
    for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
         (pos) = (tmp), (tmp) = (pos)->next)

#endif
