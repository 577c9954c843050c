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
    // per-layer formats (docs/numerics.md): input and result widths, the output stage's
    // shift F_in + Fw - F_out and the bias alignment F_in + Fw - F_b
    static const unsigned out_width = EECC_DATA_WIDTH;  // in_width: window_config
    static const int out_shift = 8;
    static const int bias_shift = 8;
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

// Computes and writes output row oy (all out_w pixels, all filters): one flat pipeline over
// (ox, filter block fo, channel step ci, tap step kk), out_w * FO * CI * KK iterations.  A
// filter block's accumulators start from the bias at its first (ci, kk) and are written at
// its last; a channel step covers coarse_in channels of the filter's own group.
template <class CFG>
void conv_row(const data_t lb[CFG::kernel_h][window_dims<CFG>::pad_w][CFG::in_c], unsigned oy,
              sample_id_t id,
              const typename CFG::weight_t weights[CFG::out_c][CFG::in_c / CFG::groups]
                                                  [CFG::kernel_h * CFG::kernel_w],
              const typename CFG::bias_t biases[CFG::out_c],
              hls::stream<word> out[CFG::coarse_out]) {
#pragma HLS INLINE
    typedef window_dims<CFG> D;
    const unsigned CG = CFG::in_c / CFG::groups;  // input channels per group
    const unsigned FG = CFG::out_c / CFG::groups;  // filters per group
    const unsigned CI = (CG + CFG::coarse_in - 1) / CFG::coarse_in;  // coarse_in need not divide CG
    const unsigned KK = D::taps / CFG::fine;
    const unsigned FO = CFG::out_c / CFG::coarse_out;
    const acc_t bias_scale = acc_t(1) << CFG::bias_shift;
    acc_t acc[CFG::coarse_out];
#pragma HLS ARRAY_PARTITION variable=acc complete
    unsigned ox = 0, fo = 0, ci = 0, kk = 0;
EECC_LABEL(conv_row_macs)
    EECC_PIPELINED(conv_schedule<CFG>::ii, conv_schedule<CFG>::depth)
    for (unsigned n = 0; n < D::out_w * FO * CI * KK; n++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const bool first = ci == 0 && kk == 0, last = ci == CI - 1 && kk == KK - 1;
        for (unsigned u = 0; u < CFG::coarse_out; u++) {
#pragma HLS UNROLL
            const unsigned f = fo * CFG::coarse_out + u;
            acc_t sum = first ? acc_t(acc_t(biases[f]) * bias_scale) : acc[u];
            for (unsigned v = 0; v < CFG::coarse_in; v++) {
#pragma HLS UNROLL
                const unsigned c = ci * CFG::coarse_in + v;
                if (c >= CG) continue;
                for (unsigned t = 0; t < CFG::fine; t++) {
#pragma HLS UNROLL
                    const unsigned k = kk * CFG::fine + t;
                    const unsigned ky = k / CFG::kernel_w, kx = k % CFG::kernel_w;
                    const data_t x = window_at<CFG>(lb, oy, ox, ky, kx, (f / FG) * CG + c);
                    sum += mul_at<CFG::in_width, CFG::weight_width>(x, weights[f][c][k]);
                }
            }
            acc[u] = sum;
            if (last) out[u].write(make_word(id, requantize_to<CFG::out_shift, CFG::out_width>(sum)));
        }
        if (++kk == KK) {
            kk = 0;
            if (++ci == CI) {
                ci = 0;
                if (++fo == FO) { fo = 0; ox++; }
            }
        }
    }
}

// The row-by-row convolution (the library's first form), kept for grouped convolutions
// (groups > 1): each line-buffer row is filled, then its output row computed; it is slower
// than the model (docs/hls-library.md).  Loops over fmaps until the end token.
template <class CFG>
void conv_grouped(hls::stream<word> in[CFG::coarse_in], hls::stream<word> out[CFG::coarse_out],
                  const typename CFG::weight_t weights[CFG::out_c][CFG::in_c / CFG::groups]
                                                      [CFG::kernel_h * CFG::kernel_w],
                  const typename CFG::bias_t biases[CFG::out_c]) {
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_out dim=1
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_in dim=2
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::fine dim=3
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

// ===================================================================== streaming conv
//
// conv<CFG> is a DATAFLOW of three flat II=1 pipelines:
//   sliding_window  Hp * Wp * in_c / coarse_in iterations per sample: one window per lane
//                   at every output position and channel group;
//   conv_mac        for each window group (coarse_in windows: one output pixel, one channel
//                   group g), for each filter group fo (coarse_out filters) and tap chunk kk
//                   (fine taps): coarse_in * coarse_out * fine multiplies per cycle,
//                   accumulated over the chunks; a partial sum per output lane every
//                   kernel_h * kernel_w / fine cycles.  Ho * Wo * (in_c / coarse_in) *
//                   (out_c / coarse_out) * (kernel_h * kernel_w / fine) iterations per sample;
//   conv_accum      adds the partial sums of the channel groups (and the bias), requantizes
//                   and writes filter fo * coarse_out + u on lane u.
// So the layer's interval is the cost model's max(Hp Wp Cin / c_in, Ho Wo Cin F k^2 /
// (c_in c_out fine)).  Weights [out_c][in_c][kernel_h * kernel_w] are partitioned cyclic
// coarse_out (filters), cyclic coarse_in (channels) and cyclic fine (taps): the
// coarse_in * coarse_out * fine weights of a cycle sit in different banks, one read each.
// Grouped convolutions (groups > 1) use conv_grouped.
template <unsigned N>
struct partial_word {
    acc_t v[N];
    sample_id_t id;
    bool end;
    partial_word() : id(0), end(false) {
        for (unsigned k = 0; k < N; k++) v[k] = 0;
    }
};

}  // namespace eecc

#ifdef EECC_TIMED
namespace hls {
template <unsigned N>
class stream<eecc::partial_word<N> > : public eecc::timed::fifo<eecc::partial_word<N> > {};
}  // namespace hls
#endif

namespace eecc {

template <class CFG>
struct conv_dims {
    typedef window_dims<CFG> D;
    static const unsigned K = CFG::kernel_h * CFG::kernel_w;
    static const unsigned G = CFG::in_c / CFG::coarse_in;    // channel groups
    static const unsigned FO = CFG::out_c / CFG::coarse_out;  // filter groups
    static const unsigned KK = K / CFG::fine;                 // tap chunks
    static const unsigned mac_per_window = FO * KK;           // MAC cycles per window group
    static const unsigned window_iterations = D::pad_h * D::pad_w * G;
    static const unsigned mac_iterations = D::out_h * D::out_w * G * mac_per_window;
    // The window stage writes nothing while it fills the first kernel_h - 1 rows of a sample
    // (and after the last output row of the previous one): a MAC-bound layer needs that many
    // cycles of windows queued in front of it, or it waits.
    static const unsigned tail_rows = D::pad_h - CFG::kernel_h - (D::out_h - 1) * CFG::stride_h;
    static const unsigned gap = ((tail_rows + CFG::kernel_h - 1) * D::pad_w + CFG::kernel_w) * G;
    static const unsigned window_fifo =
        mac_iterations > window_iterations ? gap / mac_per_window + 2 : 2;
};

template <class CFG>
void conv_mac(hls::stream<window_word<CFG::kernel_h * CFG::kernel_w> > win[CFG::coarse_in],
              hls::stream<partial_word<CFG::coarse_out> > &out,
              const typename CFG::weight_t weights[CFG::out_c][CFG::in_c / CFG::groups]
                                                  [CFG::kernel_h * CFG::kernel_w]) {
    typedef conv_dims<CFG> C;
    const unsigned CIN = CFG::coarse_in, COUT = CFG::coarse_out, FINE = CFG::fine;
    data_t x[CFG::coarse_in][C::K];
#pragma HLS ARRAY_PARTITION variable=x complete dim=0
    acc_t acc[CFG::coarse_out];
#pragma HLS ARRAY_PARTITION variable=acc complete
    for (unsigned u = 0; u < CFG::coarse_out; u++) acc[u] = 0;
    for (unsigned v = 0; v < CFG::coarse_in; v++)
        for (unsigned k = 0; k < C::K; k++) x[v][k] = 0;
    unsigned g = 0, fo = 0, kk = 0;
    sample_id_t id = 0;
EECC_LABEL(conv_mac_loop)
    EECC_PIPELINED(1, 6 + clog2<CFG::coarse_in * CFG::fine>::value)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (fo == 0 && kk == 0) {
            window_word<C::K> w[CFG::coarse_in];
            for (unsigned v = 0; v < CIN; v++) {
#pragma HLS UNROLL
                w[v] = win[v].read();
            }
            if (w[0].end) break;
            id = w[0].id;
            for (unsigned v = 0; v < CIN; v++) {
#pragma HLS UNROLL
                for (unsigned k = 0; k < C::K; k++) {
#pragma HLS UNROLL
                    x[v][k] = w[v].v[k];
                }
            }
        }
        partial_word<CFG::coarse_out> p;
        for (unsigned u = 0; u < COUT; u++) {
#pragma HLS UNROLL
            acc_t sum = 0;
            for (unsigned v = 0; v < CIN; v++) {
#pragma HLS UNROLL
                for (unsigned t = 0; t < FINE; t++) {
#pragma HLS UNROLL
                    const unsigned k = kk * FINE + t;
                    sum += mul_at<CFG::in_width, CFG::weight_width>(x[v][k],
                                                  weights[fo * COUT + u][g * CIN + v][k]);
                }
            }
            acc[u] = (kk == 0 ? acc_t(0) : acc[u]) + sum;
            p.v[u] = acc[u];
        }
        if (kk + 1 == C::KK) {
            p.id = id;
            out.write(p);
        }
        if (++kk < C::KK) continue;
        kk = 0;
        if (++fo < C::FO) continue;
        fo = 0;
        g = g + 1 < C::G ? g + 1 : 0;
    }
    partial_word<CFG::coarse_out> e;
    e.id = END_ID;
    e.end = true;
    out.write(e);
}

template <class CFG>
void conv_accum(hls::stream<partial_word<CFG::coarse_out> > &in,
                hls::stream<word> out[CFG::coarse_out],
                const typename CFG::bias_t biases[CFG::out_c]) {
#pragma HLS ARRAY_PARTITION variable=biases cyclic factor=CFG::coarse_out dim=1
    typedef conv_dims<CFG> C;
    const unsigned COUT = CFG::coarse_out;
    const acc_t bias_scale = acc_t(1) << CFG::bias_shift;
    static acc_t sum[C::FO][CFG::coarse_out];
#pragma HLS ARRAY_PARTITION variable=sum complete dim=2
    unsigned g = 0, fo = 0;
EECC_LABEL(conv_accum_loop)
    EECC_PIPELINED(1, 3)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const partial_word<CFG::coarse_out> p = in.read();
        if (p.end) break;
        for (unsigned u = 0; u < COUT; u++) {
#pragma HLS UNROLL
            const acc_t base = g == 0 ? acc_t(biases[fo * COUT + u]) * bias_scale : sum[fo][u];
            const acc_t v = base + p.v[u];
            sum[fo][u] = v;
            if (g + 1 == C::G) out[u].write(make_word(p.id, requantize_to<CFG::out_shift, CFG::out_width>(v)));
        }
        if (++fo < C::FO) continue;
        fo = 0;
        g = g + 1 < C::G ? g + 1 : 0;
    }
    write_end<CFG::coarse_out>(out);
}

template <class CFG>
void conv_streaming(hls::stream<word> in[CFG::coarse_in], hls::stream<word> out[CFG::coarse_out],
                    const typename CFG::weight_t weights[CFG::out_c][CFG::in_c / CFG::groups]
                                                        [CFG::kernel_h * CFG::kernel_w],
                    const typename CFG::bias_t biases[CFG::out_c]) {
#pragma HLS DATAFLOW
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_out dim=1
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::coarse_in dim=2
#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=CFG::fine dim=3
    hls::stream<window_word<CFG::kernel_h * CFG::kernel_w> > win[CFG::coarse_in];
#pragma HLS STREAM variable=win depth=conv_dims<CFG>::window_fifo
    EECC_LOCAL_STREAM(win, conv_dims<CFG>::window_fifo);
    hls::stream<partial_word<CFG::coarse_out> > partial;
#pragma HLS STREAM variable=partial depth=2
    EECC_LOCAL_STREAM(partial, 2);
    EECC_DATAFLOW_BEGIN();
    EECC_SUBPROCESS("window", sliding_window<CFG, CFG::coarse_in>(in, win, data_t(0)));
    EECC_SUBPROCESS("mac", conv_mac<CFG>(win, partial, weights));
    EECC_SUBPROCESS("accum", conv_accum<CFG>(partial, out, biases));
    EECC_DATAFLOW_END();
}

// The convolution layer: streaming for groups = 1, row by row for grouped convolutions.
template <class CFG>
void conv(hls::stream<word> in[CFG::coarse_in], hls::stream<word> out[CFG::coarse_out],
          const typename CFG::weight_t weights[CFG::out_c][CFG::in_c / CFG::groups]
                                              [CFG::kernel_h * CFG::kernel_w],
          const typename CFG::bias_t biases[CFG::out_c]) {
    if (CFG::groups == 1) {
        conv_streaming<CFG>(in, out, weights, biases);
    } else {
        conv_grouped<CFG>(in, out, weights, biases);
    }
}

}  // namespace eecc

#endif  // EECC_CONV_H
