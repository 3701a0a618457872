/* fuzz_sqlsplit.c: libFuzzer target for core/sqlsplit.c and core/sqllex.c.
 *
 * Beyond "does not crash" (ASan and UBSan watch every byte read), each
 * input is checked against the contracts the two headers state:
 *
 *   lexer (sqllex.h), on exact-size copies so any read past len is caught:
 *     L1 tokens tile the text: tok.start == pos, 1 <= tok.len <= len - pos,
 *        a known kind, open implies more, false at pos >= len;
 *     L2 pd_sqllex_command_start is the first BACKSLASH token, or len;
 *     L3 "more" is honest: a token scanned in a prefix with more == false
 *        is the same token (kind and length) in the whole text. A blank
 *        token is the exception sqllex.c states: more blanks lengthen it.
 *   splitter (sqlsplit.h), on the input fed whole, byte by byte (short
 *   inputs) and in pieces whose sizes come from the input's hash, so cuts
 *   fall inside multibyte characters, quotes, dollar tags and comments:
 *     S1 the three feeds give the same units with the same lines, and the
 *        same pending text, prompt state and paren depth before finishing;
 *     S2 lines: 1 <= first <= last <= lines in the input, a unit starts no
 *        earlier than the previous one ended, and a unit holds exactly
 *        last - first newlines (first and last are its first and end byte);
 *     S3 units are never empty and never start with a blank; together, in
 *        order, they are a subsequence of the input (a "\\" may come out
 *        as a blank), and every token that is not a blank, a comment, a
 *        ';', "\\" or a command shows up whole, in order: nothing is lost
 *        or invented;
 *     S4 each backslash command comes out as exactly one unit, and
 *        pd_sqllex_command_start on that unit finds it (the unit ends with
 *        the command, trailing blanks removed); on any other unit it finds
 *        no command, so the shell never runs SQL as a command;
 *     S5 after pd_sqlsplit_finish returns NULL nothing is pending;
 *     S6 pd_sqlsplit_set_pending with the SQL in front of a command unit
 *        (what the shell gives back after "SELECT 1 \x") makes exactly
 *        that text pending again, and the splitter then goes on as if the
 *        command had not been there (see check_set_pending).
 *
 * Units are C strings, so the splitter sees NUL bytes as 0x7f, which the
 * lexer treats the same way (a one-byte operator). A violation prints what
 * failed and aborts, and libFuzzer saves the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sqllex.h"
#include "core/sqlsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond))                                                         \
            violated(#cond, __LINE__);                                       \
    } while (0)

static void violated(const char *what, int line)
{
    fprintf(stderr, "fuzz_sqlsplit.c:%d: property violated: %s\n", line,
            what);
    abort();
}

/* ---- small helpers ---- */

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_sep(const char *s, size_t n, size_t j)
{
    return s[j] == '\\' && j + 1 < n && s[j + 1] == '\\';
}

static int count_nl(const char *s, size_t n)
{
    int k = 0;

    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

/* An exact-size heap copy (no NUL after it), so ASan flags any read of
 * text[len]. Returns-owned; NULL for len 0. */
static char *exact_copy(const char *s, size_t len)
{
    char *p;

    if (len == 0)
        return NULL;
    p = malloc(len);
    if (p == NULL)
        abort();
    memcpy(p, s, len);
    return p;
}

/* xorshift32: chunk sizes and cut points derived from the input. */
static uint32_t rnd(uint32_t *st)
{
    uint32_t x = *st;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *st = x;
}

static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h ? h : 1;
}

/* ---- lexer ---- */

/* L1, L2 on s (exact size n, may be NULL when n is 0). */
static void check_tiling(const char *s, size_t n)
{
    pd_sqltok t;
    size_t pos = 0, first_cmd = n;

    while (pd_sqllex_next(s, n, pos, &t)) {
        CHECK(pos < n);
        CHECK(t.start == pos);
        CHECK(t.len >= 1 && t.len <= n - pos);
        CHECK((unsigned)t.kind <= (unsigned)PD_SQLTOK_SEPARATOR);
        CHECK(strcmp(pd_sqllex_kind_name(t.kind), "?") != 0);
        CHECK(!t.open || t.more);
        if (t.kind == PD_SQLTOK_BACKSLASH && first_cmd == n)
            first_cmd = pos;
        pos += t.len;
    }
    CHECK(pos == n);
    CHECK(!pd_sqllex_next(s, n, n + 1, &t));
    CHECK(pd_sqllex_command_start(s, n) == first_cmd);
}

/* L3: every settled token of the prefix s[0..k) is the token scanned at
 * the same offset of the whole text s[0..n). */
static void check_prefix(const char *s, size_t n, size_t k)
{
    char *p = exact_copy(s, k);
    pd_sqltok t, w;
    size_t pos = 0;

    check_tiling(p, k);
    while (pd_sqllex_next(p, k, pos, &t)) {
        if (!t.more) {
            CHECK(pd_sqllex_next(s, n, pos, &w));
            CHECK(w.kind == t.kind);
            if (t.kind == PD_SQLTOK_SPACE)
                CHECK(w.len >= t.len);
            else
                CHECK(w.len == t.len);
        }
        pos += t.len;
    }
    free(p);
}

static void check_lexer(const char *s, size_t n, uint32_t *st)
{
    pd_sqltok t;

    check_tiling(s, n);
    if (n <= 48) {
        for (size_t k = 0; k < n; k++)
            check_prefix(s, n, k);
    } else {
        for (int i = 0; i < 8; i++)
            check_prefix(s, n, rnd(st) % n);
    }
    /* Any offset, not only token starts, is a valid place to scan from. */
    for (int i = 0; i < 4 && n > 0; i++) {
        size_t pos = rnd(st) % n;

        CHECK(pd_sqllex_next(s, n, pos, &t));
        CHECK(t.start == pos && t.len >= 1 && t.len <= n - pos);
    }
}

/* ---- splitter ---- */

typedef struct unit {
    char *text;
    int first, last;
} unit;

typedef struct run {
    unit *u;
    size_t n, cap;
    char *pending; /* pd_sqlsplit_pending once everything is fed */
    pd_sqlsplit_state state;
    int paren;
} run;

static void run_free(run *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->u[i].text);
    free(r->u);
    free(r->pending);
    memset(r, 0, sizeof(*r));
}

static void take(run *r, pd_sqlsplit *sp, bool finish)
{
    char *t;
    int f, l;

    for (;;) {
        f = l = -1;
        t = finish ? pd_sqlsplit_finish(sp, &f, &l)
                   : pd_sqlsplit_next(sp, &f, &l);
        if (t == NULL)
            break;
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 16;
            r->u = realloc(r->u, r->cap * sizeof(*r->u));
            if (r->u == NULL)
                abort();
        }
        r->u[r->n++] = (unit){t, f, l};
    }
    /* Between units: the prompt queries must be sane at any cut. */
    CHECK(pd_sqlsplit_paren_depth(sp) >= 0);
    CHECK(pd_sqlsplit_pending(sp) != NULL);
    CHECK(strchr("=-'\"$*(",
                 pd_sqlsplit_prompt_char(pd_sqlsplit_state_get(sp))) != NULL);
}

/* Feeds s[0..n): mode 0 whole, 1 byte by byte, 2 in pieces of 1..16 bytes
 * (now and then up to 128) drawn from st; with pend, that is made the
 * pending text first. */
static void split(const char *pend, size_t pend_len, const char *s, size_t n,
                  int mode, uint32_t *st, run *r)
{
    pd_sqlsplit *sp = pd_sqlsplit_new();
    size_t i = 0;

    if (pend != NULL)
        pd_sqlsplit_set_pending(sp, pend, pend_len);
    while (i < n) {
        size_t k = n - i;

        if (mode == 1) {
            k = 1;
        } else if (mode == 2) {
            uint32_t x = rnd(st);

            k = (x & 7) == 0 ? 1 + (x >> 3) % 128 : 1 + (x >> 3) % 16;
        }
        if (k > n - i)
            k = n - i;
        pd_sqlsplit_feed(sp, s + i, k);
        take(r, sp, false);
        i += k;
    }
    take(r, sp, false);
    r->pending = strdup(pd_sqlsplit_pending(sp));
    r->state = pd_sqlsplit_state_get(sp);
    r->paren = pd_sqlsplit_paren_depth(sp);
    take(r, sp, true);
    /* S5 */
    CHECK(pd_sqlsplit_pending(sp)[0] == '\0');
    CHECK(pd_sqlsplit_state_get(sp) == PD_SQLSPLIT_READY);
    CHECK(pd_sqlsplit_paren_depth(sp) == 0);
    pd_sqlsplit_free(sp);
}

/* S1 */
static void check_same(const run *a, const run *b)
{
    CHECK(a->n == b->n);
    for (size_t i = 0; i < a->n; i++) {
        CHECK(strcmp(a->u[i].text, b->u[i].text) == 0);
        CHECK(a->u[i].first == b->u[i].first);
        CHECK(a->u[i].last == b->u[i].last);
    }
    CHECK(a->pending != NULL && b->pending != NULL);
    CHECK(strcmp(a->pending, b->pending) == 0);
    CHECK(a->state == b->state);
    CHECK(a->paren == b->paren);
}

/* Where check_units has got to in the units while it walks the tokens of
 * the whole text. */
typedef struct walk {
    const char *s; /* the whole text */
    size_t n;      /* its length */
    const run *r;  /* its units */
    size_t ui, at; /* S3 cursor: unit and offset in it */
    size_t cmd_ui; /* S4: next unit to look for a command in */
    bool esc_semi; /* S6: a "\;" since the last command */
    int s6_left;   /* S6: replays still to do (they cost two splits) */
} walk;

static bool settled(pd_sqltok_kind k)
{
    return k == PD_SQLTOK_SPACE || k == PD_SQLTOK_LINE_COMMENT ||
           k == PD_SQLTOK_BLOCK_COMMENT || k == PD_SQLTOK_SEMI ||
           k == PD_SQLTOK_SEPARATOR || k == PD_SQLTOK_BACKSLASH;
}

/* S3: p[0..n) appears whole in the units at or after the cursor. The
 * final unit loses its trailing blanks, so a token left open at the end of
 * the input (last) is looked for without them. */
static void find_in_units(walk *w, const char *p, size_t n, bool last)
{
    while (last && n > 1 && is_blank((unsigned char)p[n - 1]))
        n--;
    while (w->ui < w->r->n) {
        const char *u = w->r->u[w->ui].text;
        size_t ul = strlen(u);
        const char *hit = w->at <= ul ? memmem(u + w->at, ul - w->at, p, n)
                                      : NULL;

        if (hit != NULL) {
            w->at = (size_t)(hit - u) + n;
            return;
        }
        w->ui++;
        w->at = 0;
    }
    violated("a token of the input is missing from the units", __LINE__);
}

/* S6: the SQL in front of a command (unit k, u[0..at); the command is
 * s[cpos..cpos + clen)), given back, is the pending text again, and the
 * splitter goes on as if the command had been a newline: the units of
 * s[0..cpos) "\n" rest are units 0..k-1 followed by those of "\n" rest fed
 * after pd_sqlsplit_set_pending. Skipped after a "\;", which comes back as
 * a ';' that cannot tell that it reset psql's identifier count. */
static void check_set_pending(walk *w, const char *u, size_t at, size_t k,
                              size_t cpos, size_t clen)
{
    pd_sqlsplit *sp;
    size_t rest = cpos + clen, cn;
    char *c;
    run rc = {0}, rb = {0};

    if (at == 0)
        return;
    sp = pd_sqlsplit_new();
    pd_sqlsplit_set_pending(sp, u, at);
    CHECK(strlen(pd_sqlsplit_pending(sp)) == at);
    CHECK(memcmp(pd_sqlsplit_pending(sp), u, at) == 0);
    CHECK(pd_sqlsplit_next(sp, NULL, NULL) == NULL);
    CHECK(pd_sqlsplit_state_get(sp) != PD_SQLSPLIT_READY);
    pd_sqlsplit_free(sp);

    if (w->esc_semi || w->s6_left == 0)
        return;
    w->s6_left--;
    if (rest < w->n && w->s[rest] == '\n')
        rest++;
    cn = cpos + 1 + (w->n - rest);
    c = malloc(cn);
    if (c == NULL)
        abort();
    memcpy(c, w->s, cpos);
    c[cpos] = '\n';
    memcpy(c + cpos + 1, w->s + rest, w->n - rest);
    split(NULL, 0, c, cn, 0, NULL, &rc);
    split(u, at, c + cpos, cn - cpos, 0, NULL, &rb);
    CHECK(rc.n == k + rb.n);
    for (size_t i = 0; i < k; i++)
        CHECK(strcmp(rc.u[i].text, w->r->u[i].text) == 0);
    for (size_t i = 0; i < rb.n; i++)
        CHECK(strcmp(rc.u[k + i].text, rb.u[i].text) == 0);
    run_free(&rc);
    run_free(&rb);
    free(c);
}

/* S4: the command s[pos..pos + len) (trailing blanks removed) ends the
 * next unit in which pd_sqllex_command_start finds a command, and it finds
 * exactly it; the units before it have no command. */
static void find_command(walk *w, size_t pos, size_t len)
{
    const char *p = w->s + pos;
    size_t n = len;

    while (n > 1 && strchr(" \t\r\f\v", p[n - 1]) != NULL)
        n--;
    while (w->cmd_ui < w->r->n) {
        const char *u = w->r->u[w->cmd_ui++].text;
        size_t ul = strlen(u);
        char *c = exact_copy(u, ul);
        size_t at = pd_sqllex_command_start(c, ul);

        free(c);
        if (at == ul)
            continue;
        CHECK(ul - at == n);
        CHECK(memcmp(u + at, p, n) == 0);
        check_set_pending(w, u, at, w->cmd_ui - 1, pos, len);
        w->esc_semi = false;
        return;
    }
    violated("a backslash command did not come out as a unit", __LINE__);
}

static void check_units(const char *s, size_t n, const run *r)
{
    int lines = 1 + count_nl(s, n);
    walk w = {s, n, r, 0, 0, 0, false, 2};
    pd_sqltok t;
    size_t pos = 0, j = 0;

    for (size_t i = 0; i < r->n; i++) {
        const unit *u = &r->u[i];
        size_t ul = strlen(u->text);

        /* S2 */
        CHECK(u->first >= 1 && u->first <= u->last && u->last <= lines);
        CHECK(i == 0 || u->first >= r->u[i - 1].last);
        CHECK(count_nl(u->text, ul) == u->last - u->first);
        /* S3: non-empty, no leading blank, a subsequence of what is left
         * of the input; a blank may stand for a "\\" separator. */
        CHECK(ul > 0 && !is_blank((unsigned char)u->text[0]));
        for (size_t k = 0; k < ul; k++) {
            char c = u->text[k];

            while (j < n && s[j] != c && !(c == ' ' && is_sep(s, n, j)))
                j++;
            CHECK(j < n);
            j += s[j] == c ? 1 : 2;
        }
    }
    while (pd_sqllex_next(s, n, pos, &t)) {
        if (t.kind == PD_SQLTOK_BACKSLASH) {
            find_command(&w, pos, t.len);
        } else if (t.kind == PD_SQLTOK_ESCAPED) {
            find_in_units(&w, s + pos + 1, 1, false);
            w.esc_semi |= s[pos + 1] == ';';
        } else if (!settled(t.kind)) {
            find_in_units(&w, s + pos, t.len, pos + t.len == n);
        }
        pos += t.len;
        if (t.kind == PD_SQLTOK_BACKSLASH && pos < n && s[pos] == '\n')
            pos++;
    }
    /* S4: no command in the units after the last one. */
    for (; w.cmd_ui < r->n; w.cmd_ui++) {
        const char *u = r->u[w.cmd_ui].text;

        CHECK(pd_sqllex_command_start(u, strlen(u)) == strlen(u));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t st = hash(data, size);
    char *s = exact_copy((const char *)data, size);
    run whole = {0}, bytes = {0}, chunks = {0};

    check_lexer(s, size, &st);
    for (size_t i = 0; i < size; i++) {
        if (s[i] == '\0')
            s[i] = 0x7f;
    }
    split(NULL, 0, s, size, 0, &st, &whole);
    check_units(s, size, &whole);
    if (size <= 256) {
        split(NULL, 0, s, size, 1, &st, &bytes);
        check_same(&whole, &bytes);
    }
    split(NULL, 0, s, size, 2, &st, &chunks);
    check_same(&whole, &chunks);
    run_free(&whole);
    run_free(&bytes);
    run_free(&chunks);
    free(s);
    return 0;
}
