// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --fold --ee-estimate -t report-json > %t.before
// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --fold --ee-estimate --ee-legalize-hls -t report-json > %t.after
// RUN: diff %t.before %t.after
// RUN: filecheck %s < %t.after

// The report is the same before and after --ee-legalize-hls: its repacks change lanes, not
// the network the cost model prices (the stage depths follow the ops through them).
// CHECK: "stages": [
// CHECK: "depth_cycles": 507,
