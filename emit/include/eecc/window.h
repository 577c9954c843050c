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
    static const unsigned in_width = EECC_DATA_WIDTH;  // the input format's W: buffer cells
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

// ====================================================================== sliding window
//
// The streaming sliding window of conv and pool (one flat II=1 pipeline): per sample it
// visits every padded position (row r, column c, channel group g) once, Hp * Wp * C / N
// iterations; at a real position it reads one word per lane, at a padding position it uses
// the pad value.  Each lane keeps kernel_h - 1 line buffers of the padded width and a
// kernel_h x kernel_w register window per channel group; one shift per iteration.  When the
// window is complete at an output position (stride phases kept by counters, no % or /), it
// writes the window (taps in kernel order ky * kernel_w + kx) and, for average pooling, the
// number of its taps that lie on real pixels.  The end token is detected where the next
// sample would start (the first iteration reads the first word group ahead, as `head`).
template <unsigned K>
struct window_word {
    data_t v[K];
    sample_id_t id;
    ap_uint<8> real;  // taps on real (unpadded) pixels
    bool end;
    window_word() : id(0), real(0), end(false) {
        for (unsigned k = 0; k < K; k++) v[k] = 0;
    }
};

}  // namespace eecc

#ifdef EECC_TIMED
namespace hls {
template <unsigned K>
class stream<eecc::window_word<K> > : public eecc::timed::fifo<eecc::window_word<K> > {};
}  // namespace hls
#endif

namespace eecc {

template <class CFG>
struct window_dims_v2 : window_dims<CFG> {
    static const unsigned lb_rows = CFG::kernel_h > 1 ? CFG::kernel_h - 1 : 1;
};

// Number of kernel rows [top, top + k) that fall in the real rows [pad, pad + n).
inline unsigned real_span(unsigned top, unsigned k, unsigned pad, unsigned n) {
#pragma HLS INLINE
    const unsigned lo = top > pad ? top : pad;
    const unsigned hi = top + k < pad + n ? top + k : pad + n;
    return hi > lo ? hi - lo : 0;
}

template <class CFG, unsigned N>
void sliding_window(hls::stream<word> in[N],
                    hls::stream<window_word<CFG::kernel_h * CFG::kernel_w> > out[N],
                    data_t pad) {
    typedef window_dims<CFG> D;
    const unsigned KH = CFG::kernel_h, KW = CFG::kernel_w, G = CFG::in_c / N;
    const unsigned LB = window_dims_v2<CFG>::lb_rows;
    typedef ap_int<CFG::in_width> cell_t;  // the layer's input format: in_width-bit buffers
    static cell_t lb[LB][D::pad_w][G][N];
#pragma HLS ARRAY_PARTITION variable=lb complete dim=1
#pragma HLS ARRAY_PARTITION variable=lb complete dim=4
    static cell_t win[CFG::kernel_h][CFG::kernel_w][G][N];
#pragma HLS ARRAY_PARTITION variable=win complete dim=1
#pragma HLS ARRAY_PARTITION variable=win complete dim=2
#pragma HLS ARRAY_PARTITION variable=win complete dim=4
    unsigned r = 0, c = 0, g = 0;
    unsigned rs = 0, cs = 0;  // stride phases of the current row and column
    bool have_head = false;
    word w[N];
    sample_id_t id = 0;
EECC_LABEL(window_loop)
    EECC_PIPELINED(1, 3)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const bool first = r == 0 && c == 0 && g == 0;
        if (first) {
            if (read_group<N>(in, w)) break;
            id = w[0].id;
            have_head = true;
        }
        const bool real = r >= CFG::pad_top && r < CFG::pad_top + CFG::in_h &&
                          c >= CFG::pad_left && c < CFG::pad_left + CFG::in_w;
        if (real && !have_head) read_group<N>(in, w);
        if (real) have_head = false;
        const bool ready = r + 1 >= KH && c + 1 >= KW && rs == 0 && cs == 0;
        window_word<CFG::kernel_h * CFG::kernel_w> o[N];
        for (unsigned l = 0; l < N; l++) {
#pragma HLS UNROLL
            const data_t x = real ? w[l].data : pad;
            for (unsigned ky = 0; ky < KH; ky++) {
#pragma HLS UNROLL
                for (unsigned kx = 0; kx + 1 < KW; kx++) {
#pragma HLS UNROLL
                    win[ky][kx][g][l] = win[ky][kx + 1][g][l];
                }
                if (ky + 1 < KH) {
                    win[ky][KW - 1][g][l] = lb[ky][c][g][l];
                } else {
                    win[ky][KW - 1][g][l] = x;
                }
            }
            for (unsigned ky = 0; ky + 2 < KH; ky++) {
#pragma HLS UNROLL
                lb[ky][c][g][l] = lb[ky + 1][c][g][l];
            }
            if (KH > 1) lb[LB - 1][c][g][l] = x;
            for (unsigned ky = 0; ky < KH; ky++) {
#pragma HLS UNROLL
                for (unsigned kx = 0; kx < KW; kx++) {
#pragma HLS UNROLL
                    o[l].v[ky * KW + kx] = win[ky][kx][g][l];
                }
            }
            o[l].id = id;
            o[l].real = real_span(r + 1 - KH, KH, CFG::pad_top, CFG::in_h) *
                        real_span(c + 1 - KW, KW, CFG::pad_left, CFG::in_w);
        }
        if (ready) {
            for (unsigned l = 0; l < N; l++) {
#pragma HLS UNROLL
                out[l].write(o[l]);
            }
        }
        // next position: channel group, then column, then row (stride phases follow)
        if (g + 1 < G) {
            g++;
            continue;
        }
        g = 0;
        if (c + 1 >= KW) cs = cs + 1 == CFG::stride_w ? 0 : cs + 1;
        if (c + 1 < D::pad_w) {
            c++;
            continue;
        }
        c = 0;
        cs = 0;
        if (r + 1 >= KH) rs = rs + 1 == CFG::stride_h ? 0 : rs + 1;
        r = r + 1 < D::pad_h ? r + 1 : 0;
        if (r == 0) rs = 0;
    }
    window_word<CFG::kernel_h * CFG::kernel_w> e;
    e.id = END_ID;
    e.end = true;
    for (unsigned l = 0; l < N; l++) {
#pragma HLS UNROLL
        out[l].write(e);
    }
}

}  // namespace eecc

#endif  // EECC_WINDOW_H
