// RUN: eecc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s
// Network-level invariants: stages, single-use streams, one merge with one input per exit.

// stage with a negative index
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %s = ee.stage -1 -> !ee.stream<3xf32> {
      %0 = ee.relu %x : !ee.stream<3xf32>
      ee.yield %0 : !ee.stream<3xf32>
    }
    ee.output %s : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.stage' index -1 is negative

// -----

// stage yielding the wrong types
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %s = ee.stage 0 -> !ee.stream<4xf32> {
      %0 = ee.relu %x : !ee.stream<3xf32>
      ee.yield %0 : !ee.stream<3xf32>
    }
    ee.output %x : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.stage' yields (!ee.stream<3xf32>), its results are (!ee.stream<4xf32>)

// -----

// graph returning the wrong type
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<4xf32> {
    ee.output %x : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.graph' @g returns (!ee.stream<3xf32>), its type says (!ee.stream<4xf32>)

// -----

// graph without ee.output
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %0 = ee.relu %x : !ee.stream<3xf32>
  }
}
// CHECK: Operation ee.relu terminates block in single-block region but is not a terminator

// -----

// stream with two consumers
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %0 = ee.relu %x : !ee.stream<3xf32>
    %1 = ee.relu %x : !ee.stream<3xf32>
    %2 = ee.add %0, %1 : !ee.stream<3xf32>
    ee.output %2 : !ee.stream<3xf32>
  }
}
// CHECK: stream produced by 'the graph input' has 2 consumers; fork it with 'ee.split'

// -----

// stream with no consumer
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %0 = ee.relu %x : !ee.stream<3xf32>
    %1 = ee.relu %0 : !ee.stream<3xf32>
    %2 = ee.relu %1 : !ee.stream<3xf32>
    %3, %4 = ee.split %2 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    ee.output %3 : !ee.stream<3xf32>
  }
}
// CHECK: stream produced by 'ee.split' has no consumer

// -----

// exit decision without a merge
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %0, %1 = ee.split %x : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %2, %3 = ee.split %0 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %4 = ee.exit_decision %2 {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %5 = ee.condbuffer %3, %4 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %6 = ee.condbuffer %1, %4 {mode = "drop-on-exit"} : !ee.stream<3xf32>
    %7 = ee.add %5, %6 : !ee.stream<3xf32>
    ee.output %7 : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.graph' @g has 1 exit decision(s) but no 'ee.exit_merge'

// -----

// merge arity that is not the number of exits
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %0, %1 = ee.split %x : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %2, %3 = ee.split %0 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %4 = ee.exit_decision %2 {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %5 = ee.condbuffer %3, %4 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %6 = ee.condbuffer %1, %4 {mode = "drop-on-exit"} : !ee.stream<3xf32>
    %7, %8 = ee.split %6 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %9 = ee.exit_merge %5, %7, %8 : !ee.stream<3xf32>, !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %9 : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.exit_merge' has 3 inputs but the network has 2 exits (1 exit decision(s) + the final classifier)

// -----

// control token returned from the graph
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.ctrl {
    %0 = ee.exit_decision %x {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
    ee.output %0 : !ee.ctrl
  }
}
// CHECK: control token of 'ee.exit_decision' feeds 'ee.output'; only 'ee.condbuffer' consumes control

// -----

// two merges
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %0, %1 = ee.split %x : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %2, %3 = ee.split %0 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %4 = ee.exit_decision %2 {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %5 = ee.condbuffer %3, %4 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %6 = ee.condbuffer %1, %4 {mode = "drop-on-exit"} : !ee.stream<3xf32>
    %7 = ee.exit_merge %5, %6 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    %8, %9 = ee.split %7 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %10 = ee.exit_merge %8, %9 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %10 : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.graph' @g has 2 exit merges, expected 1

// -----

// a graph with no layers
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    ee.output %x : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.graph' @g has no layers; eecc compiles networks of at least one layer

// -----

// two stages with index 0
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %s = ee.stage 0 -> !ee.stream<3xf32> {
      %0 = ee.relu %x : !ee.stream<3xf32>
      ee.yield %0 : !ee.stream<3xf32>
    }
    %t = ee.stage 0 -> !ee.stream<3xf32> {
      %1 = ee.relu %s : !ee.stream<3xf32>
      ee.yield %1 : !ee.stream<3xf32>
    }
    ee.output %t : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.graph' @g has stages [0, 0]; stage indices must be 0..1, each once

// -----

// the pass-on-exit buffer holds the backbone, not the logits the decision reads
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %a = ee.relu %x : !ee.stream<3xf32>
    %0, %1 = ee.split %a : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %l = ee.relu %0 : !ee.stream<3xf32>
    %h, %k = ee.split %l : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %4 = ee.exit_decision %h {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %5 = ee.condbuffer %1, %4 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %6 = ee.condbuffer %k, %4 {mode = "drop-on-exit"} : !ee.stream<3xf32>
    %7 = ee.relu %6 : !ee.stream<3xf32>
    %8 = ee.exit_merge %5, %7 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %8 : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.condbuffer' (pass-on-exit) of exit 0 holds a stream other than the logits its 'ee.exit_decision' reads

// -----

// two pass-on-exit buffers on one exit
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %a = ee.relu %x : !ee.stream<3xf32>
    %0, %1, %2 = ee.split %a : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>, !ee.stream<3xf32>
    %4 = ee.exit_decision %0 {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %5 = ee.condbuffer %1, %4 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %6 = ee.condbuffer %2, %4 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %7 = ee.exit_merge %5, %6 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %7 : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.exit_decision' of exit 0 drives 2 pass-on-exit condbuffers, expected 1 (the exit's result)

// -----

// exit_merge operands out of order: the final classifier first
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %a = ee.relu %x : !ee.stream<3xf32>
    %0, %1 = ee.split %a : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %2, %3 = ee.split %0 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %4 = ee.exit_decision %2 {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %5 = ee.condbuffer %3, %4 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %6 = ee.condbuffer %1, %4 {mode = "drop-on-exit"} : !ee.stream<3xf32>
    %7 = ee.relu %6 : !ee.stream<3xf32>
    %8 = ee.exit_merge %7, %5 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %8 : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.exit_merge' operand 0 is not exit 0's result; operand i must be the pass-on-exit condbuffer of exit i, the last the final classifier


// -----

// three exits: the second backbone buffer waits for the first exit's decision
builtin.module {
  ee.graph @g(%x: !ee.stream<3xf32>) -> !ee.stream<3xf32> {
    %a = ee.relu %x : !ee.stream<3xf32>
    %0, %1 = ee.split %a : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %h0 = ee.relu %0 : !ee.stream<3xf32>
    %i0, %j0 = ee.split %h0 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %d0 = ee.exit_decision %i0 {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %r0 = ee.condbuffer %j0, %d0 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %b0 = ee.condbuffer %1, %d0 {mode = "drop-on-exit"} : !ee.stream<3xf32>
    %c = ee.relu %b0 : !ee.stream<3xf32>
    %2, %3 = ee.split %c : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %h1 = ee.relu %2 : !ee.stream<3xf32>
    %i1, %j1 = ee.split %h1 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %d1 = ee.exit_decision %i1 {threshold = 0.5 : f64} : !ee.stream<3xf32>
    %r1 = ee.condbuffer %j1, %d1 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %b1 = ee.condbuffer %3, %d0 {mode = "drop-on-exit"} : !ee.stream<3xf32>
    %f = ee.relu %b1 : !ee.stream<3xf32>
    %m = ee.exit_merge %r0, %r1, %f : !ee.stream<3xf32>, !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %m : !ee.stream<3xf32>
  }
}
// CHECK: 'ee.condbuffer' (drop-on-exit) held by exit 0's decision buffers a stream that does not feed that exit; a backbone buffer waits for the decision of the exit that branches off before it
