/* libgcrypt initialisation as the libgcrypt manual ("Initializing the library") requires. */
#include "gcrypt_init.h"

#include <gcrypt.h>

int kasme_gcrypt_init(void)
{
    /* Inside Wireshark the host has initialised libgcrypt; a plugin must not redo it. */
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
        return 0;
    /* Also catches a run-time library older than the headers we were built against. */
    if (!gcry_check_version(GCRYPT_VERSION))
        return -1;
    /* No key material goes through gcry secure memory, so skip its pool and warnings. */
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    return 0;
}
