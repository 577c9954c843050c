// RUN: not eecc-opt %s --ee-annotate-rates=p=1.5 2>&1 | filecheck %s --check-prefix=RANGE
// RUN: not eecc-opt %s --ee-annotate-rates=p=-0.5 2>&1 | filecheck %s --check-prefix=NEGATIVE
// RUN: not eecc-opt %s --ee-annotate-rates=p=0.5,0.2 2>&1 | filecheck %s --check-prefix=COUNT
// RUN: not eecc-opt %s --ee-annotate-rates 2>&1 | filecheck %s --check-prefix=NEITHER
// RUN: echo '{"exits": 3, "reach": [1.0, 0.5, 0.2]}' > %t.json
// RUN: not eecc-opt %s --ee-annotate-rates='profile="%t.json"' 2>&1 | filecheck %s --check-prefix=EXITS
// RUN: not eecc-opt %s --ee-annotate-rates='profile="%t.missing.json"' 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: echo 'not json' > %t.bad.json
// RUN: not eecc-opt %s --ee-annotate-rates='profile="%t.bad.json"' 2>&1 | filecheck %s --check-prefix=INVALID
// RUN: not eecc-opt %s --ee-annotate-rates='p=0.25 profile="%t.json"' 2>&1 | filecheck %s --check-prefix=BOTH
// Rates outside [0, 1], the wrong number of rates, a profile of another network, a missing or
// invalid profile file, and both or neither of profile and p are one-line errors.

builtin.module {
  ee.weight @h.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.weight @t.w = dense<1.000000e-01> : tensor<3x4xf32>
  ee.graph @two(%x: !ee.stream<4xf32>) -> !ee.stream<3xf32> {
    %0, %1 = ee.split %x : !ee.stream<4xf32> -> !ee.stream<4xf32>, !ee.stream<4xf32>
    %2 = ee.linear %0 weight @h.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %3, %4 = ee.split %2 : !ee.stream<3xf32> -> !ee.stream<3xf32>, !ee.stream<3xf32>
    %5 = ee.exit_decision %3 {threshold = 5.000000e-01 : f64} : !ee.stream<3xf32>
    %6 = ee.condbuffer %4, %5 {mode = "pass-on-exit"} : !ee.stream<3xf32>
    %7 = ee.condbuffer %1, %5 {mode = "drop-on-exit"} : !ee.stream<4xf32>
    %8 = ee.linear %7 weight @t.w : !ee.stream<4xf32> -> !ee.stream<3xf32>
    %9 = ee.exit_merge %6, %8 : !ee.stream<3xf32>, !ee.stream<3xf32> -> !ee.stream<3xf32>
    ee.output %9 : !ee.stream<3xf32>
  }
}

// RANGE: eecc-opt: error: 'ee-annotate-rates' rate 1.5 is outside [0, 1]
// RANGE-NOT: Traceback
// NEGATIVE: eecc-opt: error: 'ee-annotate-rates' rate -0.5 is outside [0, 1]
// COUNT: eecc-opt: error: 'ee-annotate-rates' p gives 2 rate(s) after the first stage, the network has 1
// NEITHER: eecc-opt: error: 'ee-annotate-rates' needs the rates of 1 stage(s) after the first: give p=... (e.g. p=0.25) or profile=PATH
// EXITS: eecc-opt: error: 'ee-annotate-rates' profile {{.*}}.json has 3 exits, the network has 2
// MISSING: eecc-opt: error: 'ee-annotate-rates' cannot read profile {{.*}}.missing.json: No such file or directory
// INVALID: eecc-opt: error: 'ee-annotate-rates' profile {{.*}}.bad.json is not valid JSON (line 1: Expecting value)
// BOTH: eecc-opt: error: 'ee-annotate-rates' takes profile or p, not both
