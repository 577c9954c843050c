// RUN: eecc import %examples/blenet/blenet.onnx | eecc-opt --convert-onnx-to-ee --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --ee-estimate -t report | filecheck %s
// RUN: eecc-opt %examples/blenet/blenet.mlir --ee-partition --ee-annotate-rates=p=0.25 --ee-size-buffers --ee-estimate -t report | filecheck %s --check-prefix=MLIR
// B-LeNet from ONNX, unfolded, p = 0.25: two stages; stage 0's interval is conv1's
// max(36*36*1, 32*32*1*5*25) = 128000 cycles, stage 1's conv3's max(16*16*10, 12*12*10*20*25)
// = 720000; T = B / ((interval * B + depth) / f) per stage, combined both ways.

// CHECK:      platform zc706 (xc7z045ffg900-2), 125 MHz, batch 1024
// CHECK:      stage  rate    interval  depth  samples/s  LUT    FF     DSP  BRAM  bottleneck
// CHECK-NEXT: 0      1.0000  128000    7368   976.5      13659  16456  11   32    /trunk/0/0/Conv
// CHECK-NEXT: 1      0.2500  720000    9375   173.6      13521  17005  3    31    /rest/0/3/Conv
// CHECK:      /trunk/0/0/Conv *      ee.conv           0      1.0000  -     128000   170    4441  5148  1    2
// CHECK:      /If                    ee.exit_decision  0      1.0000  -     10       180    1818  1498  8    9
// CHECK-NEXT: /If.condbuffer         ee.condbuffer     0      1.0000  -     10       1      53    45    0    1
// CHECK-NEXT: /If.condbuffer_1       ee.condbuffer     0      1.0000  -     1280     1      113   106   0    4
// CHECK:      /rest/0/3/Conv *       ee.conv           1      0.2500  -     720000   1041   5081  6154  1    11
// CHECK:      exit_merge_0           ee.exit_merge     0      1.0000  -     10       1      6     10    0    0
// CHECK:      shell (block design around the accelerator; rules in eecc/cost/shell.py)
// CHECK:      22 axis_data_fifo  339   406   0    30    one per stream link and lane
// CHECK:      total (accelerator + shell vs the platform)
// CHECK-NEXT: resource  accelerator  shell  total  available  share
// CHECK-NEXT: LUT       27180        3295   30475  218600     13.94%
// CHECK-NEXT: FF        33461        7359   40820  437200     9.34%
// CHECK-NEXT: DSP       14           0      14     900        1.56%
// CHECK-NEXT: BRAM      63           30     93     1090       8.53%
// CHECK:      throughput, finite condbuffers (event model, depths 2; slack up/down 0.25/0.78 maps): 616.2 samples/s
// CHECK-NEXT: throughput, infinite-buffer bound: 694.4 samples/s

// MLIR:      0      1.0000  128000    7368   976.5      13659  16456  11   32    conv_0
// MLIR-NEXT: 1      0.2500  720000    9375   173.6      13521  17005  3    31    conv_3
// MLIR:      conv_0 *         ee.conv
