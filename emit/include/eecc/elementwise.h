// eecc HLS library: word-by-word layers (relu, add, split/fork, lane re-packing).
//
// These layers do not need the feature-map shape: they process one word per lane per
// cycle until the end token, then forward it.  The shape fields of their configs are for
// documentation and for the emitter's stream-depth computations.
#ifndef EECC_ELEMENTWISE_H
#define EECC_ELEMENTWISE_H

#include "eecc/common.h"

namespace eecc {

// Config of relu / add / split: C channels on `coarse` lanes.
struct elementwise_config {
    static const unsigned height = 1;
    static const unsigned width = 1;
    static const unsigned channels = 1;
    static const unsigned coarse = 1;  // lanes in = lanes out
};

struct relu_config : elementwise_config {
    static const bool bounded = false;  // saturating ReLU (ONNX Clip(0, m), ReLU6)
    static const int max_q = 0;         // its raw upper bound m in the stream's format
};
struct add_config : elementwise_config {
    static const unsigned data_width = EECC_DATA_WIDTH;  // the format's W: saturation
};
struct cast_config : elementwise_config {
    static const int shift = 0;  // F_in - F_out
    static const unsigned out_width = EECC_DATA_WIDTH;
};
struct split_config : elementwise_config {
    static const unsigned n_outputs = 2;
};

// ReLU: max(q, 0), or min(max(q, 0), max_q) when bounded.  Per sample: one fmap in, one out.
template <class CFG>
void relu(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    word w[CFG::coarse];
#pragma HLS ARRAY_PARTITION variable=w complete
EECC_LABEL(relu_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (read_group<CFG::coarse>(in, w)) break;
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            data_t v = w[l].data < 0 ? data_t(0) : w[l].data;
            if (CFG::bounded && v > data_t(CFG::max_q)) v = data_t(CFG::max_q);
            out[l].write(make_word(w[l].id, v));
        }
    }
    write_end<CFG::coarse>(out);
}

// Add: clip(a + b).  Per sample: one fmap on each input (same IDs, same order), one out.
template <class CFG>
void add(hls::stream<word> in_a[CFG::coarse], hls::stream<word> in_b[CFG::coarse],
         hls::stream<word> out[CFG::coarse]) {
    word a[CFG::coarse], b[CFG::coarse];
#pragma HLS ARRAY_PARTITION variable=a complete
#pragma HLS ARRAY_PARTITION variable=b complete
EECC_LABEL(add_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const bool end_a = read_group<CFG::coarse>(in_a, a);
        const bool end_b = read_group<CFG::coarse>(in_b, b);
        EECC_CHECK(end_a == end_b, "add: inputs end at different words");
        if (end_a) break;
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            EECC_CHECK(a[l].id == b[l].id, "add: sample IDs of the inputs differ");
            out[l].write(make_word(a[l].id, saturate_to<CFG::data_width>(acc_t(a[l].data) + acc_t(b[l].data))));
        }
    }
    write_end<CFG::coarse>(out);
}

// Cast (ee.cast): each word to another fixed-point format, requantize_to<shift, out_width>
// (round half up, saturate).  Per sample: one fmap in, one fmap out.
template <class CFG>
void cast(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    word w[CFG::coarse];
#pragma HLS ARRAY_PARTITION variable=w complete
EECC_LABEL(cast_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (read_group<CFG::coarse>(in, w)) break;
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            out[l].write(make_word(w[l].id,
                                   requantize_to<CFG::shift, CFG::out_width>(acc_t(w[l].data))));
        }
    }
    write_end<CFG::coarse>(out);
}

// Split (fork): the same fmap on each of n_outputs outputs, lossless broadcast.
template <class CFG>
void split(hls::stream<word> in[CFG::coarse],
           hls::stream<word> out[CFG::n_outputs][CFG::coarse]) {
    word w[CFG::coarse];
#pragma HLS ARRAY_PARTITION variable=w complete
EECC_LABEL(split_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (read_group<CFG::coarse>(in, w)) break;
        for (unsigned o = 0; o < CFG::n_outputs; o++) {
#pragma HLS UNROLL
            for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
                out[o][l].write(w[l]);
            }
        }
    }
    for (unsigned o = 0; o < CFG::n_outputs; o++) {
#pragma HLS UNROLL
        write_end<CFG::coarse>(out[o]);
    }
}

// Lane re-packing: channel c moves from lane c % IN_LANES to lane c % OUT_LANES, order kept.
// One flat II=1 pipeline in chunks of lcm(IN_LANES, OUT_LANES) channels (both must divide
// the channel count): a chunk takes max(CHUNK / IN_LANES, CHUNK / OUT_LANES) cycles, its
// input groups read in the first cycles and its output groups written in the last ones
// (each output group's channels have arrived by then), so the repack moves
// words / min(IN_LANES, OUT_LANES) cycles per sample: never slower than its neighbours.
// The end token is forwarded on every output lane.
template <unsigned IN_LANES, unsigned OUT_LANES>
void repack(hls::stream<word> in[IN_LANES], hls::stream<word> out[OUT_LANES]) {
    const unsigned CHUNK = lcm<IN_LANES, OUT_LANES>::value;
    const unsigned NI = CHUNK / IN_LANES, NO = CHUNK / OUT_LANES;
    const unsigned N = NI > NO ? NI : NO;
    word buf[CHUNK];
    word w[IN_LANES];
#pragma HLS ARRAY_PARTITION variable=buf complete
#pragma HLS ARRAY_PARTITION variable=w complete
    unsigned i = 0;
EECC_LABEL(repack_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (i < NI) {
            const bool end = read_group<IN_LANES>(in, w);
            if (i == 0 && end) break;
            for (unsigned l = 0; l < IN_LANES; l++) {
#pragma HLS UNROLL
                buf[i * IN_LANES + l] = w[l];
            }
        }
        if (i + NO >= N) {
            const unsigned j = i + NO - N;
            for (unsigned l = 0; l < OUT_LANES; l++) {
#pragma HLS UNROLL
                out[l].write(buf[j * OUT_LANES + l]);
            }
        }
        i = i + 1 < N ? i + 1 : 0;
    }
    write_end<OUT_LANES>(out);
}

}  // namespace eecc

#endif  // EECC_ELEMENTWISE_H
