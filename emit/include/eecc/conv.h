// eecc HLS library: sliding-window 2-D convolution.
//
// Per sample: one fmap [in_h, in_w, in_c] on coarse_in lanes in, one fmap
// [out_h, out_w, out_c] on coarse_out lanes out.  Zero padding, strides, groups, bias.
// acc = sum(q_x * q_w) + (q_b << weight_frac) exactly in 64 bits, then
// requantize<weight_frac> (round half up, saturate): results do not depend on the folding.
//
// Folding: coarse_in input channels x coarse_out filters x fine kernel taps are multiplied
// per cycle (coarse_in | in_c, coarse_out | out_c, fine | kernel_h * kernel_w).  The input
// arrives on coarse_in lanes, the output leaves on coarse_out lanes.
//
// Weights are raw integers, PyTorch layout [out_c][in_c / groups][kernel_h][kernel_w];
// biases raw integers in the data format, [out_c].  Emit them as integer tables.
#ifndef EECC_CONV_H
#define EECC_CONV_H

#include "eecc/window.h"

namespace eecc {

struct conv_config : window_config {
    static const unsigned out_c = 1;
    static const unsigned groups = 1;
    static const unsigned coarse_in = 1;
    static const unsigned coarse_out = 1;
    static const unsigned fine = 1;
    static const unsigned weight_width = 16;
    static const unsigned weight_frac = 8;  // Fw
    typedef short weight_t;
    typedef short bias_t;
};

// The schedule of conv_row's MAC pipeline (channels x taps, a perfect nest, flattened).
// Line buffer: dim 1 (kernel_h rows) complete, dim 3 cyclic coarse_in, dim 2 (the row's
// pixels) whole: the taps of one window row sit in one bank.  Weights: dim 1 cyclic
// coarse_out, dim 2 cyclic coarse_in, dim 4 cyclic fine (clamped at kernel_w), dim 3 whole.
template <class CFG>
struct conv_schedule {
    static const unsigned row_taps = min_of<CFG::fine, CFG::kernel_w>::value;
    static const unsigned lb_ii = port_ii<row_taps>::value;
    static const unsigned weight_ii = port_ii<ceil_div<CFG::fine, row_taps>::value>::value;
    static const unsigned ii = max_of<lb_ii, weight_ii>::value;
    // BRAM read 2, multiply 3, adder tree over coarse_in * fine products, accumulate 1
    static const unsigned depth = 6 + clog2<CFG::coarse_in * CFG::fine>::value;
};

// Computes and writes output row oy (all out_w pixels, all filters).
template <class CFG>
void conv_row(const data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c], unsigned oy,
              sample_id_t id,
              const typename CFG::weight_t weights[CFG::out_c][CFG::in_c / CFG::groups]
                                                  [CFG::kernel_h][CFG::kernel_w],
              const typename CFG::bias_t biases[CFG::out_c],
              hls::stream<word> out[CFG::coarse_out]) {
#pragma HLS INLINE
    typedef window_dims<CFG> D;
    const unsigned CG = CFG::in_c / CFG::groups;  // input channels per group
    const unsigned FG = CFG::out_c / CFG::groups;  // filters per group
    const acc_t bias_scale = acc_t(1) << CFG::weight_frac;
    acc_t acc[CFG::coarse_out];
#pragma HLS ARRAY_PARTITION variable=acc complete
EECC_LABEL(conv_ox)
    for (unsigned ox = 0; ox < D::out_w; ox++) {
        EECC_STEP(1);
    EECC_LABEL(conv_filters)
        for (unsigned fo = 0; fo < CFG::out_c / CFG::coarse_out; fo++) {
            EECC_STEP(1);
            for (unsigned u = 0; u < CFG::coarse_out; u++) {
#pragma HLS UNROLL
                acc[u] = acc_t(biases[fo * CFG::coarse_out + u]) * bias_scale;
            }
            EECC_STEP(1);
        EECC_LABEL(conv_channels)
            EECC_PIPELINED(conv_schedule<CFG>::ii, conv_schedule<CFG>::depth)
            for (unsigned ci = 0; ci < (CG + CFG::coarse_in - 1) / CFG::coarse_in; ci++) {
            EECC_LABEL(conv_taps)
                for (unsigned kk = 0; kk < D::taps / CFG::fine; kk++) {
#pragma HLS PIPELINE II=1
                    EECC_ITER();
                    for (unsigned u = 0; u < CFG::coarse_out; u++) {
#pragma HLS UNROLL
                        const unsigned f = fo * CFG::coarse_out + u;
                        for (unsigned v = 0; v < CFG::coarse_in; v++) {
#pragma HLS UNROLL
                            const unsigned c = ci * CFG::coarse_in + v;
                            if (c >= CG) continue;  // coarse_in need not divide in_c / groups
                            for (unsigned t = 0; t < CFG::fine; t++) {
#pragma HLS UNROLL
                                const unsigned k = kk * CFG::fine + t;
                                const unsigned ky = k / CFG::kernel_w, kx = k % CFG::kernel_w;
                                const data_t x = window_at<CFG>(lb, oy, ox, ky, kx, (f / FG) * CG + c);
                                acc[u] += mul<CFG::weight_width>(x, weights[f][c][ky][kx]);
                            }
                        }
                    }
                }
            }
            for (unsigned u = 0; u < CFG::coarse_out; u++) {
#pragma HLS UNROLL
                out[u].write(make_word(id, requantize<CFG::weight_frac>(acc[u])));
            }
            EECC_STEP(1);
        }
    }
}

// The convolution layer.  Loops over fmaps until the end token, then forwards it.
template <class CFG>
void conv(hls::stream<word> in[CFG::coarse_in], hls::stream<word> out[CFG::coarse_out],
          const typename CFG::weight_t weights[CFG::out_c][CFG::in_c / CFG::groups]
                                              [CFG::kernel_h][CFG::kernel_w],
          const typename CFG::bias_t biases[CFG::out_c]) {
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_out dim=1
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_in dim=2
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::fine dim=4
    static data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c];
#pragma HLS ARRAY_PARTITION variable=lb complete dim=1
#pragma HLS ARRAY_PARTITION variable=lb cyclic factor=CFG::coarse_in dim=3
    word head[CFG::coarse_in];
EECC_LABEL(conv_fmaps)
    while (!read_group<CFG::coarse_in>(in, head)) {
        EECC_STEP(1);
        bool first = true;
    EECC_LABEL(conv_rows)
        for (unsigned r = 0; r < window_dims<CFG>::pad_h; r++) {
            EECC_STEP(1);
            fill_row<CFG, CFG::coarse_in>(in, lb, r, data_t(0), head, first);
            unsigned oy;
            if (row_completes<CFG>(r, oy)) conv_row<CFG>(lb, oy, head[0].id, weights, biases, out);
        }
    }
    write_end<CFG::coarse_out>(out);
}

}  // namespace eecc

#endif  // EECC_CONV_H
