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
    // per-layer formats, as conv_config's
    static const unsigned in_width = EECC_DATA_WIDTH;
    static const unsigned out_width = EECC_DATA_WIDTH;
    static const int out_shift = 8;
    static const int bias_shift = 8;
    typedef short weight_t;
    typedef short bias_t;
};

// One flat II=1 pipeline over (input group i, output group j): at j = 0 it reads the
// coarse_in inputs of group i; every iteration does coarse_in x coarse_out multiplies into
// the accumulators of output group j (starting from the bias at i = 0); during the last
// input group the outputs of group j leave on their lanes.  (in/coarse_in) x
// (out/coarse_out) cycles per sample: the cost model's latency.  Weights [out][in]
// partitioned cyclic coarse_out x coarse_in: each cycle's weights sit in different banks.
template <class CFG>
void linear(hls::stream<word> in[CFG::coarse_in], hls::stream<word> out[CFG::coarse_out],
            const typename CFG::weight_t weights[CFG::out_features][CFG::in_features],
            const typename CFG::bias_t biases[CFG::out_features]) {
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_out dim=1
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_in dim=2
#pragma HLS ARRAY_PARTITION variable=biases cyclic factor=CFG::coarse_out dim=1
    const unsigned CIN = CFG::coarse_in, COUT = CFG::coarse_out;
    const unsigned GI = CFG::in_features / CIN, GJ = CFG::out_features / COUT;
    static acc_t acc[GJ][CFG::coarse_out];
#pragma HLS ARRAY_PARTITION variable=acc complete dim=2
    const acc_t bias_scale = acc_t(1) << CFG::bias_shift;
    unsigned i = 0, j = 0;
    word w[CFG::coarse_in];
EECC_LABEL(linear_loop)
    EECC_PIPELINED(1, 6 + clog2<CFG::coarse_in>::value)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (j == 0 && read_group<CFG::coarse_in>(in, w)) break;
        for (unsigned u = 0; u < COUT; u++) {
#pragma HLS UNROLL
            acc_t s = i == 0 ? acc_t(biases[j * COUT + u]) * bias_scale : acc[j][u];
            for (unsigned v = 0; v < CIN; v++) {
#pragma HLS UNROLL
                s += mul_at<CFG::in_width, CFG::weight_width>(w[v].data, weights[j * COUT + u][i * CIN + v]);
            }
            acc[j][u] = s;
            if (i + 1 == GI) out[u].write(make_word(w[0].id, requantize_to<CFG::out_shift, CFG::out_width>(s)));
        }
        if (++j < GJ) continue;
        j = 0;
        i = i + 1 < GI ? i + 1 : 0;
    }
    write_end<CFG::coarse_out>(out);
}

}  // namespace eecc

#endif  // EECC_LINEAR_H
