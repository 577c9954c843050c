// Test harness I/O: named stream banks filled from and dumped to text files.
//
// Line formats (one token per line, whitespace separated):
//   w <bank> <lane> <id> <data> <end>     a word on data bank <bank>, lane <lane>
//   c <bank> <id> <exit> <end>            a control token on control bank <bank>
//   a <bank> <lane> <tdata> <tlast>       an AXI-Stream beat on axis bank <bank>, lane <lane>
// After a run, every non-empty stream is dumped in the same format (inputs a layer left
// unread show up too, so a test sees whether each layer consumed exactly its input).
#ifndef EECC_TEST_TESTIO_H
#define EECC_TEST_TESTIO_H

#include "eecc/eecc.h"

#include <cstdio>
#include <fstream>
#include <string>

namespace testio {

const unsigned BANKS = 8, LANES = 16;

hls::stream<eecc::word> W[BANKS][LANES];
hls::stream<eecc::ctrl_word> C[BANKS];
hls::stream<eecc::axis_word> A[BANKS][LANES];

inline bool load(const char *path) {
    std::ifstream f(path);
    if (!f) return false;
    std::string kind;
    while (f >> kind) {
        unsigned bank, lane, id, end;
        long long value;
        if (kind == "w") {
            f >> bank >> lane >> id >> value >> end;
            eecc::word w;
            w.id = id;
            w.data = eecc::data_t(value);
            w.end = end != 0;
            W[bank][lane].write(w);
        } else if (kind == "c") {
            f >> bank >> id >> value >> end;
            eecc::ctrl_word c;
            c.id = id;
            c.exit = value != 0;
            c.end = end != 0;
            C[bank].write(c);
        } else if (kind == "a") {
            f >> bank >> lane >> value >> end;
            eecc::axis_word a;
            a.data = (unsigned long long)value;
            a.keep = 0xF;
            a.last = end;
            A[bank][lane].write(a);
        } else {
            return false;
        }
    }
    return true;
}

inline void dump(const char *path) {
    FILE *f = std::fopen(path, "w");
    for (unsigned b = 0; b < BANKS; b++) {
        for (unsigned l = 0; l < LANES; l++) {
            while (!W[b][l].empty()) {
                const eecc::word w = W[b][l].read();
                std::fprintf(f, "w %u %u %u %d %d\n", b, l, w.id.to_uint(), w.data.to_int(), w.end ? 1 : 0);
            }
            while (!A[b][l].empty()) {
                const eecc::axis_word a = A[b][l].read();
                std::fprintf(f, "a %u %u %u %u\n", b, l, a.data.to_uint(), a.last.to_uint());
            }
        }
        while (!C[b].empty()) {
            const eecc::ctrl_word c = C[b].read();
            std::fprintf(f, "c %u %u %d %d\n", b, c.id.to_uint(), c.exit ? 1 : 0, c.end ? 1 : 0);
        }
    }
    std::fclose(f);
}

// Moves every word of `n` lanes from one stream array to another (bank <-> local arrays).
inline void move(hls::stream<eecc::word> *from, hls::stream<eecc::word> *to, unsigned n) {
    for (unsigned l = 0; l < n; l++) {
        while (!from[l].empty()) to[l].write(from[l].read());
    }
}

}  // namespace testio

// A driver defines run_case(name) and gets this main: driver <case> <in-file> <out-file>.
bool run_case(const std::string &name);

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s <case> <in> <out>\n", argv[0]);
        return 2;
    }
    if (!testio::load(argv[2])) {
        std::fprintf(stderr, "cannot read %s\n", argv[2]);
        return 2;
    }
    if (!run_case(argv[1])) {
        std::fprintf(stderr, "unknown case %s\n", argv[1]);
        return 2;
    }
    testio::dump(argv[3]);
    return 0;
}

#endif  // EECC_TEST_TESTIO_H
