// RUN: eecc-opt %s --ee-legalize-hls -t hls | filecheck %s

// A one-exit network in two stages with folds whose lanes differ between layers: every op
// becomes one config struct and one call, with a trace comment, in topological order.

builtin.module {
  ee.weight @c.w = dense<0.25> : tensor<4x1x3x3xf32>
  ee.weight @c.b = dense<0.5> : tensor<4xf32>
  ee.weight @e.w = dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<2x16xf32>
  ee.weight @f.w = dense<-0.125> : tensor<2x64xf32>
  ee.graph @net(%x: !ee.stream<1x4x4xf32>) -> !ee.stream<2xf32> attributes {source = "/models/net.onnx"} {
    %s0:2 = ee.stage 0 rate 1.000000e+00 -> !ee.stream<2xf32>, !ee.stream<4x4x4xf32> {
      %c = ee.conv %x weight @c.w bias @c.b {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, fold = #ee.fold<coarse_out = 4, fine = 9>} : !ee.stream<1x4x4xf32> -> !ee.stream<4x4x4xf32> loc("/conv/Conv")
      %a, %b = ee.split %c {fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4xf32> -> !ee.stream<4x4x4xf32>, !ee.stream<4x4x4xf32>
      %p = ee.pool %a {kernel = array<i64: 2, 2>, kind = "max", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4xf32> -> !ee.stream<4x2x2xf32>
      %fl = ee.flatten %p : !ee.stream<4x2x2xf32> -> !ee.stream<16xf32>
      %l = ee.linear %fl weight @e.w : !ee.stream<16xf32> -> !ee.stream<2xf32> loc("/exit/Gemm")
      %l1, %l2 = ee.split %l : !ee.stream<2xf32> -> !ee.stream<2xf32>, !ee.stream<2xf32>
      %d = ee.exit_decision %l1 {threshold = 0.9 : f64} : !ee.stream<2xf32>
      %e = ee.condbuffer %l2, %d {mode = "pass-on-exit"} : !ee.stream<2xf32>
      %k = ee.condbuffer %b, %d {mode = "drop-on-exit", depth = 8 : i64, fold = #ee.fold<coarse = 2>} : !ee.stream<4x4x4xf32>
      %y = ee.exit_merge %e, %s1 : !ee.stream<2xf32>, !ee.stream<2xf32> -> !ee.stream<2xf32>
      ee.yield %y, %k : !ee.stream<2xf32>, !ee.stream<4x4x4xf32>
    }
    %s1 = ee.stage 1 rate 2.500000e-01 -> !ee.stream<2xf32> {
      %r = ee.relu %s0#1 {rate = 2.500000e-01 : f64, fold = #ee.fold<coarse = 4>} : !ee.stream<4x4x4xf32>
      %f = ee.flatten %r : !ee.stream<4x4x4xf32> -> !ee.stream<64xf32>
      %o = ee.linear %f weight @f.w {fold = #ee.fold<coarse_in = 2>} : !ee.stream<64xf32> -> !ee.stream<2xf32>
      ee.yield %o : !ee.stream<2xf32>
    }
    ee.output %s0#0 : !ee.stream<2xf32>
  }
}

// CHECK-LABEL: // ===== hls/layers/ee_condbuffer_2_d16_top.cpp =====
// CHECK:       void ee_condbuffer_2_d16_top(hls::stream<eecc::axis_word> in[1], hls::stream<eecc::axis_word> &ctrl, hls::stream<eecc::axis_word> out[1]) {
// CHECK-NEXT:  #pragma HLS INTERFACE axis port=in
// CHECK-NEXT:  #pragma HLS INTERFACE axis port=ctrl
// CHECK-NEXT:  #pragma HLS INTERFACE axis port=out
// CHECK-NEXT:  #pragma HLS INTERFACE ap_ctrl_none port=return
// CHECK-NEXT:  #pragma HLS DATAFLOW
// CHECK:         EECC_PROCESS("{{[^"]*}}", eecc::ctrl_from_axis(ctrl, ctrl_s));
// CHECK:         EECC_PROCESS("{{[^"]*}}", eecc::condbuffer<ee_condbuffer_2_d16_cfg>(in_s, ctrl_s, out_s));
// CHECK-NEXT:    EECC_PROCESS("{{[^"]*}}", eecc::to_axis<1>(out_s, out));

// CHECK-LABEL: // ===== hls/layers/ee_exit_decision_2_top.cpp =====
// CHECK:       void ee_exit_decision_2_top(hls::stream<eecc::axis_word> in[1], hls::stream<eecc::axis_word> &ctrl0, hls::stream<eecc::axis_word> &ctrl1) {
// CHECK:         EECC_PROCESS("{{[^"]*}}", eecc::exit_decision<ee_exit_decision_2_cfg>(in_s, decision_s, eecc_exp_lut_f8));
// CHECK-NEXT:    EECC_PROCESS("{{[^"]*}}", eecc::ctrl_split<2>(decision_s, ctrl_s));
// CHECK-NEXT:    EECC_PROCESS("{{[^"]*}}", eecc::ctrl_to_axis(ctrl_s[0], ctrl0));
// CHECK-NEXT:    EECC_PROCESS("{{[^"]*}}", eecc::ctrl_to_axis(ctrl_s[1], ctrl1));

// CHECK-LABEL: // ===== hls/layers/ee_exit_merge_2_n2_top.cpp =====
// CHECK:       void ee_exit_merge_2_n2_top(hls::stream<eecc::axis_word> in0[1], hls::stream<eecc::axis_word> in1[1], hls::stream<eecc::axis_word> out[1], hls::stream<eecc::axis_word> &exit_index) {

// CHECK-LABEL: // ===== hls/model_config.h =====
// CHECK:       #include "eecc/eecc.h"
// CHECK:       struct ee_conv_4x4x4_k3_cfg : eecc::conv_config {
// CHECK:           static const unsigned in_c = 1;
// CHECK:           static const unsigned out_c = 4;
// CHECK:           static const unsigned coarse_in = 1;
// CHECK-NEXT:      static const unsigned coarse_out = 4;
// CHECK-NEXT:      static const unsigned fine = 9;
// CHECK-NEXT:      static const unsigned weight_width = 16;
// CHECK-NEXT:      static const unsigned weight_frac = 8;
// CHECK:       struct ee_split_4x4x4_n2_cfg : eecc::split_config {
// CHECK:           static const unsigned coarse = 2;
// CHECK-NEXT:      static const unsigned n_outputs = 2;
// CHECK:       struct ee_exit_decision_2_cfg : eecc::exit_config {
// CHECK-NEXT:      static const unsigned n_classes = 2;
// CHECK-NEXT:      static const unsigned coarse = 1;
// CHECK-NEXT:      static const unsigned frac_bits = 8;
// CHECK-NEXT:      static const unsigned long long threshold_q = 58982ULL;
// CHECK:       struct ee_condbuffer_4x4x4_d8_cfg : eecc::condbuffer_config {
// CHECK:           static const unsigned depth = 8;
// CHECK-NEXT:      static const eecc::condbuffer_mode mode = eecc::DROP_ON_EXIT;
// CHECK:       struct ee_exit_merge_2_n2_cfg : eecc::exit_merge_config {
// CHECK-NEXT:      static const unsigned n_inputs = 2;
// CHECK-NEXT:      static const unsigned words = 2;

// CHECK-LABEL: // ===== hls/model_top.cpp =====
// CHECK:       void model_top(hls::stream<eecc::word> in[1], hls::stream<eecc::word> out[1], hls::stream<eecc::word> &exit_index) {
// CHECK-NEXT:  #pragma HLS DATAFLOW
// CHECK:           hls::stream<eecc::word> ee_exit_merge_2_n2_in[2][1];
// CHECK-NEXT:  #pragma HLS STREAM variable=ee_exit_merge_2_n2_in depth=16
// CHECK:           hls::stream<eecc::ctrl_word> ee_exit_decision_2_ctrl_to[2];
// CHECK-NEXT:  #pragma HLS STREAM variable=ee_exit_decision_2_ctrl_to depth=32
// CHECK-NEXT:      EECC_STREAM(ee_exit_decision_2_ctrl_to, 32);
// CHECK:           // ee.conv @ net.onnx:/conv/Conv; stage=0; rate=1; fold=coarse_in=1,coarse_out=4,fine=9
// CHECK-NEXT:      EECC_PROCESS("{{[^"]*}}", eecc::conv<ee_conv_4x4x4_k3_cfg>(in, ee_conv_4x4x4_k3_out, ee_conv_4x4x4_k3_w, ee_conv_4x4x4_k3_b));
// CHECK:           // ee.repack; stage=0; rate=1; fold=lanes_in=4,lanes_out=2
// CHECK-NEXT:      EECC_PROCESS("{{[^"]*}}", eecc::repack<4, 2>(ee_conv_4x4x4_k3_out, ee_repack_4x4x4_l4to2_out));
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::split<ee_split_4x4x4_n2_cfg>(ee_repack_4x4x4_l4to2_out, ee_split_4x4x4_n2_out));
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::maxpool<ee_maxpool_4x2x2_k2_cfg>(ee_split_4x4x4_n2_out[0], ee_maxpool_4x2x2_k2_out));
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::repack<2, 1>(ee_maxpool_4x2x2_k2_out, ee_repack_16_l2to1_out));
// CHECK:           // ee.linear @ net.onnx:/exit/Gemm; stage=0; rate=1; fold=coarse_in=1,coarse_out=1
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::exit_decision<ee_exit_decision_2_cfg>(ee_split_2_n2_out[0], ee_exit_decision_2_ctrl, eecc_exp_lut_f8));
// CHECK-NEXT:      EECC_PROCESS("{{[^"]*}}", eecc::ctrl_split<2>(ee_exit_decision_2_ctrl, ee_exit_decision_2_ctrl_to));
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::condbuffer<ee_condbuffer_2_d16_cfg>(ee_split_2_n2_out[1], ee_exit_decision_2_ctrl_to[0], ee_exit_merge_2_n2_in[0]));
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::condbuffer<ee_condbuffer_4x4x4_d8_cfg>(ee_split_4x4x4_n2_out[1], ee_exit_decision_2_ctrl_to[1], ee_condbuffer_4x4x4_d8_out));
// CHECK:           // ee.relu; stage=1; rate=0.25; fold=coarse=4
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::linear<ee_linear_64_2_cfg>(ee_repack_64_l4to2_out, ee_exit_merge_2_n2_in[1], ee_linear_64_2_w, ee_linear_64_2_b));
// CHECK:           EECC_PROCESS("{{[^"]*}}", eecc::exit_merge<ee_exit_merge_2_n2_cfg>(ee_exit_merge_2_n2_in, out, exit_index));
// CHECK-NEXT:      EECC_DATAFLOW_END();
// CHECK-NEXT:  }

// The exit head's weight columns go from C, H, W to H, W, C order (4 channels of 2x2): column
// (h, w, c) holds PyTorch's column c*4 + h*2 + w + 1.
// CHECK-LABEL: // ===== hls/model_weights.h =====
// CHECK:       static const short ee_conv_4x4x4_k3_w[4][1][9] = {
// CHECK-NEXT:      64, 64, 64
// CHECK:       static const short ee_conv_4x4x4_k3_b[4] = {
// CHECK-NEXT:      128, 128, 128, 128
// CHECK:       static const short ee_linear_16_2_w[2][16] = {
// CHECK-NEXT:      256, 1280, 2304, 3328, 512, 1536, 2560, 3584, 768, 1792, 2816, 3840, 1024, 2048, 3072, 4096,
// CHECK:       static const unsigned eecc_exp_lut_f8[4097] = {
// CHECK-NEXT:      65536, 65280, 65026,
// CHECK:       static const short ee_linear_64_2_w[2][64] = {
// CHECK-NEXT:      -32, -32

// The layer IPs chained as the block design chains them, on the IR's FIFO depths.
// CHECK-LABEL: // ===== tb/board.cpp =====
// CHECK:       #include "../hls/layers/ee_conv_4x4x4_k3_top.cpp"
// CHECK:       void model_board(hls::stream<eecc::word> in_w[1], hls::stream<eecc::word> out_w[1], hls::stream<eecc::word> &exit_w) {
// CHECK:           hls::stream<eecc::axis_word> ee_exit_decision_2_ctrl_to[2];
// CHECK-NEXT:      EECC_STREAM(ee_exit_decision_2_ctrl_to, 32);
// CHECK:           EECC_PROCESS("dma.mm2s.to_axis", eecc::to_axis<1>(in_w, in));
// CHECK:           EECC_PROCESS("ee_exit_decision_2", ee_exit_decision_2_top(ee_split_2_n2_out[0], ee_exit_decision_2_ctrl_to[0], ee_exit_decision_2_ctrl_to[1]));
// CHECK:           EECC_PROCESS("ee_exit_merge_2_n2", ee_exit_merge_2_n2_top(ee_exit_merge_2_n2_in[0], ee_exit_merge_2_n2_in[1], out, exit_index));
// CHECK:           EECC_PROCESS("dma.s2mm.from_axis.1", eecc::from_axis<1>(&exit_index, &exit_w));

// CHECK-LABEL: // ===== tb/testbench.cpp =====
// CHECK:       #define EECC_DUT model_top
// CHECK:       static const unsigned IN_WORDS = 16, OUT_WORDS = 2;
// CHECK:       EECC_PROCESS("model_top", EECC_DUT(in, result, exit_index));
// CHECK:       EECC_DUT(in, result, exit_index);
