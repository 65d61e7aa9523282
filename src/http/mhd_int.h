/*
 * mhd_int.h - internal to src/http: the libmicrohttpd functions server.c calls, taken from
 * libmicrohttpd.so.12 with dlopen on the first `shujian serve` (mhd_load.c) rather than linked,
 * so that no other command pays for loading it and GnuTLS behind it (docs/DEPENDENCIES.md).
 */
#ifndef SHUJIAN_HTTP_MHD_INT_H
#define SHUJIAN_HTTP_MHD_INT_H

#include <microhttpd.h>

#include "shujian/core.h"

#define SJ_MHD_SONAME "libmicrohttpd.so.12"
#define SJ_MHD_PACKAGE "libmicrohttpd12" /* the Debian package that ships SJ_MHD_SONAME */

/* One pointer per libmicrohttpd function server.c uses, of that function's own type. */
struct sj_mhd {
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_quiesce_daemon) *quiesce_daemon;
    __typeof__(MHD_get_daemon_info) *get_daemon_info;
    __typeof__(MHD_is_feature_supported) *is_feature_supported;
    __typeof__(MHD_get_connection_values) *get_connection_values;
    __typeof__(MHD_get_connection_info) *get_connection_info;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
};

/* The process's table, loaded on the first call (thread-safe; later calls return the same
 * answer). NULL with *err set (SJ_ENOTFOUND, naming the library and its Debian package) when
 * the library or one of its functions cannot be found. */
const struct sj_mhd *sj_mhd_load(struct sj_err *err);

/* What sj_mhd_load does once, on the library soname, into *api (not cached; for tests).
 * 0, or SJ_ENOTFOUND as above with *api zeroed and the library closed again. */
int sj_mhd_open(const char *soname, struct sj_mhd *api, struct sj_err *err);

#endif
