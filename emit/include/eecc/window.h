// eecc HLS library: the line buffer shared by the windowed layers (conv, maxpool, avgpool).
//
// A windowed layer's config names its input and window (all unsigned):
//   in_h, in_w, in_c                 input feature map
//   kernel_h, kernel_w               window
//   stride_h, stride_w               strides
//   pad_top, pad_left, pad_bottom, pad_right
// The line buffer keeps the last kernel_h rows of the padded feature map (all channels).
// Padded row r is filled into slot r % kernel_h: real pixels are read from the lanes,
// padding positions get the layer's pad value (0 for conv/avgpool, the most negative value
// for maxpool).  When row r completes the window of an output row, the layer computes it.
#ifndef EECC_WINDOW_H
#define EECC_WINDOW_H

#include "eecc/common.h"

namespace eecc {

// Base of the configs of windowed layers; the emitter overrides every field it needs.
struct window_config {
    static const unsigned in_h = 1;
    static const unsigned in_w = 1;
    static const unsigned in_c = 1;
    static const unsigned kernel_h = 1;
    static const unsigned kernel_w = 1;
    static const unsigned stride_h = 1;
    static const unsigned stride_w = 1;
    static const unsigned pad_top = 0;
    static const unsigned pad_left = 0;
    static const unsigned pad_bottom = 0;
    static const unsigned pad_right = 0;
};

// Derived sizes: padded input, output (floor((H + pt + pb - k) / s) + 1).
template <class CFG>
struct window_dims {
    static const unsigned pad_h = CFG::in_h + CFG::pad_top + CFG::pad_bottom;
    static const unsigned pad_w = CFG::in_w + CFG::pad_left + CFG::pad_right;
    static const unsigned out_h = (pad_h - CFG::kernel_h) / CFG::stride_h + 1;
    static const unsigned out_w = (pad_w - CFG::kernel_w) / CFG::stride_w + 1;
    static const unsigned taps = CFG::kernel_h * CFG::kernel_w;
};

// Reads padded row r into slot r % kernel_h of the line buffer.  The fmap's first word
// group was read by the caller to detect the end token: it is `head`, used once (`first`).
template <class CFG, unsigned N>
void fill_row(hls::stream<word> in[N],
              data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c], unsigned r,
              data_t pad, const word head[N], bool &first) {
#pragma HLS INLINE
    const bool real_row = r >= CFG::pad_top && r < CFG::pad_top + CFG::in_h;
    const unsigned slot = r % CFG::kernel_h;
    // A perfect nest: px and cg flatten into one pipeline of pad_w * in_c / N iterations.
EECC_LABEL(fill_px)
    EECC_PIPELINED(1, 2)
    for (unsigned px = 0; px < window_dims<CFG>::pad_w; px++) {
    EECC_LABEL(fill_ch)
        for (unsigned cg = 0; cg < CFG::in_c / N; cg++) {
#pragma HLS PIPELINE II=1
            EECC_ITER();
            const bool real = real_row && px >= CFG::pad_left && px < CFG::pad_left + CFG::in_w;
            word w[N];
            if (real && first) {
                for (unsigned l = 0; l < N; l++) w[l] = head[l];
                first = false;
            } else if (real) {
                read_group<N>(in, w);
            }
            for (unsigned l = 0; l < N; l++) {
#pragma HLS UNROLL
                lb[slot][px][cg * N + l] = real ? w[l].data : pad;
            }
        }
    }
}

// True when padded row r completes the window of an output row; that row goes in `oy`.
template <class CFG>
bool row_completes(unsigned r, unsigned &oy) {
#pragma HLS INLINE
    if (r + 1 < CFG::kernel_h) return false;
    const unsigned top = r + 1 - CFG::kernel_h;
    if (top % CFG::stride_h != 0) return false;
    oy = top / CFG::stride_h;
    return true;
}

// The line-buffer value under tap (ky, kx) of output pixel (oy, ox), channel c.
template <class CFG>
data_t window_at(const data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c],
                 unsigned oy, unsigned ox, unsigned ky, unsigned kx, unsigned c) {
#pragma HLS INLINE
    return lb[(oy * CFG::stride_h + ky) % CFG::kernel_h][ox * CFG::stride_w + kx][c];
}

// True when tap (ky, kx) of output pixel (oy, ox) lies on a real (unpadded) input pixel.
template <class CFG>
bool tap_is_real(unsigned oy, unsigned ox, unsigned ky, unsigned kx) {
#pragma HLS INLINE
    const unsigned y = oy * CFG::stride_h + ky, x = ox * CFG::stride_w + kx;
    return y >= CFG::pad_top && y < CFG::pad_top + CFG::in_h && x >= CFG::pad_left &&
           x < CFG::pad_left + CFG::in_w;
}

}  // namespace eecc

#endif  // EECC_WINDOW_H
