// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-size-buffers | filecheck %s
// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-size-buffers="headroom=8.0" | filecheck %s --check-prefix=HEADROOM
// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-size-buffers="min_depth=5" | filecheck %s --check-prefix=MIN
// RUN: not eecc-opt %examples/blenet/blenet.mlir --ee-size-buffers="min_depth=0" 2>&1 | filecheck %s --check-prefix=ERR
// B-LeNet unfolded: the exit branch + decision take 122234 cycles, under one backbone
// interval (128000), so each condbuffer waits for one map: depth pow2(max(2, 2 * 1)) = 2.

// CHECK:      ee.condbuffer {{.*}} {mode = "pass-on-exit", depth = 2 : i64} : !ee.stream<10xf32>
// CHECK-NEXT: ee.condbuffer {{.*}} {mode = "drop-on-exit", depth = 2 : i64} : !ee.stream<5x16x16xf32>

// HEADROOM:      ee.condbuffer {{.*}} {mode = "pass-on-exit", depth = 8 : i64}
// HEADROOM-NEXT: ee.condbuffer {{.*}} {mode = "drop-on-exit", depth = 8 : i64}

// MIN:      ee.condbuffer {{.*}} {mode = "pass-on-exit", depth = 8 : i64}
// MIN-NEXT: ee.condbuffer {{.*}} {mode = "drop-on-exit", depth = 8 : i64}

// ERR: eecc-opt: error: 'ee-size-buffers' min_depth=0 must be at least 1
