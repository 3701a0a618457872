/* gnutls_skip.c: keeps GnuTLS from initialising itself in pgdeck.
 *
 * pgdeck never uses GnuTLS. It is loaded only because libpq needs libldap
 * (for LDAP service lookups), which Debian builds against it, and its
 * library constructor initialises all of GnuTLS at load time anyway: the
 * crypto back ends, the ASN.1 trees, the PKCS#11 module list. On the idle
 * dashboard that is 0.75 MB of its resident memory (10.06 MB against 9.32
 * MB with it skipped), in a budget of 10 MB.
 *
 * GnuTLS's constructor and destructor first ask _gnutls_global_init_skip(),
 * a weak symbol it exports (version GNUTLS_3_4) and calls through its PLT
 * so that a program can answer for it. Defined here and exported from the
 * executable (the Makefile's --export-dynamic-symbol), ours is the one the
 * dynamic linker binds. libldap calls gnutls_global_init() itself before
 * it uses TLS, so nothing that needs GnuTLS loses its initialisation; the
 * programs pgdeck starts are separate processes and unaffected.
 *
 * The name is GnuTLS's, not ours, so tests/check/symbols.sh names it as
 * the one exception to the prefix rule. */

int _gnutls_global_init_skip(void);

int _gnutls_global_init_skip(void)
{
    return 1;
}
