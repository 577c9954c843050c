// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --fold --ee-estimate -t report-json > %t.before
// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --fold --ee-estimate --ee-legalize-hls -t report-json > %t.after
// RUN: diff %t.before %t.after
// RUN: filecheck %s < %t.after

// The report is the same before and after --ee-legalize-hls: its repacks change lanes, not
// the network the cost model prices (the stage depths follow the ops through them), and the
// shell is counted on the block design of a legalised copy, so it is the same too.
// CHECK: "shell": {
// CHECK-NEXT: "adapters": {
// CHECK: "fifos": {
// CHECK-NEXT: "count": [[LINKS:[0-9]+]],
// CHECK: "fixed": {
// CHECK: "dma": {
// CHECK: "wrappers": {
// CHECK-NEXT: "ports": {{[0-9]+}},
// CHECK: "stages": [
// CHECK: "depth_cycles": 515,
// CHECK: "total_resources": {
// CHECK: "total_share": {
