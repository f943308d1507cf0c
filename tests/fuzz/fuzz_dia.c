/* libFuzzer harness: the Diameter reader (plugin/core/dia_msg.c) and the tracker's S6a entry
 * (kasme_tracker_s6a_message, tracker_capkeys.c).
 *
 * The input is one Diameter message as kasme takes it from Wireshark's "diameter" item, in a
 * buffer of exactly its size. It is read once with and once without a callback, then handed
 * to a fresh tracker twice: as it is, and with its R flag flipped (so that a request and an
 * answer of the same session meet). Oracles besides ASan/UBSan/LSan:
 *   - a status is one of dia_msg.h's; a refused message delivers no vector;
 *   - a message that reads whole delivers exactly the vectors it counts, the same count with
 *     and without a callback, each member of its valid size;
 *   - Session-Id and User-Name point inside the message's octets;
 *   - the tracker learns at most the vectors the message holds. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz_dia"
#include "fuzz_common.h"
#include "capkeys.h"
#include "dia_msg.h"
#include "tracker.h"

static kasme_subdb *db;

static void count_vector(const kasme_dia_vector *v, void *user)
{
    CHECK(v->xres_len == 0 || (v->xres_len >= 4 && v->xres_len <= 16));
    (*(unsigned *)user)++;
}

static void check_inside(const uint8_t *p, size_t len, const uint8_t *buf, size_t size)
{
    if (!p)
        return;
    CHECK(p >= buf && p + len <= buf + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        db = fuzz_load_keys("", 0);
    }
    uint8_t *buf = malloc(size ? size : 1);
    if (size)
        memcpy(buf, data, size);
    kasme_dia_msg msg;
    unsigned delivered = 0;
    kasme_dia_status status = kasme_dia_parse(buf, size, &msg, count_vector, &delivered);
    CHECK(status >= KASME_DIA_OK && status <= KASME_DIA_TOO_DEEP);
    CHECK(kasme_dia_status_text(status)[0] != '\0');
    if (status != KASME_DIA_OK) {
        CHECK(delivered == 0);
    } else {
        CHECK(delivered == msg.vectors);
        check_inside(msg.session_id, msg.session_id_len, buf, size);
        check_inside(msg.user_name, msg.user_name_len, buf, size);
        kasme_dia_msg again;
        CHECK(kasme_dia_parse(buf, size, &again, NULL, NULL) == KASME_DIA_OK);
        CHECK(again.vectors == msg.vectors);
    }
    kasme_tracker *tr = kasme_tracker_new(db);
    CHECK(kasme_tracker_s6a_message(tr, buf, size, 1) == status);
    if (size > 4)
        buf[4] ^= 0x80; /* the R flag */
    kasme_tracker_s6a_message(tr, buf, size, 2);
    CHECK(kasme_tracker_capkey_count(tr) <= (status == KASME_DIA_OK ? msg.vectors : 0));
    kasme_tracker_free(tr);
    free(buf);
    return 0;
}
