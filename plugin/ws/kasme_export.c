/* Export of plaintext PDUs ("Export PDUs to File", tshark -U "kasme plaintext"): each NAS or RRC PDU of a
 * frame becomes an exported-PDU record naming the dissector for its plaintext, so stock
 * Wireshark reads the new capture without keys (epan/exported_pdu.h). */
#include "kasme_ws.h"

#include <epan/exported_pdu.h>
#include <epan/tap.h>

static int export_tap = -1;

void kasme_export_register(void)
{
    export_tap = register_export_pdu_tap("kasme plaintext");
}

static void export_bytes(packet_info *pinfo, tvbuff_t *parent, const char *dissector,
                         const guint8 *bytes, guint len)
{
    if (!len)
        return;
    tvbuff_t *tvb = tvb_new_child_real_data(parent, bytes, len, (gint)len);
    exp_pdu_data_t *exp = export_pdu_create_common_tags(pinfo, dissector,
                                                        EXP_PDU_TAG_DISSECTOR_NAME);
    exp->tvb_captured_length = len;
    exp->tvb_reported_length = len;
    exp->pdu_tvb = tvb;
    tap_queue_packet(export_tap, pinfo, exp);
}

static void export_nas(packet_info *pinfo, const kasme_item *item, const kasme_frame_result *fr)
{
    const kasme_nas_result *r = &fr->nas;
    const guint8 *pdu = tvb_get_ptr(item->tvb, item->offset, item->length);
    bool ciphered = r->sec_hdr == 2 || r->sec_hdr == 4;
    /* NAS carried in RRC travels in the exported RRC message already; only its deciphered
     * plaintext is new */
    bool in_rrc = item->meta.conn >> 56 == KASME_CONN_RNTI;
    if (in_rrc && !(ciphered && r->status == KASME_PDU_DECIPHERED))
        return;
    /* 5GS: nas-5gs dissects plain and protected messages alike; its header is one octet longer */
    bool fivegs = item->length > 0 && kasme_nas_epd_is_5gs(pdu[0]);
    const char *plain_name = fivegs ? "nas-5gs" : "nas-eps_plain";
    gint hdr_len = fivegs ? 7 : 6;
    bool deciphered = r->status == KASME_PDU_DECIPHERED && fr->plain &&
                      (ciphered || (fivegs && r->sec_hdr == 1));
    if (deciphered)
        export_bytes(pinfo, item->tvb, plain_name, fr->plain, (guint)r->plain_len);
    else if ((r->sec_hdr == 1 || r->sec_hdr == 3) && item->length > hdr_len)
        export_bytes(pinfo, item->tvb, plain_name, pdu + hdr_len, (guint)(item->length - hdr_len));
    else
        export_bytes(pinfo, item->tvb, fivegs ? "nas-5gs" : "nas-eps", pdu, (guint)item->length);
}

static void export_pdcp(packet_info *pinfo, const kasme_item *item, const kasme_frame_result *fr)
{
    const kasme_pdcp_result *r = &fr->pdcp;
    if (!fr->plain || !r->plain_len)
        return;
    if (!item->pdcp.srb) {
        export_bytes(pinfo, item->tvb, (fr->plain[0] >> 4) == 6 ? "ipv6" : "ip", fr->plain,
                     (guint)r->plain_len);
        return;
    }
    const char *rrc = item->pdcp.dir == KASME_DIR_DL ? "lte_rrc.dl_dcch" : "lte_rrc.ul_dcch";
    export_bytes(pinfo, item->tvb, rrc, fr->plain, (guint)r->plain_len);
}

void kasme_export_queue(packet_info *pinfo, const kasme_item *item, const kasme_frame_result *fr)
{
    if (export_tap < 0 || !have_tap_listener(export_tap))
        return;
    if (fr->kind == KASME_ITEM_NAS)
        export_nas(pinfo, item, fr);
    else if (fr->kind == KASME_ITEM_PDCP)
        export_pdcp(pinfo, item, fr);
}
