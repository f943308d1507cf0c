/* Plugin entry points (Wireshark doc/plugins.example). */
#include <wireshark.h>
#include <epan/proto.h>
#include <ws_symbol_export.h>

#include "ws_compat.h"
#include "kasme_ws.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = KASME_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#if KASME_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
WS_DLL_PUBLIC uint32_t plugin_describe(void);
uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

void plugin_register(void)
{
    static proto_plugin kasme_plugin;
    kasme_plugin.register_protoinfo = proto_register_kasme;
    kasme_plugin.register_handoff = proto_reg_handoff_kasme;
    proto_register_plugin(&kasme_plugin);
}
