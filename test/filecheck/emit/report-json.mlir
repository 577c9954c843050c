// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --ee-estimate -t report-json > %t.a.json
// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --ee-estimate -t report-json > %t.b.json
// RUN: diff %t.a.json %t.b.json
// RUN: filecheck %s < %t.a.json
// RUN: eecc-opt %examples/blenet/blenet.mlir -t "report-json{platform=vu440 batch=256}" | filecheck %s --check-prefix=OPTS
// The JSON report: sorted keys, fixed rounding, the same bytes on every run.

// CHECK:      "batch": 1024,
// CHECK-NEXT: "clock_mhz": 125.0,
// CHECK-NEXT: "fold_exact": true,
// CHECK-NEXT: "ops": [
// CHECK-NEXT:   {
// CHECK-NEXT:     "depth_cycles": 170,
// CHECK-NEXT:     "fold": {},
// CHECK-NEXT:     "latency_cycles": 128000,
// CHECK-NEXT:     "name": "conv_0",
// CHECK-NEXT:     "op": "ee.conv",
// CHECK-NEXT:     "rate": 1.0,
// CHECK:      "platform": "zc706",
// CHECK-NEXT: "queue_depths": [
// CHECK-NEXT:   2
// CHECK-NEXT: ],
// CHECK-NEXT: "queue_model": "event",
// CHECK-NEXT: "queue_slacks": [
// CHECK-NEXT:   {
// CHECK-NEXT:     "down": 0.7792,
// CHECK-NEXT:     "up": 0.25
// CHECK-NEXT:   }
// CHECK-NEXT: ],
// CHECK-NEXT: "repacks": [],
// CHECK-NEXT: "resources": {
// CHECK-NEXT:   "bram": 63,
// CHECK-NEXT:   "dsp": 14,
// CHECK-NEXT:   "ff": 33461,
// CHECK-NEXT:   "lut": 27180
// CHECK-NEXT: },
// CHECK-NEXT: "shell": {
// CHECK:      "stages": [
// CHECK-NEXT:   {
// CHECK-NEXT:     "bottleneck": "conv_0",
// CHECK-NEXT:     "depth_cycles": 7368,
// CHECK-NEXT:     "index": 0,
// CHECK-NEXT:     "interval_cycles": 128000,
// CHECK-NEXT:     "rate": 1.0,
// CHECK:          "throughput": 976.508
// CHECK:          "bottleneck": "conv_3",
// CHECK-NEXT:     "depth_cycles": 9375,
// CHECK-NEXT:     "index": 1,
// CHECK-NEXT:     "interval_cycles": 720000,
// CHECK-NEXT:     "rate": 0.25,
// CHECK:          "throughput": 173.609
// CHECK:      "throughput": 616.229,
// CHECK-NEXT: "throughput_infinite_buffer": 694.436

// OPTS: "batch": 256,
// OPTS: "platform": "vu440",
