/* args.c: the psql-compatible command line (see args.h). */
#include "shell/args.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "shell/usage.h"

enum {
    OPT_CSV = 256, OPT_JSON, OPT_NO_COLOR, OPT_MIN_POOL, OPT_MAX_POOL,
    OPT_DEMO, OPT_CONFIG, OPT_THEME, OPT_SLOW_MS, OPT_SLOW_LOG,
    OPT_PRINT_CONFIG, OPT_METRICS_LISTEN, OPT_ON_ERROR_STOP
};

static const struct option long_opts[] = {
    {"command", required_argument, NULL, 'c'},
    {"file", required_argument, NULL, 'f'},
    {"single-transaction", no_argument, NULL, '1'},
    {"list", no_argument, NULL, 'l'},
    {"output", required_argument, NULL, 'o'},
    {"dbname", required_argument, NULL, 'd'},
    {"host", required_argument, NULL, 'h'},
    {"port", required_argument, NULL, 'p'},
    {"username", required_argument, NULL, 'U'},
    {"no-align", no_argument, NULL, 'A'},
    {"tuples-only", no_argument, NULL, 't'},
    {"expanded", no_argument, NULL, 'x'},
    {"quiet", no_argument, NULL, 'q'},
    {"field-separator", required_argument, NULL, 'F'},
    {"record-separator", required_argument, NULL, 'R'},
    {"no-psqlrc", no_argument, NULL, 'X'},
    {"set", required_argument, NULL, 'v'},
    {"on-error-stop", no_argument, NULL, OPT_ON_ERROR_STOP},
    {"variable", required_argument, NULL, 'v'},
    {"no-password", no_argument, NULL, 'w'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, '?'},
    {"csv", no_argument, NULL, OPT_CSV},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"min-pool", required_argument, NULL, OPT_MIN_POOL},
    {"max-pool", required_argument, NULL, OPT_MAX_POOL},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"theme", required_argument, NULL, OPT_THEME},
    {"slow-ms", required_argument, NULL, OPT_SLOW_MS},
    {"slow-log", required_argument, NULL, OPT_SLOW_LOG},
    {"print-config", no_argument, NULL, OPT_PRINT_CONFIG},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {NULL, 0, NULL, 0},
};

/* Says "pgdeck: error: WHAT "ARG"" and exits 2. */
static void usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "pgdeck: error: %s \"%s\"", what, arg);
    fputs("\nTry \"pgdeck --help\" for more information.\n", stderr);
    exit(2);
}

static void add_override(sh_args *a, const char *key, const char *value,
                         const char *flag)
{
    a->over = pd_xrealloc(a->over, (size_t)(a->nover + 1) * sizeof(*a->over));
    a->over[a->nover].key = key;
    a->over[a->nover].value = value;
    a->over[a->nover].flag = flag;
    a->nover++;
}

static void add_action(sh_args *a, bool file, const char *text)
{
    a->acts = pd_xrealloc(a->acts, (size_t)(a->nacts + 1) * sizeof(*a->acts));
    a->acts[a->nacts].file = file;
    a->acts[a->nacts].text = text;
    a->nacts++;
}

static void add_var(sh_args *a, const char *assignment)
{
    a->vars = pd_xrealloc(a->vars, (size_t)(a->nvars + 1) * sizeof(char *));
    a->vars[a->nvars++] = assignment;
}

static void set_str(char **field, const char *v)
{
    free(*field);
    *field = pd_xstrdup(v);
}

/* -o: psql opens its output while reading the options, so a file that
 * cannot be made fails before any connection, with status 1; a later -o
 * replaces an earlier one (which stays created, and emptied, as psql's).
 * "" is standard output; "|COMMAND" is started by main.c, which has the
 * loop. New files are 0600, as the shell's \o makes them (DESIGN.md:
 * files pgdeck writes are private), where psql's follow the umask. */
static void set_output(sh_args *a, const char *arg)
{
    int fd;

    if (a->out_file != NULL)
        fclose(a->out_file);
    a->out_file = NULL;
    a->out_cmd = NULL;
    if (arg[0] == '|') {
        a->out_cmd = arg + 1;
        return;
    }
    if (arg[0] == '\0')
        return;
    fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (a->out_file = fdopen(fd, "w")) == NULL) {
        fprintf(stderr, "pgdeck: error: %s: %s\n", arg, strerror(errno));
        exit(1);
    }
}

/* The options that only change how results print. False: not one. */
static bool print_opt(int c, const char *arg, sh_print_opts *po)
{
    switch (c) {
    case 'A': po->format = SH_FMT_UNALIGNED; return true;
    case 't': po->tuples_only = true; return true;
    case 'x': po->expanded = 1; return true;
    case 'q': po->quiet = true; return true;
    case 'F': set_str(&po->field_sep, arg); return true;
    case 'R': set_str(&po->record_sep, arg); return true;
    case OPT_CSV: po->format = SH_FMT_CSV; return true;
    case OPT_JSON: po->format = SH_FMT_JSON; return true;
    default: return false;
    }
}

/* The options that are settings-table overrides. False: not one. */
static bool setting_opt(int c, const char *arg, sh_args *a)
{
    switch (c) {
    case 'd': add_override(a, "database.url", arg, "-d"); return true;
    case OPT_NO_COLOR:
        add_override(a, "no_color", "true", "--no-color"); return true;
    case OPT_MIN_POOL:
        add_override(a, "pool.min", arg, "--min-pool"); return true;
    case OPT_MAX_POOL:
        add_override(a, "pool.max", arg, "--max-pool"); return true;
    case OPT_SLOW_MS:
        add_override(a, "slow_log.threshold_ms", arg, "--slow-ms");
        return true;
    case OPT_SLOW_LOG:
        add_override(a, "slow_log.file", arg, "--slow-log"); return true;
    case OPT_THEME: add_override(a, "theme", arg, "--theme"); return true;
    case OPT_METRICS_LISTEN:
        add_override(a, "metrics_listen", arg, "--metrics-listen");
        return true;
    default: return false;
    }
}

/* getopt's '?': -? and --help print the help; anything else is an
 * unknown option or one without its value. Never returns. */
static void bad_opt(char **argv)
{
    if (optopt == 0 || optopt == '?') {
        if (optind > 0 && strcmp(argv[optind - 1], "-?") != 0 &&
            strcmp(argv[optind - 1], "--help") != 0)
            usage_error("unrecognized option", argv[optind - 1]);
        sh_usage_print(stdout);
        exit(0);
    }
    if (optopt >= OPT_CSV) /* a long option without its value */
        usage_error("missing the argument of option", argv[optind - 1]);
    if (strchr("cfodhpUFRPv", optopt) != NULL) {
        char o[3] = {'-', (char)optopt, '\0'};
        usage_error("missing the argument of option", o);
    }
    usage_error("unrecognized option", argv[optind - 1]);
}

/* One option that is neither a print option nor a setting. */
static void other_opt(int c, char **argv, sh_args *a, pd_config *cfg)
{
    switch (c) {
    case 'c': add_action(a, false, optarg); break;
    case 'f': add_action(a, true, optarg); break;
    case '1': a->single_txn = true; break;
    case 'l': a->list = true; break;
    case 'o': set_output(a, optarg); break;
    case 'h': pd_config_set_str(&cfg->host, optarg); break;
    case 'p': pd_config_set_str(&cfg->port, optarg); break;
    case 'U': pd_config_set_str(&cfg->user, optarg); break;
    case 'X': case 'w': break;
    case 'P':
        a->psets = pd_xrealloc(a->psets,
                               (size_t)(a->npsets + 1) * sizeof(char *));
        a->psets[a->npsets++] = optarg;
        break;
    case OPT_ON_ERROR_STOP: add_var(a, "ON_ERROR_STOP=1"); break;
    case 'v':
        if (strchr(optarg, '=') == NULL || optarg[0] == '=')
            usage_error("-v needs NAME=VALUE, got", optarg);
        add_var(a, optarg);
        break;
    case 'V': sh_usage_version(stdout); exit(0);
    case OPT_CONFIG: a->config_path = optarg; break;
    case OPT_PRINT_CONFIG: a->print_config = true; break;
    case OPT_DEMO: a->demo = true; break;
    case '?': bad_opt(argv); break;
    default: usage_error("unrecognized option", argv[optind - 1]);
    }
}

/* Parses argv; see args.h. */
void sh_args_parse(int argc, char **argv, sh_args *a, pd_config *cfg,
                   sh_print_opts *po)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:f:1lo:d:h:p:U:AtxqF:R:XwV?v:P:",
                            long_opts, NULL)) != -1) {
        if (!print_opt(c, optarg, po) && !setting_opt(c, optarg, a))
            other_opt(c, argv, a, cfg);
    }
    while (optind < argc) {
        if (a->npositional == 2)
            usage_error("too many command-line arguments; extra:",
                        argv[optind]);
        a->positional[a->npositional++] = argv[optind++];
    }
}

/* Frees what a owns; see args.h. */
void sh_args_free(sh_args *a)
{
    if (a->out_file != NULL)
        fclose(a->out_file);
    a->out_file = NULL;
    free(a->over);
    free(a->acts);
    free(a->vars);
    free(a->psets);
}
