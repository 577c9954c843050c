// eecc HLS library: the early-exit machinery (exit decision, condbuffer, exit merge).
#ifndef EECC_EXIT_H
#define EECC_EXIT_H

#include "eecc/common.h"

namespace eecc {

// ===================================================================== exit decision
//
// Per sample: one logits fmap (n_classes words on `coarse` lanes) in, one ctrl_word
// {id, exit} out (and, in the overload with `logits_out`, the logits unchanged).
// numerics.md, no divide: m = max q_i, e_i = exp_lut[min(m - q_i, D)], S = sum e_i,
// exit iff 2^32 > threshold_q * S.  `exp_lut` is the table of eecc.fixedpoint.exp_lut
// (D + 1 = 16 * 2^frac_bits + 1 entries), written out by the emitter as an integer table.
struct exit_config {
    static const unsigned n_classes = 10;
    static const unsigned coarse = 1;
    static const unsigned frac_bits = 8;  // fraction bits F of the logits
    static const unsigned long long threshold_q = 0;  // floor(threshold * 2^16 + 0.5)
};

template <class CFG>
struct exit_dims {
    static const unsigned lut_max = 16u << CFG::frac_bits;  // D
    static const unsigned lut_size = lut_max + 1;
};

// The decision is a DATAFLOW of two flat II=1 pipelines, each one logit group per cycle:
//   exit_max  forwards the logits and, after the last group, their maximum m;
//   exit_sum  S = sum of exp_lut[min(m - q_i, D)] as the logits pass again, then the token.
// A logits vector waits in the FIFO between them while its maximum is found, so the two
// overlap across samples: n_classes / coarse cycles per sample.
template <class CFG>
void exit_max(hls::stream<word> in[CFG::coarse], hls::stream<word> logits[CFG::coarse],
              hls::stream<word> &maxes) {
    const unsigned G = CFG::n_classes / CFG::coarse;
    unsigned g = 0;
    data_t m = 0;
    word w[CFG::coarse];
EECC_LABEL(exit_max_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (read_group<CFG::coarse>(in, w)) break;
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            logits[l].write(w[l]);
            if ((g == 0 && l == 0) || w[l].data > m) m = w[l].data;
        }
        if (g + 1 == G) maxes.write(make_word(w[0].id, m));
        g = g + 1 < G ? g + 1 : 0;
    }
    write_end<CFG::coarse>(logits);
    maxes.write(end_word());
}

template <class CFG, bool FORWARD>
void exit_sum(hls::stream<word> logits[CFG::coarse], hls::stream<word> &maxes,
              hls::stream<ctrl_word> &ctrl, const unsigned exp_lut[exit_dims<CFG>::lut_size],
              hls::stream<word> fwd[CFG::coarse]) {
    const unsigned G = CFG::n_classes / CFG::coarse;
    const acc_t D = exit_dims<CFG>::lut_max;
    unsigned g = 0;
    acc_t m = 0, s = 0;
    word w[CFG::coarse];
EECC_LABEL(exit_sum_loop)
    EECC_PIPELINED(1, 4)  // subtract, table read (2), add
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (g == 0) {
            const word mw = maxes.read();
            if (mw.end) break;
            m = mw.data.to_int64();
        }
        read_group<CFG::coarse>(logits, w);
        acc_t part = 0;
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            const acc_t d = m - w[l].data.to_int64();
            part += exp_lut[d < D ? d : D];
            if (FORWARD) fwd[l].write(w[l]);
        }
        s = (g == 0 ? acc_t(0) : s) + part;
        if (g + 1 == G) ctrl.write(make_ctrl(w[0].id, acc_t(CFG::threshold_q) * s < (acc_t(1) << 32)));
        g = g + 1 < G ? g + 1 : 0;
    }
    EECC_CHECK(read_group<CFG::coarse>(logits, w), "exit decision: logits after the last maximum");
    ctrl.write(end_ctrl());
    if (FORWARD) write_end<CFG::coarse>(fwd);
}

template <class CFG, bool FORWARD>
void exit_decision_impl(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                        const unsigned exp_lut[exit_dims<CFG>::lut_size],
                        hls::stream<word> logits_out[CFG::coarse]) {
#pragma HLS DATAFLOW
    hls::stream<word> logits[CFG::coarse];
#pragma HLS STREAM variable=logits depth=CFG::n_classes/CFG::coarse+2
    EECC_LOCAL_STREAM(logits, CFG::n_classes / CFG::coarse + 2);
    hls::stream<word> maxes;
#pragma HLS STREAM variable=maxes depth=2
    EECC_LOCAL_STREAM(maxes, 2);
    EECC_DATAFLOW_BEGIN();
    EECC_SUBPROCESS("max", exit_max<CFG>(in, logits, maxes));
    EECC_SUBPROCESS("sum", (exit_sum<CFG, FORWARD>(logits, maxes, ctrl, exp_lut, logits_out)));
    EECC_DATAFLOW_END();
}

// Decision only: logits in, control tokens out.
template <class CFG>
void exit_decision(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                   const unsigned exp_lut[exit_dims<CFG>::lut_size]) {
    hls::stream<word> unused[CFG::coarse];
    exit_decision_impl<CFG, false>(in, ctrl, exp_lut, unused);
}

// Decision that also passes the logits on (saves a split before a pass-on-exit condbuffer).
template <class CFG>
void exit_decision(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                   const unsigned exp_lut[exit_dims<CFG>::lut_size],
                   hls::stream<word> logits_out[CFG::coarse]) {
    exit_decision_impl<CFG, true>(in, ctrl, exp_lut, logits_out);
}

// Control fork: each decision token (and the end token) to each of N consumers, e.g. the
// pass-on-exit and the drop-on-exit condbuffer of one exit.
template <unsigned N>
void ctrl_split(hls::stream<ctrl_word> &in, hls::stream<ctrl_word> out[N]) {
EECC_LABEL(ctrl_split_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const ctrl_word c = in.read();
        for (unsigned o = 0; o < N; o++) {
#pragma HLS UNROLL
            out[o].write(c);
        }
        if (c.end) break;
    }
}

// ======================================================================= condbuffer
//
// Per sample: one fmap in and one ctrl_word in (matching IDs, same order); the fmap out or
// nothing.  mode PASS_ON_EXIT keeps the fmap when the sample exits (the exit branch's
// logits), DROP_ON_EXIT keeps it when the sample does not exit (the backbone fmap).
// The queue the throughput model assumes, one flat II=1 pipeline around a ring of `depth`
// whole fmaps per lane (a dual-port BRAM: one port stores, the other emits):
//   store  whenever a word group is there and the ring has room, one word per lane per
//          cycle (a map takes a slot with its first word);
//   serve  when a stored map's decision is there: a dropped map frees its slot in that
//          cycle; a kept map leaves at one word per lane per cycle, while the output has room.
// Storing and serving overlap in every cycle.  H * W * C / coarse cycles per fmap stored.
// End: after the input's end token, once every stored map is served, it consumes the
// control end token and writes the end token.
enum condbuffer_mode { PASS_ON_EXIT = 0, DROP_ON_EXIT = 1 };

struct condbuffer_config {
    static const unsigned height = 1;
    static const unsigned width = 1;
    static const unsigned channels = 1;
    static const unsigned coarse = 1;
    static const unsigned depth = 16;  // fmaps
    static const condbuffer_mode mode = DROP_ON_EXIT;
    static const unsigned data_width = EECC_DATA_WIDTH;  // the format's W: ring cells
};

template <class CFG>
struct condbuffer_dims {
    static const unsigned words = CFG::height * CFG::width * CFG::channels / CFG::coarse;
    static const unsigned ring_words = CFG::depth * words;
};

template <class CFG>
void condbuffer(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                hls::stream<word> out[CFG::coarse]) {
    typedef condbuffer_dims<CFG> D;
    const unsigned C = CFG::coarse;
    static ap_int<CFG::data_width> ring[CFG::coarse][D::ring_words];
#pragma HLS ARRAY_PARTITION variable=ring complete dim=1
#pragma HLS DEPENDENCE variable=ring inter false
    sample_id_t ids[CFG::depth];
    unsigned waddr = 0, raddr = 0, wslot = 0, rslot = 0, wi = 0, ri = 0;
    unsigned used = 0, stored = 0;  // slots taken, maps complete
    bool in_done = false, forwarding = false;
    word w[CFG::coarse];
EECC_LABEL(cb_loop)
    EECC_PIPELINED(1, 2)
    while (!in_done || used > 0) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        bool active = false, took = false;
        const bool room = wi > 0 || used < CFG::depth;
        if (!in_done && room && !in[0].empty()) {
            active = took = true;
            if (read_group<C>(in, w)) {
                EECC_CHECK(wi == 0, "condbuffer: end token inside an fmap");
                in_done = true;
            } else {
                if (wi == 0) {
                    ids[wslot] = w[0].id;
                    used++;
                }
                for (unsigned l = 0; l < C; l++) {
#pragma HLS UNROLL
                    ring[l][waddr] = w[l].data;
                }
                waddr = waddr + 1 < D::ring_words ? waddr + 1 : 0;
                if (++wi == D::words) {
                    wi = 0;
                    wslot = wslot + 1 < CFG::depth ? wslot + 1 : 0;
                    stored++;
                }
            }
        }
        if (!forwarding && stored > 0 && !ctrl.empty()) {
            active = true;
            const ctrl_word c = ctrl.read();
            EECC_CHECK(!c.end && c.id == ids[rslot], "condbuffer: decision does not match fmap");
            if (CFG::mode == PASS_ON_EXIT ? c.exit : !c.exit) {
                forwarding = true;
                ri = 0;
            } else {  // dropped: the slot is free again
                raddr = raddr + D::words < D::ring_words ? raddr + D::words : 0;
                rslot = rslot + 1 < CFG::depth ? rslot + 1 : 0;
                stored--;
                used--;
            }
        } else if (forwarding) {
            bool space = true;
            for (unsigned l = 0; l < C; l++) {
#pragma HLS UNROLL
                if (out[l].full()) space = false;
            }
            if (space) {
                active = true;
                for (unsigned l = 0; l < C; l++) {
#pragma HLS UNROLL
                    out[l].write(make_word(ids[rslot], ring[l][raddr]));
                }
                raddr = raddr + 1 < D::ring_words ? raddr + 1 : 0;
                if (++ri == D::words) {
                    forwarding = false;
                    rslot = rslot + 1 < CFG::depth ? rslot + 1 : 0;
                    stored--;
                    used--;
                }
            }
        }
        EECC_PEAK(used);
        // the store side is the queue's rate: a cycle it could not store is starved (no
        // word) or blocked (ring full)
        if (!in_done && !room) {
            EECC_STALLED(1);
        } else if (!in_done && !took) {
            EECC_IDLE(1);
        }
#ifndef EECC_TIMED
        EECC_CHECK(active || in_done, "condbuffer: no fmap or decision left before the end token");
#endif
        (void)active;
    }
    const ctrl_word last = ctrl.read();
    EECC_CHECK(last.end, "condbuffer: more decisions than fmaps");
    write_end<CFG::coarse>(out);
}

// ======================================================================= exit merge
//
// N result streams in (each `coarse` lanes, fmaps of `words` words in total), one out.
// Whole fmaps are moved in completion order (the first input found holding a word), sample
// IDs kept.  The batch ends when every input delivered its end token; then one end token
// goes out.  The overload with `exit_index` also writes, per sample, a word
// {id, index of the input it came from} (then an end token): the exit each sample took.
struct exit_merge_config {
    static const unsigned n_inputs = 2;
    static const unsigned words = 10;  // words of one result fmap (all lanes)
    static const unsigned coarse = 1;
};

// One flat II=1 pipeline: while no fmap is being moved it polls every input (the first
// that holds a word wins) and starts moving that fmap in the same cycle; a moved fmap goes
// out at one word group per cycle: words / coarse cycles per sample.
template <class CFG, bool INDEX>
void exit_merge_impl(hls::stream<word> in[CFG::n_inputs][CFG::coarse],
                     hls::stream<word> out[CFG::coarse], hls::stream<word> &exit_index) {
    const unsigned N = CFG::n_inputs, WORDS = CFG::words / CFG::coarse;
    bool ended[CFG::n_inputs];
#pragma HLS ARRAY_PARTITION variable=ended complete
    for (unsigned k = 0; k < N; k++) ended[k] = false;
    unsigned n_ended = 0, cur = 0, i = 0;
    bool moving = false;
    word w[CFG::coarse];
EECC_LABEL(merge_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (!moving) {
            bool found = false;
            for (unsigned k = 0; k < N; k++) {
#pragma HLS UNROLL
                if (!found && !ended[k] && !in[k][0].empty()) {
                    found = true;
                    cur = k;
                }
            }
            if (!found) {
                EECC_IDLE(1);
#ifndef EECC_TIMED
                // In C simulation every producer has finished: no word means a lost end token.
                EECC_CHECK(false, "exit_merge: inputs empty before their end tokens");
#endif
                continue;
            }
            moving = true;
            i = 0;
        }
        const bool end = read_group<CFG::coarse>(in[cur], w);
        if (end) {
            ended[cur] = true;
            moving = false;
            if (++n_ended == N) break;
            continue;
        }
        if (INDEX && i == 0) exit_index.write(make_word(w[0].id, data_t(cur)));
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            out[l].write(w[l]);
        }
        if (++i == WORDS) moving = false;
    }
    write_end<CFG::coarse>(out);
    if (INDEX) exit_index.write(end_word());
}

template <class CFG>
void exit_merge(hls::stream<word> in[CFG::n_inputs][CFG::coarse],
                hls::stream<word> out[CFG::coarse]) {
    hls::stream<word> unused;
    exit_merge_impl<CFG, false>(in, out, unused);
}

template <class CFG>
void exit_merge(hls::stream<word> in[CFG::n_inputs][CFG::coarse],
                hls::stream<word> out[CFG::coarse], hls::stream<word> &exit_index) {
    exit_merge_impl<CFG, true>(in, out, exit_index);
}

}  // namespace eecc

#endif  // EECC_EXIT_H
