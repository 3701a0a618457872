/* demo_cluster.c: the demo cluster's directories and settings.
 *
 * The cluster dir (data, run, server.log) lives below the state dir, or
 * as root in a fresh postgres-owned dir. Before each start the socket dir
 * is made sure of, a free loopback port chosen and pgdeck.conf rewritten
 * (port and sockets), and a server that went away while starting is
 * explained from the end of its log. Everything here runs on libuv's
 * thread pool. */
#include "core/demo_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/xalloc.h"

#define FIRST_PORT 54320 /* ports tried first, then any free one */
#define PORT_SPAN 100

/* Makes the cluster dir: below the state dir, or as root a fresh
 * postgres-owned dir in postgres's home (/root is closed to it). */
void pd_demo_create_cluster(pd_demo *d)
{
    char *base = NULL;
    struct stat sb;

    pd_demo_state_clear(&d->st);
    if (d->as_root) {
        const char *parent = "/tmp";
        if (d->run_home != NULL && stat(d->run_home, &sb) == 0 &&
            S_ISDIR(sb.st_mode) && sb.st_uid == d->uid)
            parent = d->run_home;
        base = pd_xasprintf("%s/" PD_DEMO_BASE_PREFIX "XXXXXX", parent);
        if (mkdtemp(base) == NULL) {
            pd_demo_sys_error(d, "create directory in", parent, errno);
            goto fail;
        }
        if (chown(base, d->uid, d->gid) != 0) {
            pd_demo_sys_error(d, "give to postgres", base, errno);
            rmdir(base);
            goto fail;
        }
    } else {
        base = pd_xasprintf("%s/cluster", d->state_dir);
        pd_demo_remove_tree(d, base); /* a leftover without state */
        if (mkdir(base, 0700) != 0) {
            pd_demo_sys_error(d, "create directory", base, errno);
            goto fail;
        }
    }
    d->st.base = base;
    d->st.data = pd_xasprintf("%s/data", base);
    d->st.log = pd_xasprintf("%s/server.log", base);
    d->st.user = pd_xstrdup(d->user);
    d->st.bindir = pd_xstrdup(d->bindir);
    d->created = true;
    pd_demo_write_state(d);
    return;

fail:
    free(base);
}

void pd_demo_include_conf(pd_demo *d)
{
    char *path = pd_xasprintf("%s/postgresql.conf", d->st.data);
    FILE *f = fopen(path, "ae");

    if (f == NULL || fputs("\n# pgdeck demo: port and sockets in "
                           "pgdeck.conf, rewritten at each start\n"
                           "include_if_exists = 'pgdeck.conf'\n", f) < 0) {
        pd_demo_sys_error(d, "write", path, errno);
    }
    if (f != NULL && fclose(f) != 0 && !pd_error_isset(&d->err))
        pd_demo_sys_error(d, "write", path, errno);
    free(path);
}

/* A private socket dir owned by the cluster user: base/run, or under /tmp
 * when that path is too long for a Unix socket address. */
static int ensure_sock_dir(pd_demo *d)
{
    struct sockaddr_un sa;
    struct stat sb;
    char *dir;

    if (d->st.sock != NULL && lstat(d->st.sock, &sb) == 0 &&
        S_ISDIR(sb.st_mode) && sb.st_uid == d->uid &&
        (sb.st_mode & 077) == 0)
        return 0;
    dir = pd_xasprintf("%s/run", d->st.base);
    if (strlen(dir) + sizeof("/.s.PGSQL.65535") > sizeof(sa.sun_path)) {
        free(dir);
        dir = pd_xstrdup("/tmp/" PD_DEMO_BASE_PREFIX "run-XXXXXX");
        if (mkdtemp(dir) == NULL) {
            pd_demo_sys_error(d, "create directory in", "/tmp", errno);
            free(dir);
            return -1;
        }
    } else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pd_demo_sys_error(d, "create directory", dir, errno);
        free(dir);
        return -1;
    }
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) ||
        (sb.st_uid != d->uid && lchown(dir, d->uid, d->gid) != 0) ||
        chmod(dir, 0700) != 0) {
        pd_demo_sys_error(d, "prepare socket directory", dir, errno);
        free(dir);
        return -1;
    }
    free(d->st.sock);
    d->st.sock = dir;
    return 0;
}

/* Writes the settings that change between starts. */
static void write_conf(pd_demo *d)
{
    char *path = pd_xasprintf("%s/pgdeck.conf", d->st.data);
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p;
    int fd;
    ssize_t n;

    pd_strbuf_printf(&sb, "# written by pgdeck at each start of the demo "
                     "server\nlisten_addresses = '127.0.0.1'\nport = %d\n"
                     "unix_socket_directories = '", d->st.port);
    for (p = d->st.sock; *p != '\0'; p++) {
        if (*p == '\'')
            pd_strbuf_putc(&sb, '\'');
        pd_strbuf_putc(&sb, *p);
    }
    pd_strbuf_puts(&sb, "'\nsynchronous_commit = off\n");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        pd_demo_sys_error(d, "write", path, errno);
        goto out;
    }
    if (fchown(fd, d->uid, d->gid) != 0 && geteuid() == 0) {
        pd_demo_sys_error(d, "give to postgres", path, errno);
        close(fd);
        goto out;
    }
    n = write(fd, sb.buf, sb.len);
    if (n != (ssize_t)sb.len) {
        pd_demo_sys_error(d, "write", path, n < 0 ? errno : ENOSPC);
        close(fd);
        goto out;
    }
    if (close(fd) != 0)
        pd_demo_sys_error(d, "write", path, errno);
out:
    pd_strbuf_free(&sb);
    free(path);
}

/* 127.0.0.1:port (0: any port). */
static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static bool port_free(int port)
{
    struct sockaddr_in a = loopback(port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    bool ok;

    if (fd < 0)
        return true; /* cannot tell; the server will */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* A free loopback port other than avoid: one of ours first, else any. */
static int pick_port(int avoid)
{
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof(a);
    int p, fd;

    for (p = FIRST_PORT; p < FIRST_PORT + PORT_SPAN; p++)
        if (p != avoid && port_free(p))
            return p;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    p = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        p = ntohs(a.sin_port);
    close(fd);
    return p;
}

void pd_demo_prepare_start(pd_demo *d)
{
    pd_demo_check_pid(d, true);
    if (d->pid != 0)
        return; /* it runs after all: just wait for it */
    if (ensure_sock_dir(d) != 0)
        return;
    if (d->port_opt != 0) {
        if (!port_free(d->port_opt)) {
            pd_error_set(&d->err, PD_ERR_USAGE,
                         "port %d is in use (from %s): choose another "
                         "port, or leave it unset to let pgdeck pick "
                         "one", d->port_opt, d->port_src);
            return;
        }
        d->st.port = d->port_opt;
    } else if (d->st.port <= 0 || d->new_port || !port_free(d->st.port)) {
        d->st.port = pick_port(d->st.port);
        if (d->st.port == 0) {
            pd_error_set(&d->err, PD_ERR_USAGE, "no free loopback port "
                         "for the demo server: free one, or set "
                         "PGDECK_DEMO_PORT");
            return;
        }
    }
    d->new_port = false;
    write_conf(d);
    if (!pd_error_isset(&d->err))
        pd_demo_write_state(d);
}

/* The end of the server log says. */
void pd_demo_read_log(pd_demo *d)
{
    char buf[8192], *line, *best = NULL, *s;
    FILE *f = d->st.log != NULL ? fopen(d->st.log, "re") : NULL;
    size_t n;

    d->why = PD_DEMO_WHY_OTHER;
    pd_demo_set_str(&d->why_text, NULL);
    if (f == NULL)
        return;
    if (fseek(f, -(long)(sizeof(buf) - 1), SEEK_END) != 0)
        rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (line = strtok_r(buf, "\n", &s); line != NULL;
         line = strtok_r(NULL, "\n", &s)) {
        char *m;
        if ((m = strstr(line, "FATAL:")) != NULL ||
            (m = strstr(line, "PANIC:")) != NULL ||
            (m = strstr(line, "No space left")) != NULL)
            best = m;
        if (strstr(line, "Address already in use") != NULL)
            d->why = PD_DEMO_WHY_PORT;
        else if (strstr(line, "No space left on device") != NULL)
            d->why = PD_DEMO_WHY_DISK;
        else if (strstr(line, "shared memory block") != NULL ||
                 strstr(line, "lock file \"") != NULL)
            d->why = PD_DEMO_WHY_SHM;
    }
    if (best != NULL) {
        if (strncmp(best, "FATAL:", 6) == 0 || strncmp(best, "PANIC:", 6) == 0)
            best += 6;
        while (*best == ' ')
            best++;
        pd_demo_set_str(&d->why_text, best);
    }
}
