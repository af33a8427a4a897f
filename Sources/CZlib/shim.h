#include <zlib.h>

// deflateInit2 and inflateInit2 are macros, which Swift cannot call.

// windowBits 15 + 16: a gzip wrapper (RFC 1952) instead of zlib's own.
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

// windowBits 15 + 16: accept only the gzip wrapper.
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
