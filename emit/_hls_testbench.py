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
"""

from __future__ import annotations

TEMPLATE = """\
// C-simulation testbench of {model}: see the comment of eecc/emit/_hls_testbench.py.
//   testbench INPUTS.bin OUTPUTS.txt
#include "../hls/{model}_top.h"

#include <cstdio>
#include <cstring>
#include <vector>

static const unsigned IN_WORDS = {in_words}, OUT_WORDS = {out_words};
static const unsigned IN_LANES = {in_lanes}, OUT_LANES = {out_lanes};

static int fail(const char *what) {{
    std::fprintf(stderr, "testbench: %s\\n", what);
    return 1;
}}

// Runs one batch of `n` samples starting at `first`; appends one line per sample to `out`.
static int run_batch(const std::vector<short> &x, unsigned first, unsigned n, FILE *out,
                     std::vector<int> &seen) {{
    hls::stream<eecc::word> in[IN_LANES], result[OUT_LANES];
    hls::stream<eecc::word> exit_index;
    for (unsigned s = 0; s < n; s++) {{
        for (unsigned k = 0; k < IN_WORDS; k++) {{
            const short v = x[(size_t)(first + s) * IN_WORDS + k];
            in[k % IN_LANES].write(eecc::make_word(s, eecc::data_t(v)));
        }}
    }}
    eecc::write_end<IN_LANES>(in);
    {call}
    std::vector<int> exits(n, {default_exit});
    {read_exits}
    eecc::word w[OUT_LANES];
    while (!eecc::read_group<OUT_LANES>(result, w)) {{
        const unsigned id = w[0].id.to_uint();
        if (id >= n || seen[first + id]) return fail("a sample is out of range or delivered twice");
        seen[first + id] = 1;
        std::fprintf(out, "%u %d", first + id, exits[id]);
        for (unsigned k = 0; k < OUT_WORDS; k++) {{
            if (k > 0 && k % OUT_LANES == 0) eecc::read_group<OUT_LANES>(result, w);
            if (w[k % OUT_LANES].id.to_uint() != id) return fail("sample IDs differ within a result");
            std::fprintf(out, " %d", w[k % OUT_LANES].data.to_int());
        }}
        std::fprintf(out, "\\n");
    }}
    for (unsigned l = 0; l < IN_LANES; l++)
        if (!in[l].empty()) return fail("input words left unread");
    for (unsigned l = 0; l < OUT_LANES; l++)
        if (!result[l].empty()) return fail("output words after the end token");
    return 0;
}}

int main(int argc, char **argv) {{
    if (argc != 3) return fail("usage: testbench INPUTS.bin OUTPUTS.txt");
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
    int rc = 0;
    for (unsigned first = 0; first < n && rc == 0; first += {batch}) {{
        const unsigned count = n - first < {batch} ? n - first : {batch};
        rc = run_batch(x, first, count, out, seen);
    }}
    std::fclose(out);
    for (unsigned s = 0; s < n && rc == 0; s++)
        if (!seen[s]) rc = fail("a sample was never delivered");
    return rc;
}}
"""

READ_EXITS = """eecc::word e;
    while (!(e = exit_index.read()).end) {
        if (e.id.to_uint() >= n) return fail("exit index of an unknown sample");
        exits[e.id.to_uint()] = e.data.to_int();
    }"""


def testbench(model: str, *, in_words: int, out_words: int, in_lanes: int, out_lanes: int,
              has_exits: bool, n_exits: int, batch: int) -> str:
    """The text of `tb/testbench.cpp`."""
    args = "in, result, exit_index" if has_exits else "in, result"
    return TEMPLATE.format(
        model=model, in_words=in_words, out_words=out_words, in_lanes=in_lanes,
        out_lanes=out_lanes, batch=batch, call=f"{model}_top({args});",
        default_exit=n_exits - 1,
        read_exits=READ_EXITS if has_exits else "(void)exit_index;",
    )
