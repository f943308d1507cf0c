/* UPER reading of the RRC SecurityModeCommand (TS 36.331 6.2.2, X.691 unaligned PER). */
#include "rrc_msg.h"

static unsigned bits_at(const uint8_t *msg, unsigned first, unsigned count)
{
    unsigned v = 0;
    for (unsigned i = first; i < first + count; i++)
        v = v << 1 | ((msg[i / 8] >> (7 - i % 8)) & 1);
    return v;
}

/* DL-DCCH-Message: c1 (1 bit 0), c1 alternative 6 = securityModeCommand (4 bits),
 * rrc-TransactionIdentifier (2), criticalExtensions c1 (1 bit 0), securityModeCommand-r8 (2 bits
 * 00), nonCriticalExtension present (1), SecurityConfigSMC extension (1), then
 * SecurityAlgorithmConfig: cipheringAlgorithm (extension bit + 3 bits) and
 * integrityProtAlgorithm (extension bit + 3 bits). */
bool kasme_rrc_parse_smc(const uint8_t *msg, size_t len, uint8_t *eea, uint8_t *eia)
{
    if (len < 3)
        return false;
    if (bits_at(msg, 0, 1) != 0 || bits_at(msg, 1, 4) != 6 || bits_at(msg, 7, 1) != 0 ||
        bits_at(msg, 8, 2) != 0 || bits_at(msg, 12, 1) != 0 || bits_at(msg, 16, 1) != 0)
        return false;
    unsigned cipher = bits_at(msg, 13, 3), integrity = bits_at(msg, 17, 3);
    if (cipher > 3 || integrity > 3)
        return false;
    *eea = (uint8_t)cipher;
    *eia = (uint8_t)integrity;
    return true;
}
