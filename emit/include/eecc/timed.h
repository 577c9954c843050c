// eecc HLS library: the timed C simulation (built with -DEECC_TIMED; see docs/timed-csim.md).
//
// A timed Kahn process network.  Every process of a DATAFLOW region (every EECC_PROCESS of
// an EECC_DATAFLOW_BEGIN/END block) runs as a coroutine with its own cycle clock `now`;
// every hls::stream of the library's word types becomes a FIFO bounded at the depth the
// design declares (EECC_STREAM, next to `#pragma HLS STREAM`).  For word k of a FIFO:
//   write  at the writer's time  now + offset  (offset = depth - 1 of the enclosing
//          pipeline), and not before  read_time(k - depth) + 1;  a later write waits;
//   read   at the reader's time  max(now, write_time(k) + 1);  an earlier read waits.
// Cycles a process waits for a word are `starved`, cycles it waits for room `blocked`.
// Blocking reads and writes alone give the same times in any execution order (Kahn).
// `empty()` (a poll) at local time t is answered as the hardware would answer it at cycle
// t: "no word written before t", which the simulator decides only once the writer's clock
// has passed t, or when no other process can run (then every future write is later).  So
// every cycle count is deterministic.  Deadlock: no process can run and no poll can be
// answered; the simulator names every waiting process and its FIFO, and exits with code 3.
//
// The library's loops advance the clocks through the macros of eecc/schedule.h, which
// vanish outside this build.  Only this header knows about coroutines (POSIX ucontext).
#ifndef EECC_TIMED_H
#define EECC_TIMED_H

#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace eecc {
namespace timed {

typedef unsigned long long cycle_t;

enum state_t { READY, RUNNING, READING, WRITING, POLLING, JOINING, DONE };

struct fifo_base;

// One pipelined loop in progress (eecc/schedule.h): II, depth, whether it has iterated.
struct pipeline_state {
    cycle_t ii, depth;
    bool started;
    cycle_t saved_offset;
};

struct process {
    std::string name;
    std::function<void()> body;
    ucontext_t ctx;
    void *stack;
    size_t stack_size;
    unsigned index;
    state_t state;
    cycle_t now, start, finish;
    cycle_t starved, blocked;
    cycle_t offset;                  // write latency inside the current pipeline
    std::vector<pipeline_state> loops;
    fifo_base *wait_on;              // FIFO a READING / WRITING / POLLING process waits on
    bool poll_empty;                 // the scheduler answered the pending poll: empty / full
    bool poll_full;                  // the pending poll asks "full?" (else "empty?")
    process *parent;
    unsigned live_children;
    bool region;                     // opened a DATAFLOW region (not a leaf process)
    // samples: a new sample ID read (data words; control words if it reads no data)
    unsigned long long samples[2];
    unsigned last_id[2];
    bool have_id[2];
    cycle_t first_mark[3], last_mark[3];  // now, starved, blocked at the first/last sample
    long long peak;                  // EECC_PEAK gauge (-1: none)
    unsigned long long bound_gen;    // lower_bound() memo
    cycle_t bound_val;
    process()
        : stack(0), stack_size(0), index(0), state(READY), now(0), start(0), finish(0),
          starved(0), blocked(0), offset(0), wait_on(0), poll_empty(false), poll_full(false),
          parent(0),
          live_children(0), region(false), peak(-1), bound_gen(0), bound_val(0) {
        samples[0] = samples[1] = 0;
        last_id[0] = last_id[1] = 0;
        have_id[0] = have_id[1] = false;
        for (int i = 0; i < 3; i++) first_mark[i] = last_mark[i] = 0;
    }
};

// What a FIFO leaves behind when it is destroyed (the report outlives the top's locals).
struct fifo_record {
    std::string name, writer, reader;
    unsigned depth;
    unsigned long long words;
    unsigned peak;
};

struct settings {
    unsigned default_depth;   // a stream with no EECC_STREAM (Vivado HLS's default: 2)
    unsigned depth_override;  // --fifo-depth N: every FIFO N deep (0: as declared)
    double stall;             // --stall P: the DMA streams are unavailable a share P of cycles
    unsigned long long seed;
    settings() : default_depth(2), depth_override(0), stall(0.0), seed(1) {}
};

class simulator {
  public:
    settings config;
    std::vector<process *> procs;    // every process ever spawned, in spawn order
    std::deque<process *> ready;
    std::vector<process *> pollers;
    std::vector<fifo_base *> live;   // FIFOs in existence (for deadlock reports)
    std::vector<fifo_record> records;
    process *current;
    ucontext_t main_ctx;
    bool scheduling;
    unsigned live_procs;
    unsigned long long moves;        // reads + writes so far (progress of the network)
    cycle_t epoch;                   // where the next top-level region starts
    std::string deadlock;

    simulator() : current(0), scheduling(false), live_procs(0), moves(0), epoch(0) {}

    static simulator &get() {
        static simulator s;
        return s;
    }

    process *spawn(const std::string &name, const std::function<void()> &body, process *parent,
                   cycle_t at) {
        process *p = new process();
        p->name = name;
        p->body = body;
        p->index = (unsigned)procs.size();
        p->parent = parent;
        p->now = p->start = at;
        p->stack_size = 8u << 20;  // reserved, committed as used
        p->stack = mmap(0, p->stack_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p->stack == MAP_FAILED) {
            std::fprintf(stderr, "eecc timed csim: cannot map a process stack\n");
            std::exit(2);
        }
        getcontext(&p->ctx);
        p->ctx.uc_stack.ss_sp = p->stack;
        p->ctx.uc_stack.ss_size = p->stack_size;
        p->ctx.uc_link = 0;
        makecontext(&p->ctx, (void (*)())trampoline, 0);
        procs.push_back(p);
        if (parent) parent->live_children++;
        live_procs++;
        ready.push_back(p);
        return p;
    }

    // The running process gives the processor back to the scheduler.
    void yield() {
        process *p = current;
        swapcontext(&p->ctx, &main_ctx);
    }

    void wake(process *p) {
        if (p->state == READING || p->state == WRITING || p->state == POLLING) {
            if (p->state == POLLING) drop_poller(p);
            p->state = READY;
            ready.push_back(p);
        }
    }

    void drop_poller(process *p) {
        pollers.erase(std::remove(pollers.begin(), pollers.end(), p), pollers.end());
    }

    // Runs every process until all are done; reports a deadlock and exits 3 otherwise.
    void run() {
        scheduling = true;
        unsigned long long idle_answers = 0, moves_at_idle = moves;
        while (live_procs > 0) {
            resolve_pollers();
            if (!ready.empty()) {
                process *p = ready.front();
                ready.pop_front();
                switch_to(p);
                continue;
            }
            if (pollers.empty()) break;
            if (decide_pollers()) continue;
            if (moves != moves_at_idle) {
                moves_at_idle = moves;
                idle_answers = 0;
            }
            if (frozen() || ++idle_answers > IDLE_LIMIT) break;
            // Nothing can run: every future write is later than the earliest pending poll.
            process *q = *std::min_element(pollers.begin(), pollers.end(), earlier_poll);
            q->poll_empty = true;
            wake(q);
        }
        scheduling = false;
        for (size_t i = 0; i < procs.size(); i++)
            if (procs[i]->now > epoch) epoch = procs[i]->now;
        if (live_procs > 0) report_deadlock();
    }

    void report_deadlock();

    static const cycle_t NEVER = ~0ULL;
    // Polls answered "empty" in a row, no word moving anywhere, before giving up (a design
    // whose pollers spin while everything else waits for good).
    static const unsigned long long IDLE_LIMIT = 50000000ULL;

    // A lower bound on the time of p's next write: its clock, or later when it waits for a
    // word (the writer's bound + 1) or for room (the reader's bound + 1); NEVER when done.
    cycle_t lower_bound(process *p) {
        if (!p) return 0;
        if (p->state == DONE || p->state == JOINING) return NEVER;
        if (p->bound_gen == generation) return p->bound_val;
        p->bound_gen = generation;
        p->bound_val = p->now;  // cuts cycles of waiting processes
        cycle_t b = p->now;
        if (p->state == READING || p->state == WRITING) b = std::max(b, wait_bound(p));
        p->bound_val = b;
        return b;
    }

    // The bound for a poll of a FIFO with no unread word (or no free slot): its writer's
    // (reader's), or, while nobody has used that side yet, the least of every other live
    // process's.
    cycle_t writer_bound(process *writer, const process *poller) {
        generation++;
        if (writer) return lower_bound(writer);
        cycle_t b = NEVER;
        for (size_t i = 0; i < procs.size(); i++)
            if (procs[i] != poller) b = std::min(b, lower_bound(procs[i]));
        return b;
    }

  private:
    unsigned long long generation = 0;

    cycle_t wait_bound(process *p);
    bool frozen();
    bool decide_pollers();

    static bool earlier_poll(const process *a, const process *b) {
        return a->now != b->now ? a->now < b->now : a->index < b->index;
    }

    void resolve_pollers();

    static void trampoline() {
        simulator &s = get();
        process *p = s.current;
        p->body();
        p->finish = p->now;
        p->state = DONE;
        s.live_procs--;
        if (p->parent) {
            process *parent = p->parent;
            if (p->finish > parent->now) parent->now = p->finish;
            if (--parent->live_children == 0 && parent->state == JOINING) {
                parent->state = READY;
                s.ready.push_back(parent);
            }
        }
        setcontext(&s.main_ctx);
    }

    void switch_to(process *p) {
        current = p;
        p->state = RUNNING;
        swapcontext(&main_ctx, &p->ctx);
        current = 0;
        if (p->state == DONE && p->stack) {
            munmap(p->stack, p->stack_size);
            p->stack = 0;
        }
    }
};

// ------------------------------------------------------------------------------ FIFOs

struct fifo_base {
    std::string name;
    unsigned depth;
    process *writer, *reader;
    process *waiting_reader, *waiting_writer;
    unsigned long long writes, reads;
    unsigned peak;
    std::deque<cycle_t> wtime;     // write times of the unread words
    std::vector<cycle_t> rtime;    // read times of the last `depth` reads (a ring)
    cycle_t quiet_until;           // no word is written before this cycle (a poll's bound)
    cycle_t busy_until;            // no word is read before this cycle (a poll's bound)

    fifo_base()
        : name("stream"), depth(simulator::get().config.default_depth), writer(0), reader(0),
          waiting_reader(0), waiting_writer(0), writes(0), reads(0), peak(0), quiet_until(0),
          busy_until(0) {
        if (simulator::get().config.depth_override) depth = simulator::get().config.depth_override;
        rtime.assign(depth, 0);
        simulator::get().live.push_back(this);
    }

    virtual ~fifo_base() {
        simulator &s = simulator::get();
        s.live.erase(std::remove(s.live.begin(), s.live.end(), this), s.live.end());
        if (writes == 0 && reads == 0) return;
        fifo_record r;
        r.name = name;
        r.writer = writer ? writer->name : "";
        r.reader = reader ? reader->name : "";
        r.depth = depth;
        r.words = writes;
        r.peak = peak;
        s.records.push_back(r);
    }

    void set_depth(unsigned d) {
        const settings &c = simulator::get().config;
        depth = c.depth_override ? c.depth_override : (d ? d : 1);
        rtime.assign(depth, 0);
    }

    unsigned long long unread() const { return writes - reads; }

    // Waits (as the current process) until word `reads` exists; returns its read time.
    cycle_t before_read(process *p) {
        if (!reader) reader = p;
        while (writes == reads) {
            p->state = READING;
            p->wait_on = this;
            waiting_reader = p;
            simulator::get().yield();
            waiting_reader = 0;
        }
        const cycle_t avail = wtime.front() + 1;
        if (avail > p->now) {
            p->starved += avail - p->now;
            p->now = avail;
        }
        // occupancy the reader sees: words written before now
        const unsigned visible = (unsigned)(std::upper_bound(wtime.begin(), wtime.end(),
                                                             p->now - 1) - wtime.begin());
        if (visible > peak) peak = visible;
        return p->now;
    }

    void after_read(cycle_t t) {
        rtime[reads % depth] = t;
        reads++;
        wtime.pop_front();
        simulator &s = simulator::get();
        s.moves++;
        if (waiting_writer) s.wake(waiting_writer);
        for (size_t i = 0; i < s.pollers.size(); i++) {
            if (s.pollers[i]->wait_on == this && s.pollers[i]->poll_full) {
                s.wake(s.pollers[i]);
                break;
            }
        }
    }

    // Whether the slot of the next write is known: free already, or taken by a word whose
    // read has happened (at a known time).
    bool slot_known(const process *p) const {
        (void)p;
        return writes < depth || reads > writes - depth;
    }

    // The hardware's answer to "no room for a word?" at the poller's write time; may wait.
    bool poll_full(process *p) {
        if (!writer) writer = p;
        simulator &s = simulator::get();
        while (true) {
            const cycle_t t = p->now + p->offset;
            if (writes < depth) return false;
            const unsigned long long k = writes - depth;  // its read frees the slot
            if (reads > k) return rtime[k % depth] + 1 > t;
            if (t <= busy_until) return true;
            const cycle_t b = s.writer_bound(reader, p);
            if (b == simulator::NEVER || b >= t) {
                busy_until = b;  // no word is read before b
                return true;
            }
            if (wait_as_poller(p, true)) return true;
        }
    }

    // Suspends poller `p` on this FIFO until its answer can be decided; true when the
    // scheduler decided it (nothing could run: empty / full), false to look again.
    bool wait_as_poller(process *p, bool full) {
        simulator &s = simulator::get();
        p->state = POLLING;
        p->wait_on = this;
        p->poll_full = full;
        p->poll_empty = false;
        s.pollers.push_back(p);
        s.yield();
        const bool decided = p->poll_empty;
        p->poll_empty = false;
        return decided;
    }

    // Waits (as the current process) for room for word `writes`; returns its write time.
    cycle_t before_write(process *p) {
        if (!writer) writer = p;
        const unsigned long long k = writes;
        cycle_t t = p->now + p->offset;
        if (k >= depth) {
            while (reads <= k - depth) {
                p->state = WRITING;
                p->wait_on = this;
                waiting_writer = p;
                simulator::get().yield();
                waiting_writer = 0;
            }
            t = p->now + p->offset;
            const cycle_t room = rtime[(k - depth) % depth] + 1;
            if (room > t) {
                p->blocked += room - t;
                p->now += room - t;
                t = room;
            }
        }
        if (!wtime.empty() && wtime.back() > t) t = wtime.back();
        return t;
    }

    void after_write(cycle_t t) {
        wtime.push_back(t);
        writes++;
        simulator &s = simulator::get();
        s.moves++;
        if (waiting_reader) s.wake(waiting_reader);
        for (size_t i = 0; i < s.pollers.size(); i++) {
            if (s.pollers[i]->wait_on == this) {
                s.wake(s.pollers[i]);
                break;
            }
        }
    }

    // The hardware's answer to "is a word there?" at the poller's time; may wait.
    bool poll_empty(process *p) {
        if (!reader) reader = p;
        simulator &s = simulator::get();
        while (true) {
            if (writes > reads) return wtime.front() + 1 > p->now;
            if (p->now <= quiet_until) return true;
            const cycle_t b = s.writer_bound(writer, p);
            if (b == simulator::NEVER || b >= p->now) {
                quiet_until = b;  // no word can be written before b
                return true;
            }
            if (wait_as_poller(p, false)) return true;
        }
    }
};

inline void simulator::resolve_pollers() {
    for (size_t i = 0; i < pollers.size();) {
        process *q = pollers[i];
        fifo_base *f = q->wait_on;
        const bool known = q->poll_full ? f->slot_known(q)
                                        : f->writes > f->reads ||
                                              (f->writer && (f->writer->state == DONE ||
                                                             f->writer->now >= q->now));
        if (known) {
            wake(q);  // removes q from pollers
        } else {
            i++;
        }
    }
}

inline cycle_t simulator::wait_bound(process *p) {
    fifo_base *f = p->wait_on;
    if (p->state == READING) {
        if (f->writes > f->reads) return f->wtime.front() + 1;
        const cycle_t w = lower_bound(f->writer);
        return w == NEVER ? NEVER : w + 1;
    }
    const cycle_t r = f->reader ? lower_bound(f->reader) : p->now;
    return r == NEVER ? NEVER : r + 1;
}

// No process can run and no poller will ever find a word (every unread word waits for a
// process that is blocked): nothing can change any more.
inline bool simulator::frozen() {
    for (size_t i = 0; i < live.size(); i++) {
        const fifo_base *f = live[i];
        if (f->writes == f->reads) continue;
        if (!f->reader) return false;
        for (size_t j = 0; j < pollers.size(); j++)
            if (pollers[j] == f->reader) return false;
    }
    return true;
}

// Wakes every poller whose answer the bounds of the waiting processes decide.
inline bool simulator::decide_pollers() {
    bool woke = false;
    for (size_t i = 0; i < pollers.size();) {
        process *q = pollers[i];
        fifo_base *f = q->wait_on;
        const cycle_t t = q->now + q->offset;
        const bool decided = q->poll_full
            ? f->slot_known(q) || writer_bound(f->reader, q) >= t
            : f->writes > f->reads || writer_bound(f->writer, q) >= q->now;
        if (decided) {
            wake(q);
            woke = true;
        } else {
            i++;
        }
    }
    return woke;
}

inline const char *state_name(state_t s) {
    switch (s) {
        case READING: return "waits to read";
        case WRITING: return "waits to write";
        case POLLING: return "polls";
        case JOINING: return "waits for its region";
        default: return "is ready";
    }
}

inline std::string describe_wait(const process *p) {
    char buf[512];
    if (p->wait_on) {
        std::snprintf(buf, sizeof buf, "%s %s %s (%llu/%u words) at cycle %llu", p->name.c_str(),
                      state_name(p->state), p->wait_on->name.c_str(), p->wait_on->unread(),
                      p->wait_on->depth, p->now);
    } else {
        std::snprintf(buf, sizeof buf, "%s %s at cycle %llu", p->name.c_str(),
                      state_name(p->state), p->now);
    }
    return buf;
}

inline void simulator::report_deadlock() {
    std::vector<const process *> stuck;
    cycle_t at = 0;
    for (size_t i = 0; i < procs.size(); i++) {
        const process *p = procs[i];
        if (p->state == DONE || p->state == JOINING) continue;
        stuck.push_back(p);
        if (p->now > at) at = p->now;
    }
    char head[256];
    std::snprintf(head, sizeof head, "deadlock at cycle %llu: %u processes wait for each other",
                  at, (unsigned)stuck.size());
    deadlock = head;
    for (size_t i = 0; i < stuck.size(); i++) deadlock += "; " + describe_wait(stuck[i]);
}

template <class T>
class fifo : public fifo_base {
  public:
    fifo() {}
    explicit fifo(const char *n) { name = n; }

    T read() {
        simulator &s = simulator::get();
        process *p = s.current;
        if (!p) return untimed_read();
        const cycle_t t = before_read(p);
        T v = data_.front();
        data_.pop_front();
        after_read(t);
        count_sample(p, v);
        return v;
    }

    void write(const T &v) {
        simulator &s = simulator::get();
        process *p = s.current;
        if (!p) {
            data_.push_back(v);
            wtime.push_back(0);
            writes++;
            return;
        }
        const cycle_t t = before_write(p);
        data_.push_back(v);
        after_write(t);
    }

    bool empty() {
        process *p = simulator::get().current;
        if (!p) return data_.empty();
        return poll_empty(p);
    }

    bool full() {
        process *p = simulator::get().current;
        if (!p) return false;
        return poll_full(p);
    }

    bool read_nb(T &v) {
        if (empty()) return false;
        v = read();
        return true;
    }

    bool write_nb(const T &v) {
        if (full()) return false;
        write(v);
        return true;
    }

    size_t size() const { return data_.size(); }
    void operator>>(T &v) { v = read(); }
    void operator<<(const T &v) { write(v); }

  private:
    std::deque<T> data_;

    T untimed_read() {
        if (data_.empty()) {
            std::fprintf(stderr, "eecc timed csim: read of the empty stream %s outside a process\n",
                         name.c_str());
            return T();
        }
        T v = data_.front();
        data_.pop_front();
        wtime.pop_front();
        reads++;
        return v;
    }

    static void count_sample(process *p, const T &v);
};

// The sample ID of a word (kind 0: data, 1: control); end tokens are no samples.  Every
// library word type has `id` and `end`; control and AXI-Stream words specialise it.
template <class T>
struct sample_of {
    static bool get(const T &w, unsigned &id, int &kind) {
        if (w.end) return false;
        id = w.id.to_uint();
        kind = 0;
        return true;
    }
};

template <class T>
inline void fifo<T>::count_sample(process *p, const T &v) {
    unsigned id;
    int kind;
    if (!sample_of<T>::get(v, id, kind)) return;
    if (p->have_id[kind] && p->last_id[kind] == id) return;
    p->have_id[kind] = true;
    p->last_id[kind] = id;
    const int counted = p->samples[0] > 0 || kind == 0 ? 0 : 1;
    if (kind != counted) return;
    p->samples[kind]++;
    const cycle_t marks[3] = {p->now, p->starved, p->blocked};
    for (int i = 0; i < 3; i++) {
        if (p->samples[kind] == 1) p->first_mark[i] = marks[i];
        p->last_mark[i] = marks[i];
    }
}

// ------------------------------------------------------------------------ the clock

inline process *self() { return simulator::get().current; }

inline void step(cycle_t n) {
    process *p = self();
    if (p) p->now += n;
}

inline void loop_begin(cycle_t ii, cycle_t depth) {
    process *p = self();
    if (!p) return;
    pipeline_state l;
    l.ii = ii ? ii : 1;
    l.depth = depth ? depth : 1;
    l.started = false;
    l.saved_offset = p->offset;
    p->loops.push_back(l);
    p->offset = l.depth - 1;
    p->now += 1;  // loop entry
}

inline void loop_iteration() {
    process *p = self();
    if (!p || p->loops.empty()) return;
    pipeline_state &l = p->loops.back();
    if (l.started) p->now += l.ii;
    l.started = true;
}

inline void loop_end() {
    process *p = self();
    if (!p || p->loops.empty()) return;
    const pipeline_state l = p->loops.back();
    p->loops.pop_back();
    p->offset = l.saved_offset;
    if (l.started) p->now += l.depth;  // the last iteration drains
}

// One-shot guard: `for (pipeline_guard g(ii, d); g.once(); )` wraps one pipelined loop.
class pipeline_guard {
  public:
    pipeline_guard(cycle_t ii, cycle_t depth) : done_(false) { loop_begin(ii, depth); }
    ~pipeline_guard() {
        if (!done_) loop_end();
    }
    bool once() {
        if (done_) return false;
        if (entered_) {
            loop_end();
            done_ = true;
            return false;
        }
        entered_ = true;
        return true;
    }

  private:
    bool done_;
    bool entered_ = false;
};

inline cycle_t clock() {
    process *p = self();
    return p ? p->now : 0;
}

// The cycles since `t` were spent polling inputs that held nothing: count them as starved.
inline void idle_since(cycle_t t) {
    process *p = self();
    if (p && p->now > t) p->starved += p->now - t;
}

// The current cycles were spent polling inputs that held nothing.
inline void idle(cycle_t n) {
    process *p = self();
    if (p) p->starved += n;
}

// The current cycles were lost to a full buffer (a polling loop's back-pressure).
inline void stalled(cycle_t n) {
    process *p = self();
    if (p) p->blocked += n;
}

inline void gauge(long long value) {
    process *p = self();
    if (p && value > p->peak) p->peak = value;
}

// ------------------------------------------------------------------- regions (DATAFLOW)

class region {
  public:
    region() : parent_(self()) {}

    // A module of a library layer: named "<layer>.<name>".
    void spawn_child(const char *name, const std::function<void()> &body) {
        const std::string full = parent_ ? parent_->name + "." + name : std::string(name);
        spawn(full.c_str(), body);
    }

    void spawn(const char *name, const std::function<void()> &body) {
        simulator &s = simulator::get();
        std::string full = name;
        const cycle_t at = parent_ ? parent_->now : s.epoch;
        process *p = s.spawn(full, body, parent_, at);
        (void)p;
    }

    // Runs the region's processes to completion (as the scheduler from main(), or by
    // waiting for them when called from inside a process).
    void run() {
        simulator &s = simulator::get();
        if (!parent_) {
            s.run();
            return;
        }
        parent_->region = true;
        if (parent_->live_children > 0) {
            parent_->state = JOINING;
            s.yield();
        }
    }

  private:
    process *parent_;
};

// Names a declared stream (arrays element by element) and sets its depth.
template <class S>
void declare(S &s, const std::string &name, unsigned depth) {
    s.name = name;
    s.set_depth(depth);
}

template <class S>
void declare_local(S &s, const std::string &name, unsigned depth) {
    declare(s, self() ? self()->name + "." + name : name, depth);
}

template <class S, size_t N>
void declare(S (&a)[N], const std::string &name, unsigned depth) {
    for (size_t i = 0; i < N; i++) {
        char idx[32];
        std::snprintf(idx, sizeof idx, "[%u]", (unsigned)i);
        declare(a[i], name + idx, depth);
    }
}

// ------------------------------------------------------------------------ the report

inline std::string json_string(const std::string &text) {
    std::string out = "\"";
    for (size_t i = 0; i < text.size(); i++) {
        const char c = text[i];
        if (c == '"' || c == '\\') out += '\\';
        if ((unsigned char)c < 0x20) continue;
        out += c;
    }
    return out + "\"";
}

// The simulator's part of timed.json: "cycles", "deadlock", "processes", "fifos".
inline void write_json_fields(FILE *f) {
    simulator &s = simulator::get();
    std::fprintf(f, "\"cycles\": %llu,\n\"deadlock\": %s,\n\"processes\": [", s.epoch,
                 s.deadlock.empty() ? "null" : json_string(s.deadlock).c_str());
    for (size_t i = 0; i < s.procs.size(); i++) {
        const process *p = s.procs[i];
        const cycle_t end = p->state == DONE ? p->finish : p->now;
        std::fprintf(f,
                     "%s\n  {\"name\": %s, \"region\": %s, \"done\": %s, \"start\": %llu, "
                     "\"finish\": %llu, \"starved\": %llu, \"blocked\": %llu, "
                     "\"samples\": %llu, \"control_samples\": %llu, "
                     "\"first_sample\": [%llu, %llu, %llu], \"last_sample\": [%llu, %llu, %llu], "
                     "\"peak\": %lld}",
                     i ? "," : "", json_string(p->name).c_str(), p->region ? "true" : "false",
                     p->state == DONE ? "true" : "false", p->start, end, p->starved, p->blocked,
                     p->samples[0], p->samples[1], p->first_mark[0], p->first_mark[1],
                     p->first_mark[2], p->last_mark[0], p->last_mark[1], p->last_mark[2],
                     p->peak);
    }
    std::fprintf(f, "\n],\n\"fifos\": [");
    std::vector<fifo_record> all = s.records;
    for (size_t i = 0; i < s.live.size(); i++) {
        const fifo_base *q = s.live[i];
        if (q->writes == 0 && q->reads == 0) continue;
        fifo_record r;
        r.name = q->name;
        r.writer = q->writer ? q->writer->name : "";
        r.reader = q->reader ? q->reader->name : "";
        r.depth = q->depth;
        r.words = q->writes;
        r.peak = q->peak;
        all.push_back(r);
    }
    for (size_t i = 0; i < all.size(); i++) {
        std::fprintf(f,
                     "%s\n  {\"name\": %s, \"writer\": %s, \"reader\": %s, \"depth\": %u, "
                     "\"words\": %llu, \"peak\": %u}",
                     i ? "," : "", json_string(all[i].name).c_str(),
                     json_string(all[i].writer).c_str(), json_string(all[i].reader).c_str(),
                     all[i].depth, all[i].words, all[i].peak);
    }
    std::fprintf(f, "\n]");
}

// --------------------------------------------------------------------- the DMA model

// A seeded generator (xorshift64*): the same --seed gives the same stalls on every machine.
class stall_source {
  public:
    explicit stall_source(unsigned long long seed) : x_(seed ? seed : 0x9E3779B97F4A7C15ULL) {}
    // Cycles to wait before the next beat: 0 with probability 1 - P per cycle.
    cycle_t wait() {
        const double p = simulator::get().config.stall;
        if (p <= 0.0) return 0;
        cycle_t n = 0;
        while (uniform() < p) n++;
        return n;
    }

  private:
    unsigned long long x_;
    double uniform() {
        x_ ^= x_ >> 12;
        x_ ^= x_ << 25;
        x_ ^= x_ >> 27;
        return (double)((x_ * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
    }
};

}  // namespace timed
}  // namespace eecc

#endif  // EECC_TIMED_H
