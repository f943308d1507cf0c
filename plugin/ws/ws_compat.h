/* Differences between the Wireshark versions kasme builds against (4.0 .. 4.6). */
#ifndef KASME_WS_COMPAT_H
#define KASME_WS_COMPAT_H

#include <ws_version.h>

#define KASME_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* Preferences and UAT callbacks take C bool from 4.4 on (gboolean before). */
#if KASME_WS_AT_LEAST(4, 4)
#include <stdbool.h>
typedef bool kasme_ws_bool;
#else
#include <glib.h>
typedef gboolean kasme_ws_bool;
#endif

/* A -z statistic's init callback reports success from 4.6 on. */
#if KASME_WS_AT_LEAST(4, 6)
#define KASME_STAT_INIT_TYPE bool
#define KASME_STAT_INIT_RETURN(ok) return (ok)
#else
#define KASME_STAT_INIT_TYPE void
#define KASME_STAT_INIT_RETURN(ok) do { (void)(ok); return; } while (0)
#endif

/* wmem's user callbacks return C bool in 4.4 (gboolean in 4.0): the type its typedef says. */
#include <wsutil/wmem/wmem.h>
typedef __typeof__(((wmem_user_cb_t)0)(NULL, WMEM_CB_FREE_EVENT, NULL)) kasme_wmem_cb_ret;

/* field_info.value became a pointer in 4.2. */
#if KASME_WS_AT_LEAST(4, 2)
#define KASME_FI_VALUE(fi) ((fi)->value)
#else
#define KASME_FI_VALUE(fi) (&(fi)->value)
#endif

/* The symbols every epan plugin .so exports (doc/plugins.example): its version, the Wireshark
 * it was built for, plugin_register, and from 4.2 on plugin_describe. One place for both of the
 * project's plugins (kasme and bench/floor_stub). */
#if KASME_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
#define KASME_WS_PLUGIN_DESCRIBE                    \
    WS_DLL_PUBLIC uint32_t plugin_describe(void);  \
    uint32_t plugin_describe(void)                 \
    {                                              \
        return WS_PLUGIN_DESC_DISSECTOR;           \
    }
#else
#define KASME_WS_PLUGIN_DESCRIBE
#endif
#define KASME_WS_PLUGIN_SYMBOLS(version)                                   \
    WS_DLL_PUBLIC_DEF const gchar plugin_version[] = version;             \
    WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR; \
    WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR; \
    WS_DLL_PUBLIC void plugin_register(void);                             \
    KASME_WS_PLUGIN_DESCRIBE

/* tvb_get_guint8 is deprecated from 4.4 on, in favour of tvb_get_uint8 (absent before 4.2). */
#if KASME_WS_AT_LEAST(4, 4)
#define KASME_TVB_GET_U8 tvb_get_uint8
#else
#define KASME_TVB_GET_U8 tvb_get_guint8
#endif

#endif
