/* env.h: the environment of pgdeck's children, as \setenv leaves it.
 *
 * psql's \setenv calls setenv(3); pgdeck cannot, since libuv's thread
 * pool may be reading the environment at that moment (getaddrinfo) and
 * glibc may move environ under it. So \setenv edits a private copy, made
 * from environ when first needed, and the shell passes that copy to each
 * child it spawns and reads its own variables (EDITOR, PAGER, SHELL...)
 * through it. The process's environ is never written. */
#ifndef SH_ENV_H
#define SH_ENV_H

typedef struct sh_env sh_env;

/* Returns-owned copy of the process's environment. */
sh_env *sh_env_new(void);

/* Frees e. Accepts NULL. */
void sh_env_free(sh_env *e);

/* Sets name (borrowed) to value (borrowed, copied), or removes it when
 * value is NULL, as psql's setenv/unsetenv. An empty name is ignored,
 * as setenv refuses it; the caller rejects names holding '='. */
void sh_env_set(sh_env *e, const char *name, const char *value);

/* The value of name, or NULL when unset. e may be NULL: the process's
 * own (getenv). Borrowed, valid until the next sh_env_set or
 * sh_env_free. */
const char *sh_env_get(const sh_env *e, const char *name);

/* The NULL-terminated "NAME=VALUE" vector for uv_process_options_t.env,
 * or NULL when e is NULL (the child inherits ours). Borrowed, valid until
 * the next sh_env_set or sh_env_free. */
char **sh_env_vector(const sh_env *e);

#endif
