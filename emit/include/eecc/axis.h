// eecc HLS library: AXI-Stream words, per-layer IP wrappers and the DMA packer/unpacker.
//
// axis_word mirrors ap_axiu<32, 0, 0, 0> (fields data, keep, last), so `#pragma HLS
// INTERFACE axis` maps them to TDATA, TKEEP and TLAST.
//   data word:  TDATA[31:16] = sample ID, TDATA[15:0] = raw data bits, TLAST = 0
//   end token:  TDATA = 0xFFFF0000, TLAST = 1 (an extra beat after the batch)
// The end token is its own beat, so a DMA transfer of a batch ends at TLAST even when the
// last samples were dropped upstream.  Data wider than 16 bits is not representable here.
//
// Per-layer IP pattern (one AXI-Stream interface per lane; the emitter writes this):
//
//   void ee_relu_16x16x4_top(hls::stream<eecc::axis_word> in[2],
//                            hls::stream<eecc::axis_word> out[2]) {
//   #pragma HLS INTERFACE axis port=in
//   #pragma HLS INTERFACE axis port=out
//   #pragma HLS INTERFACE ap_ctrl_none port=return
//   #pragma HLS DATAFLOW
//       hls::stream<eecc::word> a[2], b[2];
//       eecc::from_axis<2>(in, a);
//       eecc::relu<ee_relu_16x16x4_cfg>(a, b);
//       eecc::to_axis<2>(b, out);
//   }
//
// DMA side: one 32-bit AXI-Stream carries the fmaps in stream order (H, W, C); beat k of a
// sample goes to lane k % LANES (= channel c % LANES when LANES divides C).
#ifndef EECC_AXIS_H
#define EECC_AXIS_H

#include "eecc/common.h"

namespace eecc {

struct axis_word {
    ap_uint<32> data;
    ap_uint<4> keep;
    ap_uint<1> last;
    axis_word() : data(0), keep(0), last(0) {}
};

}  // namespace eecc

#ifdef EECC_TIMED
namespace eecc {
namespace timed {
template <>
struct sample_of<eecc::axis_word> {
    static bool get(const eecc::axis_word &a, unsigned &id, int &kind) {
        if (a.last) return false;
        id = a.data.range(31, 16).to_uint();
        kind = 0;
        return true;
    }
};
}  // namespace timed
}  // namespace eecc

namespace hls {
template <>
class stream<eecc::axis_word> : public eecc::timed::fifo<eecc::axis_word> {
  public:
    stream() {}
    explicit stream(const char *name) : eecc::timed::fifo<eecc::axis_word>(name) {}
};
}  // namespace hls
#endif

namespace eecc {

inline axis_word pack_axis(const word &w) {
#pragma HLS INLINE
    axis_word a;
    a.data = (ap_uint<32>(w.id) << 16) | ap_uint<32>(ap_uint<16>(w.data));
    a.keep = 0xF;
    a.last = w.end ? 1 : 0;
    return a;
}

inline word unpack_axis(const axis_word &a) {
#pragma HLS INLINE
    if (a.last) return end_word();
    word w;
    w.id = a.data.range(31, 16);
    w.data = ap_int<16>(a.data.range(15, 0));  // reinterpret the raw bits (two's complement)
    w.end = false;
    return w;
}

// One AXI-Stream per lane -> library streams, up to and including the end token.
template <unsigned LANES>
void from_axis(hls::stream<axis_word> in[LANES], hls::stream<word> out[LANES]) {
    word w[LANES];
EECC_LABEL(from_axis_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        for (unsigned l = 0; l < LANES; l++) {
#pragma HLS UNROLL
            w[l] = unpack_axis(in[l].read());
            out[l].write(w[l]);
        }
        if (w[0].end) break;
    }
}

// Library streams -> one AXI-Stream per lane, up to and including the end token.
template <unsigned LANES>
void to_axis(hls::stream<word> in[LANES], hls::stream<axis_word> out[LANES]) {
    word w[LANES];
EECC_LABEL(to_axis_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const bool end = read_group<LANES>(in, w);
        for (unsigned l = 0; l < LANES; l++) {
#pragma HLS UNROLL
            out[l].write(pack_axis(w[l]));
        }
        if (end) break;
    }
}

// DMA unpacker: one 32-bit stream -> LANES lanes (beat k on lane k % LANES); the TLAST beat
// becomes an end token on every lane.  The batch's beat count must be a multiple of LANES.
template <unsigned LANES>
void dma_unpack(hls::stream<axis_word> &in, hls::stream<word> out[LANES]) {
    unsigned lane = 0;
EECC_LABEL(dma_unpack_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const word w = unpack_axis(in.read());
        if (w.end) break;
        out[lane].write(w);
        lane = lane + 1 == LANES ? 0 : lane + 1;
    }
    EECC_CHECK(lane == 0, "dma_unpack: batch ended in the middle of a lane group");
    write_end<LANES>(out);
}

// DMA packer: LANES lanes -> one 32-bit stream, lane by lane (one beat per cycle); the end
// tokens become one TLAST beat.
template <unsigned LANES>
void dma_pack(hls::stream<word> in[LANES], hls::stream<axis_word> &out) {
    word w[LANES];
#pragma HLS ARRAY_PARTITION variable=w complete
    unsigned lane = 0;
EECC_LABEL(dma_pack_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (lane == 0 && read_group<LANES>(in, w)) break;
        out.write(pack_axis(w[lane]));
        lane = lane + 1 == LANES ? 0 : lane + 1;
    }
    out.write(pack_axis(end_word()));
}

// Control tokens on AXI-Stream (the ports of per-layer exit-decision and condbuffer IPs):
// TDATA[31:16] = sample ID, TDATA[0] = exit, TLAST only on the end beat 0xFFFF0000.
inline axis_word pack_ctrl(const ctrl_word &c) {
#pragma HLS INLINE
    axis_word a;
    a.data = (ap_uint<32>(c.id) << 16) | ap_uint<32>(c.exit ? 1 : 0);
    a.keep = 0xF;
    a.last = c.end ? 1 : 0;
    return a;
}

inline ctrl_word unpack_ctrl(const axis_word &a) {
#pragma HLS INLINE
    if (a.last) return end_ctrl();
    return make_ctrl(a.data.range(31, 16), a.data[0] == 1);
}

// A control AXI-Stream -> a control stream, up to and including the end token.
inline void ctrl_from_axis(hls::stream<axis_word> &in, hls::stream<ctrl_word> &out) {
EECC_LABEL(ctrl_from_axis_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const ctrl_word c = unpack_ctrl(in.read());
        out.write(c);
        if (c.end) break;
    }
}

// A control stream -> a control AXI-Stream, up to and including the end token.
inline void ctrl_to_axis(hls::stream<ctrl_word> &in, hls::stream<axis_word> &out) {
EECC_LABEL(ctrl_to_axis_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const ctrl_word c = in.read();
        out.write(pack_ctrl(c));
        if (c.end) break;
    }
}

}  // namespace eecc

#endif  // EECC_AXIS_H
