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

// CTRL: write the control token; CONF: write the confidence token {id, S, exit} (for the
// most-confident policy's carry); FORWARD: pass the logits on.
template <class CFG, bool FORWARD, bool CTRL = true, bool CONF = false>
void exit_sum(hls::stream<word> logits[CFG::coarse], hls::stream<word> &maxes,
              hls::stream<ctrl_word> &ctrl, const unsigned exp_lut[exit_dims<CFG>::lut_size],
              hls::stream<word> fwd[CFG::coarse], hls::stream<conf_word> &conf) {
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
        if (g + 1 == G) {
            const bool leave = acc_t(CFG::threshold_q) * s < (acc_t(1) << 32);
            if (CTRL) ctrl.write(make_ctrl(w[0].id, leave));
            if (CONF) conf.write(make_conf(w[0].id, s, 0, leave));
        }
        g = g + 1 < G ? g + 1 : 0;
    }
    EECC_CHECK(read_group<CFG::coarse>(logits, w), "exit decision: logits after the last maximum");
    if (CTRL) ctrl.write(end_ctrl());
    if (CONF) conf.write(end_conf());
    if (FORWARD) write_end<CFG::coarse>(fwd);
}

template <class CFG, bool FORWARD, bool CONF = false>
void exit_decision_impl(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                        const unsigned exp_lut[exit_dims<CFG>::lut_size],
                        hls::stream<word> logits_out[CFG::coarse], hls::stream<conf_word> &conf) {
#pragma HLS DATAFLOW
    hls::stream<word> logits[CFG::coarse];
#pragma HLS STREAM variable=logits depth=CFG::n_classes/CFG::coarse+2
    EECC_LOCAL_STREAM(logits, CFG::n_classes / CFG::coarse + 2);
    hls::stream<word> maxes;
#pragma HLS STREAM variable=maxes depth=2
    EECC_LOCAL_STREAM(maxes, 2);
    EECC_DATAFLOW_BEGIN();
    EECC_SUBPROCESS("max", exit_max<CFG>(in, logits, maxes));
    EECC_SUBPROCESS("sum", (exit_sum<CFG, FORWARD, true, CONF>(logits, maxes, ctrl, exp_lut,
                                                            logits_out, conf)));
    EECC_DATAFLOW_END();
}

// Decision only: logits in, control tokens out.
template <class CFG>
void exit_decision(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                   const unsigned exp_lut[exit_dims<CFG>::lut_size]) {
    hls::stream<word> unused[CFG::coarse];
    hls::stream<conf_word> no_conf;
    exit_decision_impl<CFG, false>(in, ctrl, exp_lut, unused, no_conf);
}

// Decision that also passes the logits on (saves a split before a pass-on-exit condbuffer).
template <class CFG>
void exit_decision(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                   const unsigned exp_lut[exit_dims<CFG>::lut_size],
                   hls::stream<word> logits_out[CFG::coarse]) {
    hls::stream<conf_word> no_conf;
    exit_decision_impl<CFG, true>(in, ctrl, exp_lut, logits_out, no_conf);
}

// Decision that also writes each sample's confidence token {id, S, exit} (most-confident
// policy: the head's carry unit reads it).
template <class CFG>
void exit_decision(hls::stream<word> in[CFG::coarse], hls::stream<ctrl_word> &ctrl,
                   const unsigned exp_lut[exit_dims<CFG>::lut_size],
                   hls::stream<conf_word> &conf) {
    hls::stream<word> unused[CFG::coarse];
    exit_decision_impl<CFG, false, true>(in, ctrl, exp_lut, unused, conf);
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

// ======================================================== most-confident: the carry chain
//
// HAPI's policy: a sample that no early exit is confident about is answered by its most
// confident head (the smallest decision sum S; the first of equals).  The best result so
// far travels with the sample along the backbone: exit i's carry unit (in the place of its
// pass-on-exit condbuffer) reads the head's logits, the head's confidence token and, from
// exit i-1, the carry {logits, S, head} of every sample that reached exit i; a sample that
// exits leaves with its own logits (merge input i), a continuing one hands the better of
// its own and the carried result to exit i+1.  The final unit (`exit_final`) computes the
// final classifier's S and answers with the better of it and the last carry, writing which
// head answered beside it.  The carry streams are in sample order (the backbone's), so no
// sample ID is ever looked up; each is as deep as the samples that can be between two
// decisions (passes/_fifo_depths.py).
struct carry_config {
    static const unsigned n_classes = 10;
    static const unsigned coarse = 1;
    static const unsigned index = 0;  // this head: 0 = the first early exit
};

// One flat II=1 pipeline, one logit group per cycle: at a sample's first group it takes the
// confidence token (and the carried one), then moves the G groups.  A logits vector waits
// in the input FIFO while the decision finds S, so n_classes / coarse cycles per sample.
// PREV: there is an earlier exit's carry; FINAL: the final classifier's unit (`out` gets
// the answer of every sample, `next_conf` which head answered it).
template <class CFG, bool PREV, bool FINAL>
void exit_carry(hls::stream<word> in[CFG::coarse], hls::stream<conf_word> &conf,
                hls::stream<word> prev[CFG::coarse], hls::stream<conf_word> &prev_conf,
                hls::stream<word> out[CFG::coarse], hls::stream<word> next[CFG::coarse],
                hls::stream<conf_word> &next_conf) {
    const unsigned G = CFG::n_classes / CFG::coarse;
    unsigned g = 0;
    bool own = true, leave = false;
    conf_word c, best;
    word w[CFG::coarse], v[CFG::coarse];
EECC_LABEL(carry_loop)
    EECC_PIPELINED(1, 2)
    while (true) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        if (g == 0) {
            c = conf.read();
            if (c.end) break;
            leave = !FINAL && c.exit;
            best = make_conf(c.id, c.s, CFG::index, false);
            own = true;
            if (PREV) {
                const conf_word p = prev_conf.read();
                EECC_CHECK(!p.end && p.id == c.id, "exit carry: carried result of another sample");
                own = c.s < p.s;  // strictly more confident: the earlier head wins ties
                if (!own) best = p;
            }
        }
        read_group<CFG::coarse>(in, w);
        if (PREV) read_group<CFG::coarse>(prev, v);
        for (unsigned l = 0; l < CFG::coarse; l++) {
#pragma HLS UNROLL
            const word chosen = PREV && !own ? make_word(c.id, v[l].data) : w[l];
            if (leave) {
                out[l].write(w[l]);
            } else if (FINAL) {
                out[l].write(chosen);
            } else {
                next[l].write(chosen);
            }
        }
        if (g == 0 && !leave) next_conf.write(best);  // with the first group: the merge
        g = g + 1 < G ? g + 1 : 0;                     // reports the exit before the words
    }
    EECC_CHECK(read_group<CFG::coarse>(in, w), "exit carry: logits after the last confidence");
    if (PREV) {
        EECC_CHECK(read_group<CFG::coarse>(prev, v), "exit carry: carried logits left over");
        EECC_CHECK(prev_conf.read().end, "exit carry: carried results left over");
    }
    write_end<CFG::coarse>(out);
    if (!FINAL) write_end<CFG::coarse>(next);
    next_conf.write(end_conf());
}

// Exit i's carry unit: `in` the head's logits, `conf` its decision's confidence tokens.
template <class CFG>
void exit_carry_first(hls::stream<word> in[CFG::coarse], hls::stream<conf_word> &conf,
                      hls::stream<word> out[CFG::coarse], hls::stream<word> next[CFG::coarse],
                      hls::stream<conf_word> &next_conf) {
    hls::stream<word> no_prev[CFG::coarse];
    hls::stream<conf_word> no_prev_conf;
    exit_carry<CFG, false, false>(in, conf, no_prev, no_prev_conf, out, next, next_conf);
}

template <class CFG>
void exit_carry_next(hls::stream<word> in[CFG::coarse], hls::stream<conf_word> &conf,
                     hls::stream<word> prev[CFG::coarse], hls::stream<conf_word> &prev_conf,
                     hls::stream<word> out[CFG::coarse], hls::stream<word> next[CFG::coarse],
                     hls::stream<conf_word> &next_conf) {
    exit_carry<CFG, true, false>(in, conf, prev, prev_conf, out, next, next_conf);
}

// The final classifier's unit: its S (exit_max, exit_sum as in a decision, the logits
// passed on), then the better of it and the last carry.  `index` gets, per sample, the
// confidence token of the answer (its `index` is the head that answered), then an end.
template <class CFG>
void exit_final(hls::stream<word> in[CFG::coarse], hls::stream<word> prev[CFG::coarse],
                hls::stream<conf_word> &prev_conf, hls::stream<word> out[CFG::coarse],
                hls::stream<conf_word> &index, const unsigned exp_lut[exit_dims<CFG>::lut_size]) {
#pragma HLS DATAFLOW
    hls::stream<word> logits[CFG::coarse];
#pragma HLS STREAM variable=logits depth=CFG::n_classes/CFG::coarse+2
    EECC_LOCAL_STREAM(logits, CFG::n_classes / CFG::coarse + 2);
    hls::stream<word> maxes;
#pragma HLS STREAM variable=maxes depth=2
    EECC_LOCAL_STREAM(maxes, 2);
    hls::stream<word> own[CFG::coarse];  // a whole vector waits here while S is summed
#pragma HLS STREAM variable=own depth=2*CFG::n_classes/CFG::coarse+2
    EECC_LOCAL_STREAM(own, 2 * CFG::n_classes / CFG::coarse + 2);
    hls::stream<conf_word> conf;
#pragma HLS STREAM variable=conf depth=2
    EECC_LOCAL_STREAM(conf, 2);
    hls::stream<ctrl_word> no_ctrl;
    hls::stream<word> no_next[CFG::coarse];
    EECC_DATAFLOW_BEGIN();
    EECC_SUBPROCESS("max", exit_max<CFG>(in, logits, maxes));
    EECC_SUBPROCESS("sum", (exit_sum<CFG, true, false, true>(logits, maxes, no_ctrl, exp_lut,
                                                             own, conf)));
    EECC_SUBPROCESS("carry", (exit_carry<CFG, true, true>(own, conf, prev, prev_conf, out,
                                                          no_next, index)));
    EECC_DATAFLOW_END();
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
// MOST (most-confident policy): the last input is `exit_final`'s, and the exit of each of
// its samples is the head named by its token on `final_index` (written with its first word).
template <class CFG, bool INDEX, bool MOST = false>
void exit_merge_impl(hls::stream<word> in[CFG::n_inputs][CFG::coarse],
                     hls::stream<word> out[CFG::coarse], hls::stream<word> &exit_index,
                     hls::stream<conf_word> &final_index) {
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
            if (MOST && cur == N - 1) {
                EECC_CHECK(final_index.read().end, "exit_merge: answering heads left over");
            }
            if (++n_ended == N) break;
            continue;
        }
        if (INDEX && i == 0) {
            unsigned head = cur;
            if (MOST && cur == N - 1) {
                const conf_word c = final_index.read();
                EECC_CHECK(!c.end && c.id == w[0].id, "exit_merge: answering head of another sample");
                head = c.index.to_uint();
            }
            exit_index.write(make_word(w[0].id, data_t(head)));
        }
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
    hls::stream<conf_word> no_index;
    exit_merge_impl<CFG, false>(in, out, unused, no_index);
}

template <class CFG>
void exit_merge(hls::stream<word> in[CFG::n_inputs][CFG::coarse],
                hls::stream<word> out[CFG::coarse], hls::stream<word> &exit_index) {
    hls::stream<conf_word> no_index;
    exit_merge_impl<CFG, true>(in, out, exit_index, no_index);
}

// The merge of the most-confident policy (the last input comes from `exit_final`).
template <class CFG>
void exit_merge(hls::stream<word> in[CFG::n_inputs][CFG::coarse],
                hls::stream<word> out[CFG::coarse], hls::stream<word> &exit_index,
                hls::stream<conf_word> &final_index) {
    exit_merge_impl<CFG, true, true>(in, out, exit_index, final_index);
}

}  // namespace eecc

#endif  // EECC_EXIT_H
