/* Plugin entry points (Wireshark doc/plugins.example). */
#include <wireshark.h>
#include <epan/proto.h>
#include <ws_symbol_export.h>

#include "ws_compat.h"
#include "kasme_ws.h"

KASME_WS_PLUGIN_SYMBOLS(KASME_VERSION)

void plugin_register(void)
{
    static proto_plugin kasme_plugin;
    kasme_plugin.register_protoinfo = proto_register_kasme;
    kasme_plugin.register_handoff = proto_reg_handoff_kasme;
    proto_register_plugin(&kasme_plugin);
}
