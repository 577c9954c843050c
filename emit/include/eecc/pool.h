// eecc HLS library: max pooling, average pooling, global average pooling.
//
// Per sample: one fmap in, one fmap out, `coarse` lanes in and out (channel c on lane
// c % coarse).  The whole window (kernel_h x kernel_w taps, the pool's fine) is reduced
// per cycle for `coarse` channels.
//   maxpool: maximum over the window; padded taps hold the most negative data value.
//   avgpool: s = sum over the counted taps, n = kernel_h*kernel_w if count_include_pad
//            else the number of real taps; output clip(floor_div(2s + n, 2n)).
//   global_avgpool: the same mean over all in_h*in_w pixels, output [1, 1, in_c].
#ifndef EECC_POOL_H
#define EECC_POOL_H

#include "eecc/window.h"

namespace eecc {

struct pool_config : window_config {
    static const unsigned coarse = 1;
    static const bool count_include_pad = false;  // avgpool only
};

struct global_pool_config {
    static const unsigned in_h = 1;
    static const unsigned in_w = 1;
    static const unsigned in_c = 1;
    static const unsigned coarse = 1;
};

// Max over the window of output pixel (oy, ox), channel c.
template <class CFG>
data_t window_max(const data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c],
                  unsigned oy, unsigned ox, unsigned c) {
#pragma HLS INLINE
    data_t m = data_t(DATA_MIN);
    for (unsigned ky = 0; ky < CFG::kernel_h; ky++) {
        for (unsigned kx = 0; kx < CFG::kernel_w; kx++) {
            const data_t x = window_at<CFG>(lb, oy, ox, ky, kx, c);
            if (x > m) m = x;
        }
    }
    return m;
}

// Rounded mean over the window of output pixel (oy, ox), channel c.
template <class CFG>
data_t window_mean(const data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c],
                   unsigned oy, unsigned ox, unsigned c) {
#pragma HLS INLINE
    acc_t s = 0, n = 0;
    for (unsigned ky = 0; ky < CFG::kernel_h; ky++) {
        for (unsigned kx = 0; kx < CFG::kernel_w; kx++) {
            s += window_at<CFG>(lb, oy, ox, ky, kx, c).to_int64();
            n += (CFG::count_include_pad || tap_is_real<CFG>(oy, ox, ky, kx)) ? 1 : 0;
        }
    }
    return round_mean(s, n);
}

// The schedule of pool_row (ox and channel groups, a perfect nest, flattened): the
// kernel_w taps of one window row share a line-buffer bank (dim 2 is not partitioned).
template <class CFG>
struct pool_schedule {
    static const unsigned ii = port_ii<CFG::kernel_w>::value;
    static const unsigned depth = 3 + clog2<CFG::kernel_h * CFG::kernel_w>::value;
};

// Writes output row oy of a pool (IS_MAX: maxpool, else avgpool).
template <class CFG, bool IS_MAX>
void pool_row(const data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c], unsigned oy,
              sample_id_t id, hls::stream<word> out[CFG::coarse]) {
#pragma HLS INLINE
EECC_LABEL(pool_ox)
    EECC_PIPELINED(pool_schedule<CFG>::ii, pool_schedule<CFG>::depth)
    for (unsigned ox = 0; ox < window_dims<CFG>::out_w; ox++) {
    EECC_LABEL(pool_ch)
        for (unsigned cg = 0; cg < CFG::in_c / CFG::coarse; cg++) {
#pragma HLS PIPELINE II=1
            EECC_ITER();
            for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
                const unsigned c = cg * CFG::coarse + l;
                const data_t y = IS_MAX ? window_max<CFG>(lb, oy, ox, c)
                                        : window_mean<CFG>(lb, oy, ox, c);
                out[l].write(make_word(id, y));
            }
        }
    }
}

// Sliding-window pool over fmaps until the end token.
template <class CFG, bool IS_MAX>
void pool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    static data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c];
#pragma HLS ARRAY_PARTITION variable=lb complete dim=1
#pragma HLS ARRAY_PARTITION variable=lb cyclic factor=CFG::coarse dim=3
    const data_t pad = IS_MAX ? data_t(DATA_MIN) : data_t(0);
    word head[CFG::coarse];
EECC_LABEL(pool_fmaps)
    while (!read_group<CFG::coarse>(in, head)) {
        EECC_STEP(1);
        bool first = true;
    EECC_LABEL(pool_rows)
        for (unsigned r = 0; r < window_dims<CFG>::pad_h; r++) {
            EECC_STEP(1);
            fill_row<CFG, CFG::coarse>(in, lb, r, pad, head, first);
            unsigned oy;
            if (row_completes<CFG>(r, oy)) pool_row<CFG, IS_MAX>(lb, oy, head[0].id, out);
        }
    }
    write_end<CFG::coarse>(out);
}

template <class CFG>
void maxpool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    pool<CFG, true>(in, out);
}

template <class CFG>
void avgpool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    pool<CFG, false>(in, out);
}

// Global average pool: [in_h, in_w, in_c] -> [1, 1, in_c].
template <class CFG>
void global_avgpool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    acc_t sum[CFG::in_c];
#pragma HLS ARRAY_PARTITION variable=sum cyclic factor=CFG::coarse
    const unsigned GROUPS = CFG::in_c / CFG::coarse;
    word w[CFG::coarse];
EECC_LABEL(gap_fmaps)
    while (!read_group<CFG::coarse>(in, w)) {
        EECC_STEP(1);
        const sample_id_t id = w[0].id;
        for (unsigned c = 0; c < CFG::in_c; c++) {
            EECC_STEP(1);  // a loop that is not pipelined: one state per iteration
            sum[c] = 0;
        }
    EECC_LABEL(gap_words)
        EECC_PIPELINED(1, 3)
        for (unsigned i = 0; i < CFG::in_h * CFG::in_w * GROUPS; i++) {
#pragma HLS PIPELINE II=1
            EECC_ITER();
            if (i > 0) read_group<CFG::coarse>(in, w);
            for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
                sum[(i % GROUPS) * CFG::coarse + l] += w[l].data.to_int64();
            }
        }
    EECC_LABEL(gap_out)
        EECC_PIPELINED(1, 3)
        for (unsigned cg = 0; cg < GROUPS; cg++) {
#pragma HLS PIPELINE II=1
            EECC_ITER();
            for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
                const acc_t n = CFG::in_h * CFG::in_w;
                out[l].write(make_word(id, round_mean(sum[cg * CFG::coarse + l], n)));
            }
        }
    }
    write_end<CFG::coarse>(out);
}

}  // namespace eecc

#endif  // EECC_POOL_H
