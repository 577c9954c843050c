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

// The reduction's pipeline depth: a compare / add tree over the taps.
template <class CFG>
struct pool_schedule {
    static const unsigned depth = 3 + clog2<CFG::kernel_h * CFG::kernel_w>::value;
};

// The window reduction of a pool (one flat II=1 pipeline): one output word per lane per
// window.  maxpool: the maximum of the taps (padding holds the most negative value);
// avgpool: round_mean over the taps, counting kernel_h * kernel_w taps when
// count_include_pad, else the window's real taps.
template <class CFG, bool IS_MAX>
void pool_reduce(hls::stream<window_word<CFG::kernel_h * CFG::kernel_w> > in[CFG::coarse],
                 hls::stream<word> out[CFG::coarse]) {
    const unsigned K = CFG::kernel_h * CFG::kernel_w;
EECC_LABEL(pool_reduce_loop)
    EECC_PIPELINED(1, pool_schedule<CFG>::depth)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        window_word<K> w[CFG::coarse];
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            w[l] = in[l].read();
        }
        if (w[0].end) break;
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            data_t m = format_min<CFG::in_width>();
            acc_t s = 0;
            for (unsigned k = 0; k < K; k++) {
#pragma HLS UNROLL
                if (w[l].v[k] > m) m = w[l].v[k];
                s += w[l].v[k].to_int64();
            }
            const acc_t n = CFG::count_include_pad ? acc_t(K) : acc_t(w[l].real.to_uint());
            out[l].write(make_word(w[l].id, IS_MAX ? m : round_mean(s, n)));
        }
    }
    write_end<CFG::coarse>(out);
}

// Sliding window + window reduction: Hp * Wp * C / coarse cycles per sample.
template <class CFG, bool IS_MAX>
void pool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
#pragma HLS DATAFLOW
    hls::stream<window_word<CFG::kernel_h * CFG::kernel_w> > win[CFG::coarse];
#pragma HLS STREAM variable=win depth=2
    EECC_LOCAL_STREAM(win, 2);
    EECC_DATAFLOW_BEGIN();
    EECC_SUBPROCESS("window", sliding_window<CFG, CFG::coarse>(
                                  in, win, IS_MAX ? format_min<CFG::in_width>() : data_t(0)));
    EECC_SUBPROCESS("reduce", (pool_reduce<CFG, IS_MAX>(win, out)));
    EECC_DATAFLOW_END();
}

template <class CFG>
void maxpool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    pool<CFG, true>(in, out);
}

template <class CFG>
void avgpool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    pool<CFG, false>(in, out);
}

// Global average pool: [in_h, in_w, in_c] -> [1, 1, in_c], one flat II=1 pipeline over
// the in_h * in_w * in_c / coarse words of a sample: each channel's sum restarts at the
// first pixel, and during the last pixel the mean of channel group g leaves as the group
// goes by (one word per lane per cycle, no output phase).
template <class CFG>
void global_avgpool(hls::stream<word> in[CFG::coarse], hls::stream<word> out[CFG::coarse]) {
    const unsigned GROUPS = CFG::in_c / CFG::coarse, PIXELS = CFG::in_h * CFG::in_w;
    static acc_t sum[GROUPS][CFG::coarse];
#pragma HLS ARRAY_PARTITION variable=sum complete dim=2
    unsigned px = 0, g = 0;
    word w[CFG::coarse];
EECC_LABEL(gap_loop)
    EECC_PIPELINED(1, 3)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (read_group<CFG::coarse>(in, w)) break;
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            const acc_t s = (px == 0 ? acc_t(0) : sum[g][l]) + w[l].data.to_int64();
            sum[g][l] = s;
            if (px + 1 == PIXELS) out[l].write(make_word(w[l].id, round_mean(s, PIXELS)));
        }
        if (++g < GROUPS) continue;
        g = 0;
        px = px + 1 < PIXELS ? px + 1 : 0;
    }
    write_end<CFG::coarse>(out);
}

}  // namespace eecc

#endif  // EECC_POOL_H
