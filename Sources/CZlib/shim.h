#ifndef CARTWISE_CZLIB_SHIM_H
#define CARTWISE_CZLIB_SHIM_H
#include <zlib.h>

/// deflateInit2 and inflateInit2 are macros in zlib.h, which Swift cannot call; these wrappers
/// pass the version and struct size the macros would.
static inline int cartwise_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int cartwise_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
