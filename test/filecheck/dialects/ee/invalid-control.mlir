// RUN: eecc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s
// Control ops check arity, thresholds, modes and where their control comes from.

// split with one output
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>) {
    %0 = ee.split %x : !ee.stream<3xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.split' has 1 output(s), expected at least 2

// -----

// split changing type
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>) {
    %0, %1 = ee.split %x : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<4xf32>
    func.return
  }
}
// CHECK: 'ee.split' output type !ee.stream<4xf32> differs from input type !ee.stream<3xf32>

// -----

// threshold above 1
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>) {
    %0 = ee.exit_decision %x {threshold = 1.5 : f64} : !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.exit_decision' threshold 1.5 is outside (0, 1]

// -----

// threshold of 0
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>) {
    %0 = ee.exit_decision %x {threshold = 0.0 : f64} : !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.exit_decision' threshold 0.0 is outside (0, 1]

// -----

// unknown criterion
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>) {
    %0 = ee.exit_decision %x {criterion = "entropy", threshold = 0.5 : f64} : !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.exit_decision' criterion "entropy" is not supported (supported: max-softmax)

// -----

// decision on a map
builtin.module {
  func.func @f(%x: !ee.stream<3x2x2xf32>) {
    %0 = ee.exit_decision %x {threshold = 0.5 : f64} : !ee.stream<3x2x2xf32>
    func.return
  }
}
// CHECK: 'ee.exit_decision' logits !ee.stream<3x2x2xf32> must be a vector (rank 1)

// -----

// condbuffer of unknown mode
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>) {
    %0 = ee.exit_decision %x {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %1 = ee.condbuffer %x, %0 {mode = "keep"} : !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.condbuffer' mode "keep" is not "pass-on-exit" or "drop-on-exit"

// -----

// condbuffer of depth 0
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>, %c: !ee.ctrl) {
    %0 = ee.exit_decision %x {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %1 = ee.condbuffer %x, %0 {depth = 0 : i64, mode = "drop-on-exit"} : !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.condbuffer' depth 0 must be at least 1 feature map

// -----

// condbuffer deeper than a batch (2^40 feature maps)
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>, %c: !ee.ctrl) {
    %0 = ee.exit_decision %x {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %1 = ee.condbuffer %x, %0 {depth = 1099511627776 : i64, mode = "drop-on-exit"} : !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.condbuffer' depth 1099511627776 is above 65535 feature maps (a batch has at most 65535 samples)

// -----

// condbuffer whose control is not a decision
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>, %c: !ee.ctrl) {
    %0 = ee.condbuffer %x, %c {mode = "drop-on-exit"} : !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.condbuffer' control operand must be the result of an 'ee.exit_decision'

// -----

// repack to lanes that do not divide channels
builtin.module {
  func.func @f(%x: !ee.stream<6x4x4xf32>) {
    %0 = ee.repack %x lanes 2 to 4 : !ee.stream<6x4x4xf32>
    func.return
  }
}
// CHECK: 'ee.repack' lanes_out=4 does not divide 6 channels

// -----

// merge of one input
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>) {
    %0 = ee.exit_merge %x : !ee.stream<3xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.exit_merge' has 1 input(s), expected one per exit (at least 2)

// -----

// merge of mismatched types
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>, %y: !ee.stream<4xf32>) {
    %0 = ee.exit_merge %x, %y : !ee.stream<3xf32>, !ee.stream<4xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.exit_merge' input type !ee.stream<4xf32> differs from result type !ee.stream<3xf32>

// -----

// merge with an unknown exit policy
builtin.module {
  func.func @f(%x: !ee.stream<3xf32>, %y: !ee.stream<3xf32>) {
    %0 = ee.exit_merge %x, %y {policy = "most-accurate"} : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    func.return
  }
}
// CHECK: 'ee.exit_merge' policy "most-accurate" is not supported (supported: first-confident, most-confident)
