// eecc HLS library: weight tables read from a file at C-simulation start-up.
//
// The emitted `<model>_weights.h` holds every table as a ROM initialiser for synthesis and,
// built with -DEECC_WEIGHT_FILES (and without __SYNTHESIS__), as a plain array that
// `<model>_load_weights(path)` fills from `hls/<model>_weights.txt` (the hls4ml pattern of
// load_weights_from_txt, so the C-simulation build does not compile the initialisers).
//
// File format (text, ASCII, written by eecc/emit/_hls_tables.py):
//   line 1:   # eecc weights v1 ...
//   per table, in the order of the header:  table <name> <count>
//             then <count> decimal raw integers, whitespace separated (16 per line)
// The header knows each table's name, count and checksum sum_i (i+1)*(uint32)v_i mod 2^64;
// any difference (missing file, wrong table, too few or too many values, a changed value)
// prints one line `eecc: weights file <path>: <what>` and exits with code 2.
#ifndef EECC_WEIGHTS_H
#define EECC_WEIGHTS_H

#ifndef __SYNTHESIS__
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace eecc {

static const char WEIGHTS_MAGIC[] = "# eecc weights v1";

class weight_file {
  public:
    explicit weight_file(const char *path) : path_(path), pos_(0) {
        FILE *f = std::fopen(path, "rb");
        if (!f) fail("cannot be opened (run eecc compile again to write it)");
        char chunk[1 << 16];
        size_t got;
        while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) text_.insert(text_.end(), chunk, chunk + got);
        std::fclose(f);
        text_.push_back('\0');
        const size_t n = std::strlen(WEIGHTS_MAGIC);
        if (text_.size() <= n || std::strncmp(&text_[0], WEIGHTS_MAGIC, n) != 0)
            fail("is not an eecc weights file (first line '# eecc weights v1')");
        while (text_[pos_] && text_[pos_] != '\n') pos_++;
    }

    // Reads table `name` of `count` raw values into `out`; checks the name, count and checksum.
    template <class T>
    void table(const char *name, T *out, unsigned long count, unsigned long long checksum) {
        char word[16], got_name[256];
        unsigned long got_count = 0;
        int used = 0;
        if (std::sscanf(&text_[pos_], " %15s %255s %lu%n", word, got_name, &got_count, &used) != 3 ||
            std::strcmp(word, "table") != 0)
            fail_table(name, "is missing (the file is short or corrupt)");
        pos_ += (size_t)used;
        if (std::strcmp(got_name, name) != 0) fail_table(name, "is not next (found another table)");
        if (got_count != count) fail_table(name, "has the wrong number of values");
        unsigned long long sum = 0;
        for (unsigned long i = 0; i < count; i++) {
            const char *start = &text_[pos_];
            char *end = 0;
            const long long v = std::strtoll(start, &end, 10);
            if (end == start) fail_table(name, "ends early (the file is short or corrupt)");
            pos_ += (size_t)(end - start);
            out[i] = (T)v;
            if ((long long)out[i] != v) fail_table(name, "holds a value out of range");
            sum += (unsigned long long)(unsigned)(v & 0xFFFFFFFFll) * (unsigned long long)(i + 1);
        }
        if (sum != checksum) fail_table(name, "has a wrong checksum (corrupt or from another compile)");
    }

    // After the last table: nothing but white space may follow.
    int finish() {
        while (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r') pos_++;
        if (text_[pos_] != '\0' || pos_ + 1 != text_.size()) fail("has data after the last table");
        return 0;
    }

  private:
    void fail(const char *what) const {
        std::fprintf(stderr, "eecc: weights file %s: %s\n", path_, what);
        std::exit(2);
    }
    void fail_table(const char *name, const char *what) const {
        std::fprintf(stderr, "eecc: weights file %s: table %s %s\n", path_, name, what);
        std::exit(2);
    }

    const char *path_;
    std::vector<char> text_;
    size_t pos_;
};

}  // namespace eecc

#endif  // __SYNTHESIS__
#endif  // EECC_WEIGHTS_H
