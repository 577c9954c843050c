"""The C-simulation testbench `tb/testbench.cpp`: inputs from a file, outputs to a file.

    testbench INPUTS.bin OUTPUTS.txt

Input file (little-endian): the 8 bytes `EECCIN01`, `uint32 n_samples`, `uint32 words`
(values per sample), then `n_samples * words` `int16` raw values (data format), each sample
in stream order (H, W, C: channel innermost). The testbench runs the top function on
batches of at most `batch` samples (IDs 0.. within a batch), word `k` of a sample on lane
`k % in_lanes`, then one end token per lane.

Output file (text): a `#` comment line, then one line per sample in the order the network
delivered them: `<sample index> <exit index> <raw value> ...`. The exit index is 0 for the
first early exit, ..., N-1 for the final classifier. The testbench exits non-zero if a
sample is missing, duplicated or out of range, or if a stream holds words after the run.

Built with `-DEECC_WEIGHT_FILES` (as `eecc csim` builds it) the testbench first reads the
weight tables from `EECC_PROJECT_DIR/hls/<model>_weights.txt` (`EECC_PROJECT_DIR`, a string
macro, is the project folder `eecc csim` passes; default `.`, the working directory); a
missing, short or corrupt file stops it with one line and exit code 2
(`emit/include/eecc/weights.h`). Without it, the header's initialisers are compiled in.

Built with `-DEECC_TIMED` (docs/timed-csim.md) the same testbench is the timed C simulation:

    testbench INPUTS.bin OUTPUTS.txt TIMED.json [--fifo-depth N] [--stall P] [--seed S]

The DMA's MM2S side (`dma.mm2s`: one 32-bit beat per cycle, beat k on lane k % in_lanes),
the top and the S2MM side (`dma.s2mm`: one beat per cycle; the exit index is a side channel
that is always ready) run as processes of one region; `--stall P` makes each DMA side miss
a cycle with probability P (seeded). TIMED.json gets the simulator's report and, per sample,
`[index, cycle of its first input beat, cycle of its last result beat]`. A deadlock writes
the report, prints it on one line and exits with code 3.
"""

from __future__ import annotations

TEMPLATE = """\
// C-simulation testbench of {model}: see the comment of eecc/emit/_hls_testbench.py.
//   testbench INPUTS.bin OUTPUTS.txt
//   testbench INPUTS.bin OUTPUTS.txt TIMED.json [--fifo-depth N] [--stall P] [--seed S]  (EECC_TIMED)
#include "../hls/{model}_top.h"
#ifdef EECC_BOARD
#include "board.cpp"  // the layer IPs chained as on the board (eecc csim --board)
#define EECC_DUT {model}_board
#else
#define EECC_DUT {model}_top
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#ifndef EECC_PROJECT_DIR
#define EECC_PROJECT_DIR "."  // the project folder (eecc csim passes it)
#endif

static const unsigned IN_WORDS = {in_words}, OUT_WORDS = {out_words};
static const unsigned IN_LANES = {in_lanes}, OUT_LANES = {out_lanes};

static int fail(const char *what) {{
    std::fprintf(stderr, "testbench: %s\\n", what);
    return 1;
}}

// Cycle of the calling process (timed build), 0 otherwise.
static unsigned long long cycle_now() {{
#ifdef EECC_TIMED
    return eecc::timed::self() ? eecc::timed::self()->now : 0;
#else
    return 0;
#endif
}}

struct sample_times {{
    std::vector<unsigned long long> in, out;
    unsigned long long seed;
    unsigned delivered, total, every;  // progress lines on stderr (timed build)
}};

// DMA MM2S: the batch's words, beat k on lane k % IN_LANES, then an end token per lane.
static void feed(const std::vector<short> &x, unsigned first, unsigned n,
                 hls::stream<eecc::word> in[IN_LANES], sample_times &t) {{
#ifdef EECC_TIMED
    eecc::timed::stall_source stalls(t.seed * 2 + 1);
#endif
    for (unsigned s = 0; s < n; s++) {{
        for (unsigned k = 0; k < IN_WORDS; k++) {{
#ifdef EECC_TIMED
            EECC_STEP(stalls.wait());
#endif
            if (k == 0) t.in[first + s] = cycle_now();
            const short v = x[(size_t)(first + s) * IN_WORDS + k];
            in[k % IN_LANES].write(eecc::make_word(s, eecc::data_t(v)));
            EECC_STEP(1);
        }}
    }}
    eecc::write_end<IN_LANES>(in);
}}

// DMA S2MM: per sample its exit index (a side channel), then OUT_WORDS result words.
static int drain(unsigned first, unsigned n, hls::stream<eecc::word> result[OUT_LANES],
                 hls::stream<eecc::word> &exit_index, FILE *out, std::vector<int> &seen,
                 sample_times &t) {{
#ifdef EECC_TIMED
    eecc::timed::stall_source stalls(t.seed * 2 + 2);
#endif
    (void)exit_index;
    static eecc::word w[OUT_WORDS];
    while (true) {{
        {next_exit}
        for (unsigned k = 0; k < OUT_WORDS; k++) {{
#ifdef EECC_TIMED
            EECC_STEP(stalls.wait());
#endif
            w[k] = result[k % OUT_LANES].read();
            EECC_STEP(1);
            if (k == 0 && w[0].end) break;
        }}
        if (w[0].end) {{
            for (unsigned l = 1; l < OUT_LANES; l++)
                if (!result[l].read().end) return fail("end token missing on some result lanes");
            {check_exit_end}
            return 0;
        }}
        const unsigned id = w[0].id.to_uint();
        if (id >= n || seen[first + id]) return fail("a sample is out of range or delivered twice");
        {check_exit_id}
        seen[first + id] = 1;
        t.out[first + id] = cycle_now();
#ifdef EECC_TIMED
        if (++t.delivered % t.every == 0 || t.delivered == t.total)
            std::fprintf(stderr, "eecc-progress %u %u\\n", t.delivered, t.total);
#endif
        std::fprintf(out, "%u %d", first + id, exit);
        for (unsigned k = 0; k < OUT_WORDS; k++) {{
            if (w[k].id.to_uint() != id) return fail("sample IDs differ within a result");
            std::fprintf(out, " %d", w[k].data.to_int());
        }}
        std::fprintf(out, "\\n");
    }}
}}

// Runs one batch of `n` samples starting at `first`; appends one line per sample to `out`.
static int run_batch(const std::vector<short> &x, unsigned first, unsigned n, FILE *out,
                     std::vector<int> &seen, sample_times &t) {{
    hls::stream<eecc::word> in[IN_LANES], result[OUT_LANES];
    hls::stream<eecc::word> exit_index;
    EECC_STREAM(in, 2);
    EECC_STREAM(result, 2);
    EECC_STREAM(exit_index, 2);
    int rc = 0;
#ifdef EECC_TIMED
    EECC_DATAFLOW_BEGIN();
    EECC_PROCESS("dma.mm2s", feed(x, first, n, in, t));
    EECC_PROCESS("{model}_top", {call});
    EECC_PROCESS("dma.s2mm", rc = drain(first, n, result, exit_index, out, seen, t));
    EECC_DATAFLOW_END();
    if (!eecc::timed::simulator::get().deadlock.empty()) return 3;
#else
    feed(x, first, n, in, t);
    {call};
    rc = drain(first, n, result, exit_index, out, seen, t);
#endif
    if (rc) return rc;
    for (unsigned l = 0; l < IN_LANES; l++)
        if (!in[l].empty()) return fail("input words left unread");
    for (unsigned l = 0; l < OUT_LANES; l++)
        if (!result[l].empty()) return fail("output words after the end token");
    return 0;
}}

#ifdef EECC_TIMED
static void write_timed(const char *path, const sample_times &t, unsigned n) {{
    FILE *f = std::fopen(path, "w");
    if (!f) {{
        fail("cannot open the timed report file");
        return;
    }}
    const eecc::timed::settings &c = eecc::timed::simulator::get().config;
    std::fprintf(f, "{{\\n\\"model\\": \\"{model}\\",\\n\\"fifo_depth\\": %u,\\n\\"stall\\": %.6g,\\n"
                 "\\"seed\\": %llu,\\n", c.depth_override, c.stall, c.seed);
    eecc::timed::write_json_fields(f);
    std::fprintf(f, ",\\n\\"samples\\": [");
    for (unsigned s = 0; s < n; s++)
        std::fprintf(f, "%s\\n  [%u, %llu, %llu]", s ? "," : "", s, t.in[s], t.out[s]);
    std::fprintf(f, "\\n]\\n}}\\n");
    std::fclose(f);
}}

// --fifo-depth N, --stall P, --seed S after the three file arguments.
static int timed_options(int argc, char **argv, sample_times &t) {{
    eecc::timed::settings &c = eecc::timed::simulator::get().config;
    for (int i = 4; i < argc; i += 2) {{
        if (i + 1 >= argc) return fail("an option lacks its value");
        if (!std::strcmp(argv[i], "--fifo-depth")) c.depth_override = (unsigned)std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--stall")) c.stall = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seed")) c.seed = std::strtoull(argv[i + 1], 0, 10);
        else return fail("unknown option (--fifo-depth N, --stall P, --seed S)");
    }}
    t.seed = c.seed;
    return 0;
}}
#endif

int main(int argc, char **argv) {{
    sample_times t;
    t.seed = 1;
#ifdef EECC_WEIGHT_FILES
    {model}_load_weights(EECC_PROJECT_DIR "/hls/{model}_weights.txt");
#endif
#ifdef EECC_TIMED
    if (argc < 4) return fail("usage: testbench INPUTS.bin OUTPUTS.txt TIMED.json [options]");
    if (timed_options(argc, argv, t)) return 1;
#else
    if (argc != 3) return fail("usage: testbench INPUTS.bin OUTPUTS.txt");
#endif
    FILE *f = std::fopen(argv[1], "rb");
    if (!f) return fail("cannot open the input file");
    char magic[8];
    unsigned header[2];
    if (std::fread(magic, 1, 8, f) != 8 || std::memcmp(magic, "EECCIN01", 8) != 0 ||
        std::fread(header, 4, 2, f) != 2 || header[1] != IN_WORDS) {{
        std::fclose(f);
        return fail("bad input file header (magic EECCIN01, sample count, words per sample)");
    }}
    const unsigned n = header[0];
    std::vector<short> x((size_t)n * IN_WORDS);
    const size_t got = std::fread(x.data(), 2, x.size(), f);
    std::fclose(f);
    if (got != x.size()) return fail("input file is truncated");
    FILE *out = std::fopen(argv[2], "w");
    if (!out) return fail("cannot open the output file");
    std::fprintf(out, "# {model}: sample exit logits_raw[%u]\\n", OUT_WORDS);
    std::vector<int> seen(n, 0);
    t.in.assign(n, 0);
    t.out.assign(n, 0);
    t.delivered = 0;
    t.total = n;
    t.every = n / 50 ? n / 50 : 1;
    int rc = 0;
    for (unsigned first = 0; first < n && rc == 0; first += {batch}) {{
        const unsigned count = n - first < {batch} ? n - first : {batch};
        rc = run_batch(x, first, count, out, seen, t);
    }}
    std::fclose(out);
#ifdef EECC_TIMED
    write_timed(argv[3], t, n);
    if (rc == 3) {{
        std::fprintf(stderr, "testbench: %s\\n", eecc::timed::simulator::get().deadlock.c_str());
        return 3;
    }}
#endif
    for (unsigned s = 0; s < n && rc == 0; s++)
        if (!seen[s]) rc = fail("a sample was never delivered");
    return rc;
}}
"""

NEXT_EXIT = """const eecc::word e = exit_index.read();
        const int exit = e.end ? -1 : e.data.to_int();"""
CHECK_EXIT_END = """if (exit != -1) return fail("results ended before the exit indices");"""
CHECK_EXIT_ID = """if (exit < 0 || e.id.to_uint() != id) return fail("exit index of another sample");"""


def testbench(model: str, *, in_words: int, out_words: int, in_lanes: int, out_lanes: int,
              has_exits: bool, n_exits: int, batch: int) -> str:
    """The text of `tb/testbench.cpp`."""
    args = "in, result, exit_index" if has_exits else "in, result"
    return TEMPLATE.format(
        model=model, in_words=in_words, out_words=out_words, in_lanes=in_lanes,
        out_lanes=out_lanes, batch=batch, call=f"EECC_DUT({args})",
        next_exit=NEXT_EXIT if has_exits else f"const int exit = {n_exits - 1};",
        check_exit_end=CHECK_EXIT_END if has_exits else "",
        check_exit_id=CHECK_EXIT_ID if has_exits else "",
    )
