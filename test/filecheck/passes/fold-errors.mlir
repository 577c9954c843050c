// RUN: not eecc-opt %s --fold=budget=0.0 2>&1 | filecheck %s --check-prefix=ZERO
// RUN: not eecc-opt %s --fold=budget=1.5 2>&1 | filecheck %s --check-prefix=OVER
// RUN: not eecc-opt %s --fold=robust=1.5 2>&1 | filecheck %s --check-prefix=ROBUST
// RUN: not eecc-opt %s --fold=platform=zc999 2>&1 | filecheck %s --check-prefix=PLATFORM
// RUN: not eecc-opt %s --fold=budget=0.001 2>&1 | filecheck %s --check-prefix=UNFIT

// A budget is a share of each platform resource: (0, 1].
// ZERO: eecc-opt: error: 'fold' budget=0.0 is outside (0, 1]
// OVER: eecc-opt: error: 'fold' budget=1.5 is outside (0, 1]
// ROBUST: eecc-opt: error: 'fold' robust=1.5 is outside [0, 1]: it is the drift of the exit rate to fold for (e.g. 0.05)

// Platforms are shipped names or JSON paths.
// PLATFORM: eecc-opt: error: 'fold' unknown platform 'zc999' (known: vu440, zc706, zcu106; or give a .json path)

// Even the unfolded design overflows 0.1 % of the ZC706: the error names the resource and amounts.
// UNFIT: eecc-opt: error: 'fold' @tiny: the unfolded design needs {{[0-9]+}} LUT, {{[0-9]+}} FF, 1 DSP and 2 BRAM but budget 0.001 allows 219 LUT of 218600, 437 FF of 437200, 0.9 DSP of 900 and 1.09 BRAM of 1090; raise the budget

builtin.module {
  ee.weight @w = dense<1.000000e-02> : tensor<4x2x3x3xf32>
  ee.graph @tiny(%x: !ee.stream<2x4x4xf32>) -> !ee.stream<4x4x4xf32> {
    %0 = ee.conv %x weight @w {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : !ee.stream<2x4x4xf32> -> !ee.stream<4x4x4xf32>
    %1 = ee.relu %0 : !ee.stream<4x4x4xf32>
    ee.output %1 : !ee.stream<4x4x4xf32>
  }
}
