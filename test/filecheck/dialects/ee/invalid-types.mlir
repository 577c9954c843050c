// RUN: eecc-opt %s --split-input-file --verify-diagnostics --parsing-diagnostics | filecheck %s
// Malformed types and annotation attributes are rejected with a message naming the field.

// fixed width out of range
builtin.module {
  func.func @f(%x: !ee.stream<4x!ee.fixed<80, 8>>) {
    func.return
  }
}
// CHECK: 'ee.fixed' width 80 is outside [2, 32]

// -----

// fixed int bits beyond width
builtin.module {
  func.func @f(%x: !ee.stream<4x!ee.fixed<16, 20>>) {
    func.return
  }
}
// CHECK: 'ee.fixed' int_bits 20 is outside [1, width=16]

// -----

// stream of rank 2
builtin.module {
  func.func @f(%x: !ee.stream<4x8xf32>) {
    func.return
  }
}
// CHECK: 'ee.stream' shape [4, 8] must have rank 1 (N) or 3 (C x H x W)

// -----

// stream with a zero dimension
builtin.module {
  func.func @f(%x: !ee.stream<0x8x8xf32>) {
    func.return
  }
}
// CHECK: 'ee.stream' shape [0, 8, 8] must be static and positive

// -----

// stream of integers
builtin.module {
  func.func @f(%x: !ee.stream<4xi32>) {
    func.return
  }
}
// CHECK: 'ee.stream' element type i32 is not f32, f64 or !ee.fixed<W, I>

// -----

// unknown fold field
builtin.module {
  func.func @f(%x: !ee.stream<4xf32>) {
    %0 = ee.relu %x {fold = #ee.fold<coarsex = 2>} : !ee.stream<4xf32>
    func.return
  }
}
// CHECK: 'ee.fold' has no field 'coarsex' (fields: coarse_in, coarse_out, fine, coarse)

// -----

// fold field given twice
builtin.module {
  func.func @f(%x: !ee.stream<4xf32>) {
    %0 = ee.relu %x {fold = #ee.fold<coarse = 2, coarse = 2>} : !ee.stream<4xf32>
    func.return
  }
}
// CHECK: 'ee.fold' field 'coarse' given twice

// -----

// fold factor zero
builtin.module {
  func.func @f(%x: !ee.stream<4xf32>) {
    %0 = ee.relu %x {fold = #ee.fold<coarse = 0>} : !ee.stream<4xf32>
    func.return
  }
}
// CHECK: 'ee.fold' coarse=0 must be at least 1

// -----

// cost with a missing field
builtin.module {
  func.func @f(%x: !ee.stream<4xf32>) {
    %0 = ee.relu %x {cost = #ee.cost<latency = 4, depth = 1, lut = 1, ff = 1, dsp = 0>} : !ee.stream<4xf32>
    func.return
  }
}
// CHECK: 'ee.cost' is missing field(s) bram

// -----

// negative cost
builtin.module {
  func.func @f(%x: !ee.stream<4xf32>) {
    %0 = ee.relu %x {cost = #ee.cost<latency = 4, depth = 1, lut = -1, ff = 1, dsp = 0, bram = 0>} : !ee.stream<4xf32>
    func.return
  }
}
// CHECK: 'ee.cost' lut=-1 must not be negative

// -----

// fixed width one above the HLS library's 32 bits
builtin.module {
  func.func @f(%x: !ee.stream<4x!ee.fixed<33, 16>>) {
    func.return
  }
}
// CHECK: 'ee.fixed' width 33 is outside [2, 32] (the HLS library's arithmetic is 32-bit)

// -----

// a feature map larger than eecc supports
builtin.module {
  func.func @f(%x: !ee.stream<1x100000x100000xf32>) {
    func.return
  }
}
// CHECK: 'ee.stream' shape 1x100000x100000 has 10000000000 words per sample; eecc supports feature maps of at most 16777216 (2^24)
