/* LD_PRELOAD shim for check_exception.py: throws one dissector exception inside kasme while it
 * holds field arrays of its own (proto_find_finfo's, which the caller must free), and counts
 * those arrays that are never freed. Interposes three functions for calls from kasme.so:
 *   proto_find_finfo   the arrays kasme owns are remembered;
 *   g_ptr_array_free   a remembered array is forgotten (any caller);
 *   tvb_memcpy         with KASME_SHIM_THROW set, the first call from kasme.so while it owns
 *                      an array throws ReportedBoundsError (as a short tvb would).
 * At exit it prints "shim: owned N, thrown T, not freed L" on stderr. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>
#include <epan/exceptions.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>

#define MAX_LIVE 4096

static const void *live[MAX_LIVE];
static unsigned n_live, n_owned, n_thrown;

static bool from_kasme(const void *return_address)
{
    Dl_info info;
    return dladdr(return_address, &info) && info.dli_fname && strstr(info.dli_fname, "kasme");
}

GPtrArray *proto_find_finfo(proto_tree *tree, const int id)
{
    static GPtrArray *(*real)(proto_tree *, const int);
    if (!real)
        real = (GPtrArray * (*)(proto_tree *, const int)) dlsym(RTLD_NEXT, "proto_find_finfo");
    GPtrArray *a = real(tree, id);
    if (a && from_kasme(__builtin_return_address(0)) && n_live < MAX_LIVE) {
        live[n_live++] = a;
        n_owned++;
    }
    return a;
}

gpointer *g_ptr_array_free(GPtrArray *array, gboolean free_seg)
{
    static gpointer *(*real)(GPtrArray *, gboolean);
    if (!real)
        real = (gpointer * (*)(GPtrArray *, gboolean)) dlsym(RTLD_NEXT, "g_ptr_array_free");
    for (unsigned i = 0; i < n_live; i++) {
        if (live[i] == array) {
            live[i] = live[--n_live];
            break;
        }
    }
    return real(array, free_seg);
}

void *tvb_memcpy(tvbuff_t *tvb, void *target, const gint offset, size_t length)
{
    static void *(*real)(tvbuff_t *, void *, const gint, size_t);
    if (!real)
        real = (void *(*)(tvbuff_t *, void *, const gint, size_t))dlsym(RTLD_NEXT, "tvb_memcpy");
    if (getenv("KASME_SHIM_THROW") && !n_thrown && n_live &&
        from_kasme(__builtin_return_address(0))) {
        n_thrown++;
        THROW(ReportedBoundsError);
    }
    return real(tvb, target, offset, length);
}

__attribute__((destructor)) static void report(void)
{
    fprintf(stderr, "shim: owned %u, thrown %u, not freed %u\n", n_owned, n_thrown, n_live);
}
