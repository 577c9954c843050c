// eecc HLS library: schedule annotations for the timed C simulation (docs/timed-csim.md).
//
// Each loop of the library carries, next to its HLS pragma, the cycles Vivado HLS's
// documented scheduling gives it.  The macros vanish unless the build defines EECC_TIMED.
//   EECC_PIPELINED(ii, depth)  before a pipelined loop (or the outermost loop of a perfect,
//                              flattened nest): 1 cycle to enter, one iteration every `ii`
//                              cycles, writes `depth - 1` cycles after the iteration's reads,
//                              `depth` cycles after the last iteration starts to leave.
//   EECC_ITER()                first statement of the pipelined (innermost) loop body.
//   EECC_STEP(n)               n cycles of sequential states (a loop header, a statement
//                              between loops).
//   EECC_PEAK(v)               records the maximum of a value (condbuffer occupancy).
//   EECC_MARK(t) / EECC_IDLE_SINCE(t), EECC_IDLE(n)
//                              a polling loop's round (n cycles) that found nothing counts
//                              as starved.
//   EECC_STALLED(n)            n cycles a polling loop could not go on for lack of room
//                              count as blocked.
// In a DATAFLOW top:
//   EECC_STREAM(var, depth)    the depth of a declared stream (as #pragma HLS STREAM).
//   EECC_DATAFLOW_BEGIN() / EECC_PROCESS("name", call) / EECC_DATAFLOW_END()
//                              every call one process of the region.
// Inside a library layer (a DATAFLOW of modules):
//   EECC_SUBPROCESS("module", call), EECC_LOCAL_STREAM(var, depth)
//                              named after the layer's process: "<layer>.module".
#ifndef EECC_SCHEDULE_H
#define EECC_SCHEDULE_H

#ifdef EECC_TIMED
#define EECC_PIPELINED(ii, depth)                                         \
    for (eecc::timed::pipeline_guard eecc_pipeline_guard_((ii), (depth)); \
         eecc_pipeline_guard_.once();)
#define EECC_ITER() eecc::timed::loop_iteration()
#define EECC_STEP(n) eecc::timed::step(n)
#define EECC_PEAK(v) eecc::timed::gauge((long long)(v))
#define EECC_MARK(t) const unsigned long long t = eecc::timed::clock()
#define EECC_IDLE_SINCE(t) eecc::timed::idle_since(t)
#define EECC_IDLE(n) eecc::timed::idle(n)
#define EECC_STALLED(n) eecc::timed::stalled(n)
#define EECC_STREAM(var, depth) eecc::timed::declare(var, #var, depth)
#define EECC_DATAFLOW_BEGIN() eecc::timed::region eecc_region_
#define EECC_PROCESS(name, ...) eecc_region_.spawn(name, [&]() { __VA_ARGS__; })
#define EECC_SUBPROCESS(name, ...) eecc_region_.spawn_child(name, [&]() { __VA_ARGS__; })
#define EECC_LOCAL_STREAM(var, depth) eecc::timed::declare_local(var, #var, depth)
#define EECC_DATAFLOW_END() eecc_region_.run()
#else
#define EECC_PIPELINED(ii, depth)
#define EECC_ITER() \
    do {            \
    } while (0)
#define EECC_STEP(n) \
    do {             \
    } while (0)
#define EECC_PEAK(v) \
    do {             \
    } while (0)
#define EECC_MARK(t)
#define EECC_IDLE(n) \
    do {             \
    } while (0)
#define EECC_STALLED(n) \
    do {                \
    } while (0)
#define EECC_IDLE_SINCE(t) \
    do {                   \
    } while (0)
#define EECC_STREAM(var, depth) \
    do {                        \
    } while (0)
#define EECC_DATAFLOW_BEGIN() \
    do {                      \
    } while (0)
#define EECC_PROCESS(name, ...) __VA_ARGS__
#define EECC_SUBPROCESS(name, ...) __VA_ARGS__
#define EECC_LOCAL_STREAM(var, depth) \
    do {                              \
    } while (0)
#define EECC_DATAFLOW_END() \
    do {                    \
    } while (0)
#endif

namespace eecc {

// Compile-time helpers of the scheduling rules.
template <unsigned A, unsigned B>
struct ceil_div {
    static const unsigned value = (A + B - 1) / B;
};

template <unsigned N>
struct clog2 {  // ceil(log2(N)), N >= 1
    static const unsigned value = N <= 1 ? 0 : 1 + clog2<(N + 1) / 2>::value;
};
template <>
struct clog2<1> {
    static const unsigned value = 0;
};
template <>
struct clog2<0> {
    static const unsigned value = 0;
};

// A BRAM bank has two ports: `accesses` per cycle to one bank need ceil(accesses / 2) cycles.
template <unsigned ACCESSES>
struct port_ii {
    static const unsigned value = ACCESSES <= 2 ? 1 : (ACCESSES + 1) / 2;
};

template <unsigned A, unsigned B>
struct max_of {
    static const unsigned value = A > B ? A : B;
};

template <unsigned A, unsigned B>
struct min_of {
    static const unsigned value = A < B ? A : B;
};

}  // namespace eecc

#endif  // EECC_SCHEDULE_H
