/* format.c: print settings, the psql text model shared by the printers,
 * and the dispatch from a result to one printer.
 *
 * psql does not print values as it receives them: printQuery first runs
 * every name and value through mbvalidate (dropping bytes that are not
 * valid UTF-8, and the non-characters U+xFFFE/U+xFFFF above the BMP),
 * replaces NULLs by the null string and picks each column's alignment from
 * its type. sh_table is that model; the printers only read it. Display
 * widths follow psql's own Unicode tables (PostgreSQL 15, Unicode 14), not
 * the C library's wcwidth, which disagrees on tens of thousands of code
 * points (format characters, Hangul jamo, unassigned ones) and depends on
 * the locale. */
#include "shell/format.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#include "core/xalloc.h"

/* An inclusive range of code points. */
struct range {
    uint32_t lo;
    uint32_t hi;
};

/* Characters psql 15 shows with no width (its "combining" table: general
 * categories Mn and Me). Measured from psql's own output, one code point
 * at a time, so that our columns line up exactly where psql's do. */
static const struct range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},
    {0x05C1, 0x05C2}, {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06DC}, {0x06DF, 0x06E4},
    {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0711, 0x0711}, {0x0730, 0x074A},
    {0x07A6, 0x07B0}, {0x07EB, 0x07F3}, {0x07FD, 0x07FD}, {0x0816, 0x0819},
    {0x081B, 0x0823}, {0x0825, 0x0827}, {0x0829, 0x082D}, {0x0859, 0x085B},
    {0x0898, 0x089F}, {0x08CA, 0x08E1}, {0x08E3, 0x0902}, {0x093A, 0x093A},
    {0x093C, 0x093C}, {0x0941, 0x0948}, {0x094D, 0x094D}, {0x0951, 0x0957},
    {0x0962, 0x0963}, {0x0981, 0x0981}, {0x09BC, 0x09BC}, {0x09C1, 0x09C4},
    {0x09CD, 0x09CD}, {0x09E2, 0x09E3}, {0x09FE, 0x0A02}, {0x0A3C, 0x0A3C},
    {0x0A41, 0x0A51}, {0x0A70, 0x0A71}, {0x0A75, 0x0A75}, {0x0A81, 0x0A82},
    {0x0ABC, 0x0ABC}, {0x0AC1, 0x0AC8}, {0x0ACD, 0x0ACD}, {0x0AE2, 0x0AE3},
    {0x0AFA, 0x0B01}, {0x0B3C, 0x0B3C}, {0x0B3F, 0x0B3F}, {0x0B41, 0x0B44},
    {0x0B4D, 0x0B56}, {0x0B62, 0x0B63}, {0x0B82, 0x0B82}, {0x0BC0, 0x0BC0},
    {0x0BCD, 0x0BCD}, {0x0C00, 0x0C00}, {0x0C04, 0x0C04}, {0x0C3C, 0x0C3C},
    {0x0C3E, 0x0C40}, {0x0C46, 0x0C56}, {0x0C62, 0x0C63}, {0x0C81, 0x0C81},
    {0x0CBC, 0x0CBC}, {0x0CBF, 0x0CBF}, {0x0CC6, 0x0CC6}, {0x0CCC, 0x0CCD},
    {0x0CE2, 0x0CE3}, {0x0D00, 0x0D01}, {0x0D3B, 0x0D3C}, {0x0D41, 0x0D44},
    {0x0D4D, 0x0D4D}, {0x0D62, 0x0D63}, {0x0D81, 0x0D81}, {0x0DCA, 0x0DCA},
    {0x0DD2, 0x0DD6}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},
    {0x0EB1, 0x0EB1}, {0x0EB4, 0x0EBC}, {0x0EC8, 0x0ECD}, {0x0F18, 0x0F19},
    {0x0F35, 0x0F35}, {0x0F37, 0x0F37}, {0x0F39, 0x0F39}, {0x0F71, 0x0F7E},
    {0x0F80, 0x0F84}, {0x0F86, 0x0F87}, {0x0F8D, 0x0FBC}, {0x0FC6, 0x0FC6},
    {0x102D, 0x1030}, {0x1032, 0x1037}, {0x1039, 0x103A}, {0x103D, 0x103E},
    {0x1058, 0x1059}, {0x105E, 0x1060}, {0x1071, 0x1074}, {0x1082, 0x1082},
    {0x1085, 0x1086}, {0x108D, 0x108D}, {0x109D, 0x109D}, {0x135D, 0x135F},
    {0x1712, 0x1714}, {0x1732, 0x1733}, {0x1752, 0x1753}, {0x1772, 0x1773},
    {0x17B4, 0x17B5}, {0x17B7, 0x17BD}, {0x17C6, 0x17C6}, {0x17C9, 0x17D3},
    {0x17DD, 0x17DD}, {0x180B, 0x180D}, {0x180F, 0x180F}, {0x1885, 0x1886},
    {0x18A9, 0x18A9}, {0x1920, 0x1922}, {0x1927, 0x1928}, {0x1932, 0x1932},
    {0x1939, 0x193B}, {0x1A17, 0x1A18}, {0x1A1B, 0x1A1B}, {0x1A56, 0x1A56},
    {0x1A58, 0x1A60}, {0x1A62, 0x1A62}, {0x1A65, 0x1A6C}, {0x1A73, 0x1A7F},
    {0x1AB0, 0x1B03}, {0x1B34, 0x1B34}, {0x1B36, 0x1B3A}, {0x1B3C, 0x1B3C},
    {0x1B42, 0x1B42}, {0x1B6B, 0x1B73}, {0x1B80, 0x1B81}, {0x1BA2, 0x1BA5},
    {0x1BA8, 0x1BA9}, {0x1BAB, 0x1BAD}, {0x1BE6, 0x1BE6}, {0x1BE8, 0x1BE9},
    {0x1BED, 0x1BED}, {0x1BEF, 0x1BF1}, {0x1C2C, 0x1C33}, {0x1C36, 0x1C37},
    {0x1CD0, 0x1CD2}, {0x1CD4, 0x1CE0}, {0x1CE2, 0x1CE8}, {0x1CED, 0x1CED},
    {0x1CF4, 0x1CF4}, {0x1CF8, 0x1CF9}, {0x1DC0, 0x1DFF}, {0x20D0, 0x20F0},
    {0x2CEF, 0x2CF1}, {0x2D7F, 0x2D7F}, {0x2DE0, 0x2DFF}, {0x302A, 0x302D},
    {0x3099, 0x309A}, {0xA66F, 0xA672}, {0xA674, 0xA67D}, {0xA69E, 0xA69F},
    {0xA6F0, 0xA6F1}, {0xA802, 0xA802}, {0xA806, 0xA806}, {0xA80B, 0xA80B},
    {0xA825, 0xA826}, {0xA82C, 0xA82C}, {0xA8C4, 0xA8C5}, {0xA8E0, 0xA8F1},
    {0xA8FF, 0xA8FF}, {0xA926, 0xA92D}, {0xA947, 0xA951}, {0xA980, 0xA982},
    {0xA9B3, 0xA9B3}, {0xA9B6, 0xA9B9}, {0xA9BC, 0xA9BD}, {0xA9E5, 0xA9E5},
    {0xAA29, 0xAA2E}, {0xAA31, 0xAA32}, {0xAA35, 0xAA36}, {0xAA43, 0xAA43},
    {0xAA4C, 0xAA4C}, {0xAA7C, 0xAA7C}, {0xAAB0, 0xAAB0}, {0xAAB2, 0xAAB4},
    {0xAAB7, 0xAAB8}, {0xAABE, 0xAABF}, {0xAAC1, 0xAAC1}, {0xAAEC, 0xAAED},
    {0xAAF6, 0xAAF6}, {0xABE5, 0xABE5}, {0xABE8, 0xABE8}, {0xABED, 0xABED},
    {0xFB1E, 0xFB1E}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0x101FD, 0x101FD},
    {0x102E0, 0x102E0}, {0x10376, 0x1037A}, {0x10A01, 0x10A0F},
    {0x10A38, 0x10A3F}, {0x10AE5, 0x10AE6}, {0x10D24, 0x10D27},
    {0x10EAB, 0x10EAC}, {0x10F46, 0x10F50}, {0x10F82, 0x10F85},
    {0x11001, 0x11001}, {0x11038, 0x11046}, {0x11070, 0x11070},
    {0x11073, 0x11074}, {0x1107F, 0x11081}, {0x110B3, 0x110B6},
    {0x110B9, 0x110BA}, {0x110C2, 0x110C2}, {0x11100, 0x11102},
    {0x11127, 0x1112B}, {0x1112D, 0x11134}, {0x11173, 0x11173},
    {0x11180, 0x11181}, {0x111B6, 0x111BE}, {0x111C9, 0x111CC},
    {0x111CF, 0x111CF}, {0x1122F, 0x11231}, {0x11234, 0x11234},
    {0x11236, 0x11237}, {0x1123E, 0x1123E}, {0x112DF, 0x112DF},
    {0x112E3, 0x112EA}, {0x11300, 0x11301}, {0x1133B, 0x1133C},
    {0x11340, 0x11340}, {0x11366, 0x11374}, {0x11438, 0x1143F},
    {0x11442, 0x11444}, {0x11446, 0x11446}, {0x1145E, 0x1145E},
    {0x114B3, 0x114B8}, {0x114BA, 0x114BA}, {0x114BF, 0x114C0},
    {0x114C2, 0x114C3}, {0x115B2, 0x115B5}, {0x115BC, 0x115BD},
    {0x115BF, 0x115C0}, {0x115DC, 0x115DD}, {0x11633, 0x1163A},
    {0x1163D, 0x1163D}, {0x1163F, 0x11640}, {0x116AB, 0x116AB},
    {0x116AD, 0x116AD}, {0x116B0, 0x116B5}, {0x116B7, 0x116B7},
    {0x1171D, 0x1171F}, {0x11722, 0x11725}, {0x11727, 0x1172B},
    {0x1182F, 0x11837}, {0x11839, 0x1183A}, {0x1193B, 0x1193C},
    {0x1193E, 0x1193E}, {0x11943, 0x11943}, {0x119D4, 0x119DB},
    {0x119E0, 0x119E0}, {0x11A01, 0x11A0A}, {0x11A33, 0x11A38},
    {0x11A3B, 0x11A3E}, {0x11A47, 0x11A47}, {0x11A51, 0x11A56},
    {0x11A59, 0x11A5B}, {0x11A8A, 0x11A96}, {0x11A98, 0x11A99},
    {0x11C30, 0x11C3D}, {0x11C3F, 0x11C3F}, {0x11C92, 0x11CA7},
    {0x11CAA, 0x11CB0}, {0x11CB2, 0x11CB3}, {0x11CB5, 0x11CB6},
    {0x11D31, 0x11D45}, {0x11D47, 0x11D47}, {0x11D90, 0x11D91},
    {0x11D95, 0x11D95}, {0x11D97, 0x11D97}, {0x11EF3, 0x11EF4},
    {0x16AF0, 0x16AF4}, {0x16B30, 0x16B36}, {0x16F4F, 0x16F4F},
    {0x16F8F, 0x16F92}, {0x16FE4, 0x16FE4}, {0x1BC9D, 0x1BC9E},
    {0x1CF00, 0x1CF46}, {0x1D167, 0x1D169}, {0x1D17B, 0x1D182},
    {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD}, {0x1D242, 0x1D244},
    {0x1DA00, 0x1DA36}, {0x1DA3B, 0x1DA6C}, {0x1DA75, 0x1DA75},
    {0x1DA84, 0x1DA84}, {0x1DA9B, 0x1DAAF}, {0x1E000, 0x1E02A},
    {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF},
    {0x1E8D0, 0x1E8D6}, {0x1E944, 0x1E94A}, {0xE0100, 0xE01EF},
};

/* Characters psql 15 shows two columns wide (East Asian Wide and
 * Fullwidth, which include most emoji). Measured the same way. */
static const struct range double_width[] = {
    {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
    {0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615},
    {0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
    {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE},
    {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
    {0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B},
    {0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
    {0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x2E80, 0x2E99},
    {0x2E9B, 0x2EF3}, {0x2F00, 0x2FD5}, {0x2FF0, 0x2FFB}, {0x3000, 0x3029},
    {0x302E, 0x303E}, {0x3041, 0x3096}, {0x309B, 0x30FF}, {0x3105, 0x312F},
    {0x3131, 0x318E}, {0x3190, 0x31E3}, {0x31F0, 0x321E}, {0x3220, 0x3247},
    {0x3250, 0x4DBF}, {0x4E00, 0xA48C}, {0xA490, 0xA4C6}, {0xA960, 0xA97C},
    {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE52},
    {0xFE54, 0xFE66}, {0xFE68, 0xFE6B}, {0xFF01, 0xFF60}, {0xFFE0, 0xFFE6},
    {0x16FE0, 0x16FE3}, {0x16FF0, 0x16FF1}, {0x17000, 0x187F7},
    {0x18800, 0x18CD5}, {0x18D00, 0x18D08}, {0x1AFF0, 0x1AFF3},
    {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE}, {0x1B000, 0x1B122},
    {0x1B150, 0x1B152}, {0x1B164, 0x1B167}, {0x1B170, 0x1B2FB},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
    {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
    {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265},
    {0x1F300, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C},
    {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3},
    {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E},
    {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D},
    {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A},
    {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2},
    {0x1F6D5, 0x1F6D7}, {0x1F6DD, 0x1F6DF}, {0x1F6EB, 0x1F6EC},
    {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0},
    {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF},
    {0x1FA70, 0x1FA74}, {0x1FA78, 0x1FA7C}, {0x1FA80, 0x1FA86},
    {0x1FA90, 0x1FAAC}, {0x1FAB0, 0x1FABA}, {0x1FAC0, 0x1FAC5},
    {0x1FAD0, 0x1FAD9}, {0x1FAE0, 0x1FAE7}, {0x1FAF0, 0x1FAF6},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

/* Sets psql's defaults. */
void sh_print_opts_init(sh_print_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->format = SH_FMT_ALIGNED;
    o->footer = true;
    o->null_str = pd_xstrdup("");
    o->field_sep = pd_xstrdup("|");
    o->record_sep = pd_xstrdup("\n");
    o->border = 1;
    o->csv_fieldsep = ',';
}

/* Releases the owned strings; o can be initialised again after. */
void sh_print_opts_free(sh_print_opts *o)
{
    if (o == NULL)
        return;
    free(o->null_str);
    free(o->field_sep);
    free(o->record_sep);
    o->null_str = o->field_sep = o->record_sep = NULL;
}

static bool in_table(uint32_t cp, const struct range *t, size_t n)
{
    size_t lo = 0, hi = n;

    if (cp < t[0].lo || cp > t[n - 1].hi)
        return false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp > t[mid].hi)
            lo = mid + 1;
        else if (cp < t[mid].lo)
            hi = mid;
        else
            return true;
    }
    return false;
}

/* Length of the character starting with byte c, as libpq's pg_utf_mblen
 * reckons it: from the lead byte alone, 1 for anything unexpected. */
static int lead_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0)
        return 2;
    if ((c & 0xf0) == 0xe0)
        return 3;
    if ((c & 0xf8) == 0xf0)
        return 4;
    return 1;
}

/* Decodes the len-byte character at p without checks (p is validated).
 * A stray byte decodes to an impossible value, which has width -1. */
static uint32_t decode(const unsigned char *p, int len)
{
    switch (len) {
    case 1:
        return p[0] < 0x80 ? p[0] : 0xffffffffu;
    case 2:
        return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    case 3:
        return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
               (p[2] & 0x3f);
    default:
        return (uint32_t)(p[0] & 0x07) << 18 |
               (uint32_t)(p[1] & 0x3f) << 12 | (uint32_t)(p[2] & 0x3f) << 6 |
               (p[3] & 0x3f);
    }
}

static int cp_width(uint32_t cp)
{
    if (cp == 0)
        return 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0x10ffff)
        return -1;
    if (in_table(cp, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
        return 0;
    if (in_table(cp, double_width,
                 sizeof(double_width) / sizeof(double_width[0])))
        return 2;
    return 1;
}

/* Width of the character at s; *len gets its byte length. */
int sh_format_char_width(const char *s, int *len)
{
    const unsigned char *p = (const unsigned char *)s;
    int n = lead_len(p[0]);

    if (len != NULL)
        *len = n;
    return cp_width(decode(p, n));
}

/* True when the n bytes at p hold a character psql keeps: well-formed
 * UTF-8 (no overlong forms, surrogates or values past U+10FFFF), and not
 * one of the non-characters U+xFFFE/U+xFFFF of planes 1 to 16, which
 * psql's validator also throws away. */
static bool char_ok(const unsigned char *p, int n)
{
    uint32_t cp;
    int i;

    if (n == 1)
        return p[0] < 0x80;
    for (i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return false;
    cp = decode(p, n);
    switch (n) {
    case 2:
        return cp >= 0x80;
    case 3:
        return cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
    default:
        return cp >= 0x10000 && cp <= 0x10ffff && (cp & 0xfffe) != 0xfffe;
    }
}

/* Returns s itself when psql would print it unchanged, else a cleaned
 * copy recorded in t->owned. */
static const char *clean(sh_table *t, const char *s, size_t cap_owned)
{
    const unsigned char *p = (const unsigned char *)s;
    char *copy, *q;

    while (*p != '\0') {
        int n = lead_len(*p);

        if (!char_ok(p, n))
            break;
        p += n;
    }
    if (*p == '\0')
        return s;

    copy = pd_xstrdup(s);
    q = copy + ((const char *)p - s);
    while (*p != '\0') {
        int n = lead_len(*p);

        if (char_ok(p, n)) {
            memmove(q, p, (size_t)n);
            q += n;
            p += n;
        } else {
            p++; /* drop one byte and resynchronise, as psql does */
        }
    }
    *q = '\0';
    if (t->nowned == cap_owned)
        pd_fatal("format: cleaned-copy table overflow");
    t->owned[t->nowned++] = copy;
    return copy;
}

/* True when the character at p, of n bytes, is complete (psql stops at a
 * character cut short by the end of the string). */
static bool complete(const unsigned char *p, int n)
{
    int i;

    for (i = 1; i < n; i++)
        if (p[i] == '\0')
            return false;
    return true;
}

/* Widest line, line count and formatted size of s, as pg_wcssize. */
void sh_format_measure(const char *s, int *width, int *height,
                       size_t *bufsize)
{
    const unsigned char *p = (const unsigned char *)s;
    int widest = 0, line = 0, lines = 1;
    size_t size = 0;

    while (*p != '\0') {
        int n = lead_len(*p), w;

        if (!complete(p, n))
            break;
        w = cp_width(decode(p, n));
        if (n == 1 && *p == '\n') {
            if (line > widest)
                widest = line;
            line = 0;
            lines++;
            size++;
        } else if (n == 1 && *p == '\r') {
            line += 2;
            size += 2;
        } else if (n == 1 && *p == '\t') {
            size += (size_t)(8 - line % 8);
            line += 8 - line % 8;
        } else if (w < 0) {
            line += n == 1 ? 4 : 6; /* "\x1B" or "\u0085" */
            size += n == 1 ? 4 : 6;
        } else {
            line += w;
            size += (size_t)n;
        }
        p += n;
    }
    if (line > widest)
        widest = line;
    if (width != NULL)
        *width = widest;
    if (height != NULL)
        *height = lines;
    if (bufsize != NULL)
        *bufsize = size + 1;
}

/* Display lines of s into buf and lines, as pg_wcsformat. */
int sh_format_lines(const char *s, char *buf, sh_line *lines)
{
    const unsigned char *p = (const unsigned char *)s;
    char *out = buf;
    int nlines = 0, line = 0;

    lines[0].text = buf;
    while (*p != '\0') {
        int n = lead_len(*p), w;

        if (!complete(p, n))
            break;
        w = cp_width(decode(p, n));
        if (n == 1 && *p == '\n') {
            *out++ = '\0';
            lines[nlines++].width = line;
            lines[nlines].text = out;
            line = 0;
        } else if (n == 1 && *p == '\r') {
            memcpy(out, "\\r", 2);
            out += 2;
            line += 2;
        } else if (n == 1 && *p == '\t') {
            do {
                *out++ = ' ';
                line++;
            } while (line % 8 != 0);
        } else if (w < 0) {
            if (n == 1)
                out += sprintf(out, "\\x%02X", *p);
            else
                out += sprintf(out, "\\u%04X", (unsigned)decode(p, n));
            line += n == 1 ? 4 : 6;
        } else {
            memcpy(out, p, (size_t)n);
            out += n;
            line += w;
        }
        p += n;
    }
    *out = '\0';
    lines[nlines++].width = line;
    return nlines;
}

/* "(1 row)" / "(N rows)" into buf. */
void sh_format_footer(char *buf, size_t size, size_t nrows)
{
    snprintf(buf, size, nrows == 1 ? "(%zu row)" : "(%zu rows)", nrows);
}

/* psql's column_type_alignment: numbers to the right. */
static char type_align(uint32_t oid)
{
    switch (oid) {
    case PD_OID_INT2:
    case PD_OID_INT4:
    case PD_OID_INT8:
    case PD_OID_FLOAT4:
    case PD_OID_FLOAT8:
    case PD_OID_NUMERIC:
    case PD_OID_OID:
    case PD_OID_XID:
    case PD_OID_XID8:
    case PD_OID_CID:
    case PD_OID_MONEY:
        return 'r';
    default:
        return 'l';
    }
}

/* Builds the print model of res (borrowed; t borrows from it too), with
 * null_str for SQL NULLs. */
static void table_init(sh_table *t, const pd_result *res,
                       const char *null_str)
{
    size_t ncells, i, cap;
    int c;

    memset(t, 0, sizeof(*t));
    t->ncols = pd_result_ncols(res);
    t->nrows = pd_result_nrows(res);
    ncells = t->nrows * (size_t)t->ncols;
    cap = ncells + (size_t)t->ncols + 1;
    t->headers = pd_xcalloc((size_t)t->ncols + 1, sizeof(char *));
    t->cells = pd_xcalloc(ncells + 1, sizeof(char *));
    t->aligns = pd_xcalloc((size_t)t->ncols + 1, 1);
    /* Sized for the worst case so clean() never reallocates; it is one
     * pointer per cell, as the cells array itself. */
    t->owned = pd_xcalloc(cap, sizeof(char *));

    /* The null string goes through the validator like any value. */
    null_str = clean(t, null_str != NULL ? null_str : "", cap);
    for (c = 0; c < t->ncols; c++) {
        const char *name = pd_result_col_name(res, c);

        t->headers[c] = clean(t, name != NULL ? name : "", cap);
        t->aligns[c] = type_align(pd_result_col_type(res, c));
    }
    for (i = 0; i < t->nrows; i++) {
        for (c = 0; c < t->ncols; c++) {
            const char *v = pd_result_value(res, i, c);

            if (v == NULL || pd_result_is_null(res, i, c))
                t->cells[i * (size_t)t->ncols + (size_t)c] = null_str;
            else
                t->cells[i * (size_t)t->ncols + (size_t)c] =
                    clean(t, v, cap);
        }
    }
}

/* Builds the print model of a hand-made table (borrowed; t borrows from
 * it too). */
static void table_init_cells(sh_table *t, const sh_print_table *pt)
{
    size_t ncells, i, cap;
    int c;

    memset(t, 0, sizeof(*t));
    t->ncols = pt->ncols;
    t->nrows = pt->nrows;
    ncells = t->nrows * (size_t)t->ncols;
    cap = ncells + (size_t)t->ncols + 1;
    t->headers = pd_xcalloc((size_t)t->ncols + 1, sizeof(char *));
    t->cells = pd_xcalloc(ncells + 1, sizeof(char *));
    t->aligns = pd_xcalloc((size_t)t->ncols + 1, 1);
    t->owned = pd_xcalloc(cap, sizeof(char *));
    for (c = 0; c < t->ncols; c++) {
        const char *name = pt->headers[c];

        t->headers[c] = clean(t, name != NULL ? name : "", cap);
        t->aligns[c] = pt->aligns != NULL && pt->aligns[c] == 'r' ? 'r' : 'l';
    }
    for (i = 0; i < ncells; i++) {
        const char *v = pt->cells[i];

        t->cells[i] = clean(t, v != NULL ? v : "", cap);
    }
    t->title = pt->title;
    t->footers = pt->footers;
    t->nfooters = pt->footers != NULL ? pt->nfooters : 0;
}

static void table_free(sh_table *t)
{
    size_t i;

    for (i = 0; i < t->nowned; i++)
        free(t->owned[i]);
    free(t->owned);
    free(t->headers);
    free(t->cells);
    free(t->aligns);
}

/* Hands t to the printer of the chosen format (JSON aside). */
static void print_model(FILE *out, const sh_table *t,
                        const sh_print_opts *opts)
{
    switch (opts->format) {
    case SH_FMT_UNALIGNED:
        sh_format_unaligned(out, t, opts);
        break;
    case SH_FMT_CSV:
        sh_format_csv(out, t, opts);
        break;
    default:
        if (opts->expanded == 1)
            sh_format_expanded(out, t, opts);
        else
            sh_format_aligned(out, t, opts);
        break;
    }
}

/* psql prints the status of a row-returning statement only for the DML
 * forms with RETURNING. */
static bool tag_with_rows(const char *tag)
{
    return strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
           strncmp(tag, "DELETE", 6) == 0 || strncmp(tag, "MERGE", 5) == 0;
}

/* The tag psql prints after res; see format.h. */
void sh_format_print_tag(FILE *out, const pd_result *res,
                         const sh_print_opts *opts)
{
    const char *tag = pd_result_tag(res);

    /* An empty query string has no tag and prints nothing. */
    if (opts->quiet || tag == NULL || tag[0] == '\0')
        return;
    if (!pd_result_has_rows(res) || tag_with_rows(tag))
        fprintf(out, "%s\n", tag);
}

/* Prints res (one result, not the chain): its rows in the chosen format,
 * then the command tag where psql prints one, unless quiet. Never fails;
 * write errors are left in out's error flag for the caller. */
void sh_format_print(FILE *out, const pd_result *res,
                     const sh_print_opts *opts)
{
    sh_table t;

    if (!pd_result_has_rows(res)) {
        sh_format_print_tag(out, res, opts);
        return;
    }
    if (opts->format == SH_FMT_JSON) {
        sh_format_json(out, res, false, false, 0);
    } else {
        table_init(&t, res, opts->null_str);
        t.title = opts->title;
        print_model(out, &t, opts);
        table_free(&t);
    }
    sh_format_print_tag(out, res, opts);
}

/* Prints one chunk of a streamed result; see format.h. */
void sh_format_print_chunk(FILE *out, const pd_result *res,
                           const sh_print_opts *opts, bool cont, bool more,
                           size_t prior)
{
    sh_table t;

    if (!pd_result_has_rows(res)) {
        if (!more)
            sh_format_print(out, res, opts);
        return;
    }
    if (opts->format == SH_FMT_JSON) {
        sh_format_json(out, res, cont, more, prior);
    } else {
        table_init(&t, res, opts->null_str);
        t.title = opts->title;
        t.cont = cont;
        t.more = more;
        t.prior = prior;
        print_model(out, &t, opts);
        table_free(&t);
    }
    if (!more)
        sh_format_print_tag(out, res, opts);
}

/* Prints a hand-made table with its title and footers; see format.h. */
void sh_format_print_table(FILE *out, const sh_print_table *pt,
                           const sh_print_opts *opts)
{
    sh_table t;

    if (opts->format == SH_FMT_JSON) {
        /* pgdeck's own format has no titles: the rows as JSON text. */
        pd_result *res = pd_result_new(pt->ncols, pt->headers, NULL);
        size_t r;

        for (r = 0; r < pt->nrows; r++)
            pd_result_add_row(res, (const char *const *)pt->cells +
                                       r * (size_t)pt->ncols);
        sh_format_json(out, res, false, false, 0);
        pd_result_free(res);
        return;
    }
    table_init_cells(&t, pt);
    print_model(out, &t, opts);
    table_free(&t);
}

/* Prints a catalog query's rows under a title; see format.h. */
void sh_format_print_titled(FILE *out, const pd_result *res,
                            const char *title, const char *const *footers,
                            size_t nfooters, const sh_print_opts *opts)
{
    sh_table t;

    if (!pd_result_has_rows(res))
        return;
    if (opts->format == SH_FMT_JSON) {
        sh_format_json(out, res, false, false, 0);
        return;
    }
    table_init(&t, res, ""); /* psql's describe sets nullPrint to NULL */
    t.title = title;
    t.footers = footers;
    t.nfooters = footers != NULL ? nfooters : 0;
    print_model(out, &t, opts);
    table_free(&t);
}
