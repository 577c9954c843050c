// eecc HLS library: fully connected (linear) layer.
//
// Per sample: one vector of in_features words in (element i on lane i % coarse_in, in
// stream order, i.e. the flattened H, W, C order: the emitter permutes PyTorch's C, H, W
// weight columns), one vector of out_features words out (element j on lane j % coarse_out).
// acc = sum(q_x * q_w) + (q_b << weight_frac) exactly, requantize<weight_frac>.
// Folding: coarse_in x coarse_out multiplies per cycle.
// Weights raw integers [out_features][in_features]; biases raw, data format, [out_features].
#ifndef EECC_LINEAR_H
#define EECC_LINEAR_H

#include "eecc/common.h"

namespace eecc {

struct linear_config {
    static const unsigned in_features = 1;
    static const unsigned out_features = 1;
    static const unsigned coarse_in = 1;
    static const unsigned coarse_out = 1;
    static const unsigned weight_width = 16;
    static const unsigned weight_frac = 8;
    typedef short weight_t;
    typedef short bias_t;
};

// Reads the rest of the input vector (the first group is `w`) into x.
template <class CFG>
void linear_read(hls::stream<word> in[CFG::coarse_in], word w[CFG::coarse_in],
                 data_t x[CFG::in_features]) {
#pragma HLS INLINE
EECC_LABEL(linear_in)
    EECC_PIPELINED(1, 2)
    for (unsigned g = 0; g < CFG::in_features / CFG::coarse_in; g++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (g > 0) read_group<CFG::coarse_in>(in, w);
        for (unsigned v = 0; v < CFG::coarse_in; v++) {
#pragma HLS UNROLL
            x[g * CFG::coarse_in + v] = w[v].data;
        }
    }
}

template <class CFG>
void linear(hls::stream<word> in[CFG::coarse_in], hls::stream<word> out[CFG::coarse_out],
            const typename CFG::weight_t weights[CFG::out_features][CFG::in_features],
            const typename CFG::bias_t biases[CFG::out_features]) {
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_out dim=1
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_in dim=2
    data_t x[CFG::in_features];
#pragma HLS ARRAY_PARTITION variable=x cyclic factor=CFG::coarse_in
    acc_t acc[CFG::coarse_out];
#pragma HLS ARRAY_PARTITION variable=acc complete
    const acc_t bias_scale = acc_t(1) << CFG::weight_frac;
    word w[CFG::coarse_in];
EECC_LABEL(linear_fmaps)
    while (!read_group<CFG::coarse_in>(in, w)) {
        EECC_STEP(1);
        const sample_id_t id = w[0].id;
        linear_read<CFG>(in, w, x);
    EECC_LABEL(linear_outputs)
        for (unsigned jo = 0; jo < CFG::out_features / CFG::coarse_out; jo++) {
            EECC_STEP(1);
            for (unsigned u = 0; u < CFG::coarse_out; u++) {
#pragma HLS UNROLL
                acc[u] = acc_t(biases[jo * CFG::coarse_out + u]) * bias_scale;
            }
            EECC_STEP(1);
        EECC_LABEL(linear_inputs)
            // x: cyclic coarse_in, weights: cyclic coarse_out x coarse_in: one access per bank
            EECC_PIPELINED(1, 6 + clog2<CFG::coarse_in>::value)
            for (unsigned io = 0; io < CFG::in_features / CFG::coarse_in; io++) {
#pragma HLS PIPELINE II=1
                EECC_ITER();
                for (unsigned u = 0; u < CFG::coarse_out; u++) {
#pragma HLS UNROLL
                    for (unsigned v = 0; v < CFG::coarse_in; v++) {
#pragma HLS UNROLL
                        const unsigned j = jo * CFG::coarse_out + u, i = io * CFG::coarse_in + v;
                        acc[u] += mul<CFG::weight_width>(x[i], weights[j][i]);
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
    write_end<CFG::coarse_out>(out);
}

}  // namespace eecc

#endif  // EECC_LINEAR_H
