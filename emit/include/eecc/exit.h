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

// The decision for one logits vector.
template <class CFG>
bool exits(const data_t q[CFG::n_classes], const unsigned exp_lut[exit_dims<CFG>::lut_size]) {
#pragma HLS INLINE
    data_t m = q[0];
EECC_LABEL(exit_max)
    EECC_PIPELINED(1, 2)
    for (unsigned i = 1; i < CFG::n_classes; i++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (q[i] > m) m = q[i];
    }
    acc_t s = 0;
EECC_LABEL(exit_sum)
    EECC_PIPELINED(1, 4)  // subtract, table read (2), add
    for (unsigned i = 0; i < CFG::n_classes; i++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const acc_t d = m.to_int64() - q[i].to_int64();
        s += exp_lut[d < acc_t(exit_dims<CFG>::lut_max) ? d : acc_t(exit_dims<CFG>::lut_max)];
    }
    EECC_STEP(1);
    return acc_t(CFG::threshold_q) * s < (acc_t(1) << 32);
}

// Reads a logits vector whose first group is `w`; copies it to `fwd` when FORWARD.
template <class CFG, bool FORWARD>
void read_logits(hls::stream<word> in[CFG::coarse], word w[CFG::coarse],
                 data_t q[CFG::n_classes], hls::stream<word> fwd[CFG::coarse]) {
#pragma HLS INLINE
EECC_LABEL(exit_read)
    EECC_PIPELINED(1, 2)
    for (unsigned g = 0; g < CFG::n_classes / CFG::coarse; g++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (g > 0) read_group<CFG::coarse>(in, w);
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            q[g * CFG::coarse + l] = w[l].data;
            if (FORWARD) fwd[l].write(w[l]);
        }
    }
}

template <class CFG, bool FORWARD>
void exit_decision_impl(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                        const unsigned exp_lut[exit_dims<CFG>::lut_size],
                        hls::stream<word> logits_out[CFG::coarse]) {
    data_t q[CFG::n_classes];
    word w[CFG::coarse];
EECC_LABEL(exit_fmaps)
    while (!read_group<CFG::coarse>(in, w)) {
        EECC_STEP(1);
        const sample_id_t id = w[0].id;
        read_logits<CFG, FORWARD>(in, w, q, logits_out);
        ctrl.write(make_ctrl(id, exits<CFG>(q, exp_lut)));
        EECC_STEP(1);
    }
    ctrl.write(end_ctrl());
    if (FORWARD) write_end<CFG::coarse>(logits_out);
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
// Holds up to `depth` whole fmaps (a ring); a decided fmap is forwarded word by word or
// dropped in one step.  Schedule: serve a decision whenever one is waiting and an fmap is
// buffered, else accept the next fmap while there is room, else wait for a decision; so the
// control FIFO never needs more than one token of slack.  End: after the input's end token
// and the last decision, it consumes the control end token and writes the end token.
enum condbuffer_mode { PASS_ON_EXIT = 0, DROP_ON_EXIT = 1 };

struct condbuffer_config {
    static const unsigned height = 1;
    static const unsigned width = 1;
    static const unsigned channels = 1;
    static const unsigned coarse = 1;
    static const unsigned depth = 2;  // fmaps
    static const condbuffer_mode mode = DROP_ON_EXIT;
};

template <class CFG>
struct condbuffer_dims {
    static const unsigned words = CFG::height * CFG::width * CFG::channels / CFG::coarse;
};

// Stores the fmap whose first group is `w` into ring slot `slot`.
template <class CFG>
void condbuffer_store(hls::stream<word> in[CFG::coarse], word w[CFG::coarse],
                      data_t buf[CFG::coarse][CFG::depth * condbuffer_dims<CFG>::words],
                      unsigned slot) {
#pragma HLS INLINE
EECC_LABEL(cb_store)
    EECC_PIPELINED(1, 2)
    for (unsigned i = 0; i < condbuffer_dims<CFG>::words; i++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (i > 0) read_group<CFG::coarse>(in, w);
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            buf[l][slot * condbuffer_dims<CFG>::words + i] = w[l].data;
        }
    }
}

// Writes ring slot `slot` out as sample `id`.
template <class CFG>
void condbuffer_emit(const data_t buf[CFG::coarse][CFG::depth * condbuffer_dims<CFG>::words],
                     unsigned slot, sample_id_t id, hls::stream<word> out[CFG::coarse]) {
#pragma HLS INLINE
EECC_LABEL(cb_emit)
    EECC_PIPELINED(1, 2)
    for (unsigned i = 0; i < condbuffer_dims<CFG>::words; i++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            out[l].write(make_word(id, buf[l][slot * condbuffer_dims<CFG>::words + i]));
        }
    }
}

template <class CFG>
void condbuffer(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                hls::stream<word> out[CFG::coarse]) {
    static data_t buf[CFG::coarse][CFG::depth * condbuffer_dims<CFG>::words];
#pragma HLS ARRAY_PARTITION variable=buf complete dim=1
    sample_id_t ids[CFG::depth];
    unsigned head = 0, count = 0;
    bool in_done = false;
    word w[CFG::coarse];
EECC_LABEL(cb_loop)
    while (!in_done || count > 0) {
        EECC_STEP(1);
        if (count > 0 && (in_done || count == CFG::depth || !ctrl.empty())) {
            const ctrl_word c = ctrl.read();
            EECC_STEP(1);
            EECC_CHECK(!c.end && c.id == ids[head], "condbuffer: decision does not match fmap");
            const bool keep = CFG::mode == PASS_ON_EXIT ? c.exit : !c.exit;
            if (keep) condbuffer_emit<CFG>(buf, head, ids[head], out);
            head = (head + 1) % CFG::depth;
            count--;
        } else if (read_group<CFG::coarse>(in, w)) {
            in_done = true;
        } else {
            const unsigned slot = (head + count) % CFG::depth;
            ids[slot] = w[0].id;
            condbuffer_store<CFG>(in, w, buf, slot);
            count++;
            EECC_PEAK(count);
        }
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

// Moves the fmap of input `i` whose first group is `w` to the output.
template <class CFG>
void merge_move(hls::stream<word> in[CFG::coarse], word w[CFG::coarse],
                hls::stream<word> out[CFG::coarse]) {
#pragma HLS INLINE
EECC_LABEL(merge_move_loop)
    EECC_PIPELINED(1, 2)
    for (unsigned g = 0; g < CFG::words / CFG::coarse; g++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (g > 0) read_group<CFG::coarse>(in, w);
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            out[l].write(w[l]);
        }
    }
}

template <class CFG, bool INDEX>
void exit_merge_impl(hls::stream<word> in[CFG::n_inputs][CFG::coarse],
                     hls::stream<word> out[CFG::coarse], hls::stream<word> &exit_index) {
    bool ended[CFG::n_inputs];
#pragma HLS ARRAY_PARTITION variable=ended complete
    for (unsigned i = 0; i < CFG::n_inputs; i++) ended[i] = false;
    unsigned n_ended = 0;
    word w[CFG::coarse];
EECC_LABEL(merge_loop)
    while (n_ended < CFG::n_inputs) {
        EECC_MARK(round_start);
        EECC_STEP(1);
        bool moved = false;
        for (unsigned i = 0; i < CFG::n_inputs; i++) {
            EECC_STEP(1);
            if (ended[i] || in[i][0].empty()) continue;
            moved = true;
            if (read_group<CFG::coarse>(in[i], w)) {
                ended[i] = true;
                n_ended++;
                continue;
            }
            if (INDEX) exit_index.write(make_word(w[0].id, data_t(i)));
            merge_move<CFG>(in[i], w, out);
        }
#ifndef EECC_TIMED
        // In C simulation every producer has finished: no word anywhere means a lost end token.
        EECC_CHECK(moved, "exit_merge: inputs empty before their end tokens");
#else
        if (!moved) EECC_IDLE_SINCE(round_start);
#endif
        (void)moved;
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
