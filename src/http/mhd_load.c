/*
 * mhd_load.c - libmicrohttpd loaded with dlopen when the server starts, not linked: linked, it
 * brings GnuTLS and eight more libraries (p11-kit, nettle, gmp, ...) that every command loaded,
 * relocated and ran the constructors of at start (docs/DEPENDENCIES.md). Only its header is
 * used at build time.
 * Invariant: the library is looked up once per process; the table is either complete (every
 * pointer set) or not handed out at all, so server.c never calls through a NULL pointer.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "http/mhd_int.h"

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static struct sj_mhd mhd_table;
static struct sj_err mhd_err;
static int mhd_rc;

/* Sets *slot to soname's symbol name; 0, or SJ_ENOTFOUND (with *err set) when it is missing. */
static int take(void *lib, const char *soname, const char *name, void **slot, struct sj_err *err)
{
    /* POSIX's way to take a function from dlsym without an object-to-function cast: the
     * caller passes the function pointer's own storage as void *. */
    *slot = dlsym(lib, name);
    if (*slot)
        return 0;
    return sj_err_set(err, SJ_ENOTFOUND,
                      "%s has no %s: the HTTP server needs libmicrohttpd 0.9.71 or later "
                      "(Debian package %s)",
                      soname, name, SJ_MHD_PACKAGE);
}

int sj_mhd_open(const char *soname, struct sj_mhd *api, struct sj_err *err)
{
    memset(api, 0, sizeof *api);
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return sj_err_set(err, SJ_ENOTFOUND,
                          "cannot load %s (%s): the HTTP server needs it; install the Debian "
                          "package %s",
                          soname, dlerror(), SJ_MHD_PACKAGE);
#define TAKE(field, fn) ((rc = take(lib, soname, #fn, (void **)&api->field, err)) == 0)
    int rc = 0;
    bool ok =
        TAKE(start_daemon, MHD_start_daemon) && TAKE(stop_daemon, MHD_stop_daemon) &&
        TAKE(quiesce_daemon, MHD_quiesce_daemon) && TAKE(get_daemon_info, MHD_get_daemon_info) &&
        TAKE(is_feature_supported, MHD_is_feature_supported) &&
        TAKE(get_connection_values, MHD_get_connection_values) &&
        TAKE(get_connection_info, MHD_get_connection_info) &&
        TAKE(lookup_connection_value, MHD_lookup_connection_value) &&
        TAKE(create_response_from_buffer, MHD_create_response_from_buffer) &&
        TAKE(add_response_header, MHD_add_response_header) &&
        TAKE(queue_response, MHD_queue_response) && TAKE(destroy_response, MHD_destroy_response);
#undef TAKE
    if (ok)
        return 0;
    memset(api, 0, sizeof *api);
    dlclose(lib);
    return rc;
}

static void load_once(void)
{
    mhd_rc = sj_mhd_open(SJ_MHD_SONAME, &mhd_table, &mhd_err);
}

const struct sj_mhd *sj_mhd_load(struct sj_err *err)
{
    pthread_once(&mhd_once, load_once);
    if (mhd_rc == 0)
        return &mhd_table;
    if (err)
        *err = mhd_err;
    return NULL;
}
