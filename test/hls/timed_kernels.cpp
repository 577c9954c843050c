// Hand-written kernels under the timed C simulation: each loop pattern of docs/timed-csim.md
// measured on its own.  Prints one line per kernel: "<name> <cycles>" (the kernel process's
// finish cycle; it starts at cycle 0 and its input is written one word per cycle from 0).
#include "eecc/eecc.h"

#include <cstdio>

typedef hls::stream<eecc::word> word_stream;

static const unsigned N = 24;   // words per run
static const unsigned ROWS = 4, COLS = 6;  // N = ROWS * COLS

static void source(word_stream &s) {
    for (unsigned k = 0; k < N; k++) {
        s.write(eecc::make_word(0, eecc::data_t(k)));
        EECC_STEP(1);
    }
}

static void sink(word_stream &s, unsigned n) {
    for (unsigned k = 0; k < n; k++) s.read();
}

// A perfect nest (rows x cols, all work in the innermost body): one flattened pipeline.
static void perfect_nest(word_stream &in, word_stream &out) {
    EECC_PIPELINED(1, 3)
    for (unsigned r = 0; r < ROWS; r++) {
        for (unsigned c = 0; c < COLS; c++) {
#pragma HLS PIPELINE II=1
            EECC_ITER();
            out.write(in.read());
        }
    }
}

// An imperfect nest: a statement before and after the inner loop; the outer loop is
// sequential (one header state per iteration) and re-enters the inner pipeline each time.
static void imperfect_nest(word_stream &in, word_stream &out) {
    for (unsigned r = 0; r < ROWS; r++) {
        EECC_STEP(1);  // loop header
        eecc::acc_t acc = 0;
        EECC_STEP(1);  // acc = 0
        EECC_PIPELINED(1, 3)
        for (unsigned c = 0; c < COLS; c++) {
#pragma HLS PIPELINE II=1
            EECC_ITER();
            acc += in.read().data.to_int64();
        }
        out.write(eecc::make_word(0, eecc::data_t(acc)));
        EECC_STEP(1);  // the write after the loop
    }
}

// Two sequential phases in one process: load all N words, then emit them.
static void two_phases(word_stream &in, word_stream &out) {
    eecc::data_t buf[N];
    EECC_PIPELINED(1, 2)
    for (unsigned k = 0; k < N; k++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        buf[k] = in.read().data;
    }
    EECC_PIPELINED(1, 2)
    for (unsigned k = 0; k < N; k++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        out.write(eecc::make_word(0, buf[k]));
    }
}

// A port-limited array: 4 reads per cycle of one unpartitioned bank -> II = ceil(4 / 2) = 2.
static void port_limited(word_stream &in, word_stream &out) {
    eecc::data_t table[4][N];
    for (unsigned i = 0; i < 4; i++)
        for (unsigned k = 0; k < N; k++) table[i][k] = eecc::data_t(i + k);
    EECC_PIPELINED(eecc::port_ii<4>::value, 4)
    for (unsigned k = 0; k < N; k++) {
#pragma HLS PIPELINE II=1
        EECC_ITER();
        const eecc::data_t x = in.read().data;
        eecc::acc_t s = x.to_int64();
        for (unsigned i = 0; i < 4; i++) s += table[i][k].to_int64();  // one bank, 4 reads
        out.write(eecc::make_word(0, eecc::data_t(s)));
    }
}

typedef void (*kernel_fn)(word_stream &, word_stream &);

static unsigned long long measure(const char *name, kernel_fn kernel, unsigned outputs) {
    word_stream in, out;
    EECC_STREAM(in, 64);
    EECC_STREAM(out, 64);
    eecc::timed::simulator &s = eecc::timed::simulator::get();
    const size_t first = s.procs.size();
    s.epoch = 0;
    EECC_DATAFLOW_BEGIN();
    EECC_PROCESS("source", source(in));
    EECC_PROCESS(name, kernel(in, out));
    EECC_PROCESS("sink", sink(out, outputs));
    EECC_DATAFLOW_END();
    return s.procs[first + 1]->finish;
}

int main() {
    std::printf("perfect_nest %llu\n", measure("perfect_nest", perfect_nest, N));
    std::printf("imperfect_nest %llu\n", measure("imperfect_nest", imperfect_nest, ROWS));
    std::printf("two_phases %llu\n", measure("two_phases", two_phases, N));
    std::printf("port_limited %llu\n", measure("port_limited", port_limited, N));
    return 0;
}
