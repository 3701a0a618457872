/* format_json.c: pgdeck's own format (\pset format json, --json): a JSON
 * array with one object per row, one row per line so that large results
 * stay readable and greppable:
 *
 *   [{"a":1},
 *    {"a":2}]
 *
 * A streamed statement prints its chunks as they come, "[" before the
 * first row and "]" after the last, so that the pieces put together are
 * byte for byte the whole result's text and memory stays bounded. */
#include "shell/format.h"

#include <cjson/cJSON.h>

#include "core/xalloc.h"

/* Prints res's rows as part of (or the whole of) one array; see
 * format.h. */
void sh_format_json(FILE *out, const pd_result *res, bool cont, bool more,
                    size_t prior)
{
    size_t nrows = pd_result_nrows(res), r;

    if (!cont)
        fputc('[', out);
    for (r = 0; r < nrows; r++) {
        cJSON *obj = pd_result_row_json(res, r);
        char *text = cJSON_PrintUnformatted(obj);

        if (text == NULL)
            pd_fatal("out of memory");
        fprintf(out, "%s%s", prior + r == 0 ? "" : ",\n ", text);
        cJSON_free(text);
        cJSON_Delete(obj);
    }
    if (!more)
        fputs("]\n", out);
}
