// eecc HLS library: stream words, the end-of-batch protocol, fixed-point helpers.
//
// Stream word.  Every word carries the sample ID, one raw data value (a fixed-point value
// with F fraction bits held as the integer v * 2^F, see docs/numerics.md) and an end flag.
//
// Lanes.  Feature maps stream row-major (H, W) with channels innermost.  A layer with
// parallelism N reads/writes an array of N streams; channel c travels on lane c % N, so
// lane l carries channels l, l + N, l + 2N, ... of each pixel in that order.
//
// End-of-batch protocol.  After the last feature map of a batch, the producer writes ONE
// end token (end = 1, id = 0xFFFF, data = 0) on EVERY lane of every output stream.  A layer
// loops over feature maps until it reads the end token where the next feature map would
// start (on lane 0; it then consumes the end token of the other lanes), writes the end
// token on each of its outputs and returns.  Nothing follows an end token.  Control streams
// (exit decisions) end the same way with an end ctrl_word.  So a condbuffer that drops
// samples never needs dummy feature maps, and an exit merge stops once every input ended.
#ifndef EECC_COMMON_H
#define EECC_COMMON_H

// GCC >= 11 at -O1 and above reports false 'uninitialized' warnings inside the Xilinx
// ap_private implementation; silence them for those headers only (include eecc first).
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "ap_int.h"
#include "hls_stream.h"
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic pop
#endif

#ifndef __SYNTHESIS__
#include <cstdio>
#include <cstdlib>
#endif

#include "eecc/schedule.h"
#ifdef EECC_TIMED
#include "eecc/timed.h"
#endif

#ifndef EECC_DATA_WIDTH
#define EECC_DATA_WIDTH 16  // activation width W (numerics.md: data_width)
#endif

// EECC_CHECK(cond, msg): a C-simulation assertion (ID mismatch, protocol error); no hardware.
#ifndef __SYNTHESIS__
#define EECC_CHECK(cond, msg)                                            \
    do {                                                                 \
        if (!(cond)) {                                                   \
            std::fprintf(stderr, "eecc: %s (%s:%d)\n", msg, __FILE__, __LINE__); \
            std::abort();                                                \
        }                                                                \
    } while (0)
#else
#define EECC_CHECK(cond, msg) \
    do {                      \
    } while (0)
#endif

// EECC_LABEL(name): names the next loop in synthesis reports; g++ would warn of unused labels.
#ifdef __SYNTHESIS__
#define EECC_LABEL(name) name:
#else
#define EECC_LABEL(name)
#endif

namespace eecc {

typedef ap_int<EECC_DATA_WIDTH> data_t;  // raw activation bits
typedef ap_uint<16> sample_id_t;         // sample ID (batch index)
typedef long long acc_t;                 // exact accumulator

static const unsigned END_ID = 0xFFFF;  // ID field of an end token

// One stream word: {sample ID, raw data, end-of-batch flag}.
struct word {
    sample_id_t id;
    data_t data;
    bool end;
    word() : id(0), data(0), end(false) {}
};

// One control token of an exit decision: {sample ID, exit?, end-of-batch flag}.
struct ctrl_word {
    sample_id_t id;
    bool exit;
    bool end;
    ctrl_word() : id(0), exit(false), end(false) {}
};

// One confidence token of a head (most-confident policy, exit.h): {sample ID, the exit
// decision's sum S (the smaller, the more confident), the head it belongs to, exit?, end}.
struct conf_word {
    sample_id_t id;
    acc_t s;
    ap_uint<8> index;
    bool exit;
    bool end;
    conf_word() : id(0), s(0), index(0), exit(false), end(false) {}
};

}  // namespace eecc

#ifdef EECC_TIMED
// The timed build: streams of the library's words are bounded, timed FIFOs (eecc/timed.h).
namespace eecc {
namespace timed {
template <>
struct sample_of<eecc::ctrl_word> {
    static bool get(const eecc::ctrl_word &c, unsigned &id, int &kind) {
        if (c.end) return false;
        id = c.id.to_uint();
        kind = 1;
        return true;
    }
};
template <>
struct sample_of<eecc::conf_word> {
    static bool get(const eecc::conf_word &c, unsigned &id, int &kind) {
        if (c.end) return false;
        id = c.id.to_uint();
        kind = 1;
        return true;
    }
};
}  // namespace timed
}  // namespace eecc

namespace hls {
template <>
class stream<eecc::word> : public eecc::timed::fifo<eecc::word> {
  public:
    stream() {}
    explicit stream(const char *name) : eecc::timed::fifo<eecc::word>(name) {}
};
template <>
class stream<eecc::ctrl_word> : public eecc::timed::fifo<eecc::ctrl_word> {
  public:
    stream() {}
    explicit stream(const char *name) : eecc::timed::fifo<eecc::ctrl_word>(name) {}
};
template <>
class stream<eecc::conf_word> : public eecc::timed::fifo<eecc::conf_word> {
  public:
    stream() {}
    explicit stream(const char *name) : eecc::timed::fifo<eecc::conf_word>(name) {}
};
}  // namespace hls
#endif

namespace eecc {

inline word make_word(sample_id_t id, data_t data) {
#pragma HLS INLINE
    word w;
    w.id = id;
    w.data = data;
    w.end = false;
    return w;
}

inline word end_word() {
#pragma HLS INLINE
    word w;
    w.id = END_ID;
    w.data = 0;
    w.end = true;
    return w;
}

inline ctrl_word make_ctrl(sample_id_t id, bool exit) {
#pragma HLS INLINE
    ctrl_word c;
    c.id = id;
    c.exit = exit;
    c.end = false;
    return c;
}

inline conf_word make_conf(sample_id_t id, acc_t s, unsigned index, bool exit) {
#pragma HLS INLINE
    conf_word c;
    c.id = id;
    c.s = s;
    c.index = index;
    c.exit = exit;
    c.end = false;
    return c;
}

inline conf_word end_conf() {
#pragma HLS INLINE
    conf_word c;
    c.id = END_ID;
    c.end = true;
    return c;
}

inline ctrl_word end_ctrl() {
#pragma HLS INLINE
    ctrl_word c;
    c.id = END_ID;
    c.exit = false;
    c.end = true;
    return c;
}

// ------------------------------------------------------------------ lane groups

// Reads one word from each of the N lanes; returns true when they are end tokens.
template <unsigned N>
bool read_group(hls::stream<word> in[N], word w[N]) {
#pragma HLS INLINE
    for (unsigned l = 0; l < N; l++) {
#pragma HLS UNROLL
        w[l] = in[l].read();
    }
    EECC_CHECK(w[0].end == w[N - 1].end, "end token missing on some lanes");
    return w[0].end;
}

// Writes the end token on each of the N lanes.
template <unsigned N>
void write_end(hls::stream<word> out[N]) {
#pragma HLS INLINE
    for (unsigned l = 0; l < N; l++) {
#pragma HLS UNROLL
        out[l].write(end_word());
    }
}

// ------------------------------------------------------------- fixed-point helpers

static const acc_t DATA_MAX = (acc_t(1) << (EECC_DATA_WIDTH - 1)) - 1;
static const acc_t DATA_MIN = -DATA_MAX - 1;

// Clips to the data range (AP_SAT).
inline data_t saturate(acc_t v) {
#pragma HLS INLINE
    if (v > DATA_MAX) return data_t(DATA_MAX);
    if (v < DATA_MIN) return data_t(DATA_MIN);
    return data_t(v);
}

// Clips to the range of a W-bit format (AP_SAT), W <= EECC_DATA_WIDTH.
template <unsigned W>
data_t saturate_to(acc_t v) {
#pragma HLS INLINE
    const acc_t hi = (acc_t(1) << (W - 1)) - 1;
    const acc_t lo = -hi - 1;
    if (v > hi) return data_t(hi);
    if (v < lo) return data_t(lo);
    return data_t(v);
}

// The most negative raw value of a W-bit format (max pooling's padding).
template <unsigned W>
data_t format_min() {
#pragma HLS INLINE
    return data_t(-(acc_t(1) << (W - 1)));
}

// A value with SHIFT more fraction bits than a W-bit result format, into it:
// (acc + 2^(SHIFT-1)) >> SHIFT (round half up) for SHIFT > 0, acc * 2^-SHIFT (exact) for
// SHIFT <= 0, then saturate to W bits.  The output stage of conv and linear (SHIFT =
// F_in + Fw - F_out) and ee.cast (SHIFT = F_in - F_out) (docs/numerics.md).
template <int SHIFT, unsigned W>
data_t requantize_to(acc_t acc) {
#pragma HLS INLINE
    if (SHIFT <= 0) return saturate_to<W>(acc * (acc_t(1) << (SHIFT <= 0 ? -SHIFT : 0)));
    const acc_t half = acc_t(1) << (SHIFT > 0 ? SHIFT - 1 : 0);
    return saturate_to<W>((acc + half) >> (SHIFT > 0 ? SHIFT : 0));
}

// (acc + 2^(FW-1)) >> FW with an arithmetic shift, then saturate: round half up.
template <unsigned FW>
data_t requantize(acc_t acc) {
#pragma HLS INLINE
    const acc_t half = FW == 0 ? acc_t(0) : acc_t(1) << (FW == 0 ? 0 : FW - 1);
    return saturate((acc + half) >> FW);
}

// Floor division for a positive divisor (C++ '/' truncates towards zero).
inline acc_t floor_div(acc_t a, acc_t b) {
#pragma HLS INLINE
    acc_t q = a / b;
    if (a % b != 0 && a < 0) q -= 1;
    return q;
}

// The mean of n values summing to s, round half up: floor_div(2s + n, 2n), saturated.
inline data_t round_mean(acc_t s, acc_t n) {
#pragma HLS INLINE
    return saturate(floor_div(2 * s + n, 2 * n));
}

// Exact product of an activation and a WW-bit weight, widened to the accumulator.
template <unsigned WW, class weight_t>
acc_t mul(data_t x, weight_t w) {
#pragma HLS INLINE
    ap_int<EECC_DATA_WIDTH + WW> p = x * ap_int<WW>(w);
    return p.to_int64();
}

// The same product with the activation taken at its layer's DW bits (DW <= EECC_DATA_WIDTH):
// a DW x WW multiplier.
template <unsigned DW, unsigned WW, class weight_t>
acc_t mul_at(data_t x, weight_t w) {
#pragma HLS INLINE
    ap_int<DW + WW> p = ap_int<DW>(x) * ap_int<WW>(w);
    return p.to_int64();
}

// Compile-time gcd / lcm (lane re-packing).
template <unsigned A, unsigned B>
struct gcd {
    static const unsigned value = gcd<B, A % B>::value;
};
template <unsigned A>
struct gcd<A, 0> {
    static const unsigned value = A;
};
template <unsigned A, unsigned B>
struct lcm {
    static const unsigned value = A / gcd<A, B>::value * B;
};

}  // namespace eecc

#endif  // EECC_COMMON_H
