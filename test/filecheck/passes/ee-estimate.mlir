// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-estimate | filecheck %s
// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-estimate="platform=vu440 batch=256 queue=infinite" | filecheck %s --check-prefix=OPTS
// RUN: not eecc-opt %examples/blenet/blenet.mlir --ee-estimate=platform=nope 2>&1 | filecheck %s --check-prefix=PLATFORM
// RUN: not eecc-opt %examples/blenet/blenet.mlir --ee-estimate=queue=lossy 2>&1 | filecheck %s --check-prefix=QUEUE
// RUN: not eecc-opt %examples/blenet/blenet.mlir --ee-estimate=batch=0 2>&1 | filecheck %s --check-prefix=BATCH
// Costs at the current (unfolded) folds: conv1 1->5 k5 pad 4 on 28x28 takes
// max(36*36*1, 32*32*1*5*25) = 128000 cycles; stage 0's interval is that, stage 1's is
// conv3's 10->20 k5 pad 3 on 10x10: max(16*16*10, 12*12*10*20*25) = 720000.

// CHECK:       ee.graph @blenet({{.*}}) -> !ee.stream<10xf32> attributes {ee.platform = "zc706", ee.batch = 1024 : i64, ee.queue = "finite", ee.throughput = {{.*}} : f64} {
// CHECK-NEXT:    ee.stage 0 rate 1.000000e+00 {{.*}} attributes {cost = #ee.cost<latency = 128000, depth = 7368, lut = 13659, ff = 16456, dsp = 11, bram = 60>} {
// CHECK-NEXT:      ee.conv %x {{.*}} cost = #ee.cost<latency = 128000, depth = 170, lut = 4441, ff = 5148, dsp = 1, bram = 2>
// CHECK:           ee.exit_decision {{.*}} cost = #ee.cost<latency = 10, depth = 180, lut = 1818, ff = 1498, dsp = 8, bram = 9>
// CHECK-NEXT:      ee.condbuffer {{.*}} cost = #ee.cost<latency = 10, depth = 1, lut = 53, ff = 45, dsp = 0, bram = 1>
// CHECK-NEXT:      ee.condbuffer {{.*}} cost = #ee.cost<latency = 1280, depth = 1, lut = 113, ff = 106, dsp = 0, bram = 32>
// CHECK:         ee.stage 1 rate 2.500000e-01 {{.*}} attributes {cost = #ee.cost<latency = 720000, depth = 9375, lut = 13521, ff = 17005, dsp = 3, bram = 31>} {
// CHECK-NEXT:      ee.conv {{.*}} cost = #ee.cost<latency = 500000,

// OPTS: ee.graph @blenet({{.*}}) -> !ee.stream<10xf32> attributes {ee.platform = "vu440", ee.batch = 256 : i64, ee.queue = "infinite", ee.throughput = {{.*}} : f64} {

// PLATFORM: eecc-opt: error: unknown platform 'nope' (known: vu440, zc706, zcu106; or give a .json path)
// PLATFORM-NOT: Traceback
// QUEUE: eecc-opt: error: 'ee-estimate' queue "lossy" is not "finite" or "infinite"
// BATCH: eecc-opt: error: 'ee-estimate' batch=0 must be at least 1
