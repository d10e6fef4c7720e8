// Password hashes for the RPC listener's credentials (OpenSSL's PBKDF2).
#include "btx.h"

#include <openssl/evp.h>

int btx_pbkdf2_sha256(const char* password, size_t password_len, const uint8_t* salt, size_t salt_len,
                      int iterations, uint8_t* out, size_t out_len) {
    if (password == nullptr || salt == nullptr || out == nullptr || iterations < 1) return BTX_ERR_INVALID_ARG;
    int const ok = PKCS5_PBKDF2_HMAC(password, static_cast<int>(password_len), salt, static_cast<int>(salt_len),
                                     iterations, EVP_sha256(), static_cast<int>(out_len), out);
    return ok == 1 ? BTX_OK : BTX_ERR_INTERNAL;
}
