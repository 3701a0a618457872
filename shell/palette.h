/* palette.h: the shell's own colours, from a theme (core/theme.h).
 *
 * The shell colours a few things of its own and nothing else: the prompt
 * (the theme's "title" role), the severity word of an error or a warning
 * ("error", "warn"), and the announcements of \bg jobs ("ok", "error",
 * "warn", "dim"). Query output is never coloured: it stays byte for byte
 * psql's. Colour goes to a stream only when that stream is a terminal,
 * TERM is not "dumb", and neither NO_COLOR nor --no-color (the config's
 * no_color) asks otherwise.
 *
 * The palette describes the process's one terminal, as readline's state
 * does: it is the shell's one piece of process-wide state, set up by main
 * and changed by \theme, read wherever the shell writes to the terminal
 * (printerr.c has no session to carry it). */
#ifndef SH_PALETTE_H
#define SH_PALETTE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

typedef enum sh_palette_use {
    SH_PAL_PROMPT = 0, /* the prompt ("title") */
    SH_PAL_ERROR,      /* ERROR:, FATAL:, a failed job ("error") */
    SH_PAL_WARNING,    /* WARNING:, a canceled job ("warn") */
    SH_PAL_OK,         /* a job done ("ok") */
    SH_PAL_NOTE,       /* a job started, secondary text ("dim") */
    SH_PAL_COUNT
} sh_palette_use;

void sh_palette_setup(bool no_color);
PD_MUSTCHECK int sh_palette_use_theme(const char *name, pd_error *err);
const char *sh_palette_theme(void);
bool sh_palette_wanted(void);
bool sh_palette_on(FILE *f);
const char *sh_palette_sgr(sh_palette_use use);
const char *sh_palette_start(FILE *f, sh_palette_use use);
const char *sh_palette_end(FILE *f, sh_palette_use use);

#endif
