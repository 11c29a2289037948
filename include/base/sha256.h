/* sha256.h: SHA-256 (FIPS 180-4), to fingerprint the scenario a result came
 * from. Small enough to carry rather than add a crypto library for it. */
#ifndef FLOWSIM_SHA256_H
#define FLOWSIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t nbuf; };

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Writes 64 lower-case hex digits and a NUL into hex. */
void sha256_final_hex(struct sha256 *s, char hex[65]);
/* Hex digest of a file's bytes; returns 0, or -1 if it cannot be read. */
int sha256_file_hex(const char *path, char hex[65]);

#endif
