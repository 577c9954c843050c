"""Bare-metal host program of a network's accelerator: `host/main.c` + `host/model_params.h`.

`main.c` is static (`eecc.emit._host_main`); everything model-specific is a `#define` in
`model_params.h`: words per input sample and per result, the lanes of the first layer and
of the merge (how many end-token beats close a batch), the batch, the input's fraction
bits, the clock and the throughput the cost model expects. Build it in the Xilinx SDK
(standalone BSP: xaxidma, xil_cache, xtime_l) on the hardware exported by Vivado.
"""

from __future__ import annotations

from eecc.cost.platform import Platform
from eecc.dialects.ee import FixedType, GraphOp, StreamType
from eecc.emit._host_main import MAIN_C
from eecc.emit._tcl_graph import Design

DEFAULT_FRAC_BITS = 8  # eecc's data format ap_fixed<16, 8> when the IR is still float


def _stream(value_type: object, what: str) -> StreamType:
    assert isinstance(value_type, StreamType), f"the graph's {what} is not a stream"
    return value_type


def _frac_bits(stream: StreamType) -> int:
    element = stream.element_type
    return element.frac_bits if isinstance(element, FixedType) else DEFAULT_FRAC_BITS


def _expected_throughput(graph: GraphOp) -> str:
    """Samples/s the cost model wrote on the graph (`ee-estimate`), or 0 when unknown."""
    attr = graph.attributes.get("ee.throughput")
    value = getattr(getattr(attr, "value", None), "data", None)
    return f"{float(value):.1f}" if isinstance(value, int | float) else "0.0"


def model_params_h(graph: GraphOp, design: Design, platform: Platform, model: str,
                   batch: int) -> str:
    """The text of `host/model_params.h`."""
    x = _stream(graph.function_type.inputs.data[0], "input")
    y = _stream(graph.function_type.outputs.data[0], "output")
    in_words, out_words = x.num_elements, y.num_elements
    shape = "x".join(str(d) for d in x.get_shape())
    return "\n".join([
        f"/* eecc: host parameters of '{model}' on {platform.name} (generated). */",
        "#ifndef EECC_MODEL_PARAMS_H",
        "#define EECC_MODEL_PARAMS_H",
        "",
        f'#define EECC_MODEL "{model}"',
        f"#define EECC_BATCH {batch}u            /* samples per DMA transfer (IDs 0..BATCH-1) */",
        f"#define EECC_IN_WORDS {in_words}u      /* words per input sample ({shape}, H, W, C order) */",
        f"#define EECC_IN_LANES {len(design.dma_in)}u       /* first layer's lanes: end-token beats in */",
        f"#define EECC_OUT_WORDS {out_words}u     /* words per result (one per class) */",
        f"#define EECC_OUT_LANES {len(design.dma_out)}u      /* merge's lanes: end-token beats out */",
        f"#define EECC_IN_FRAC_BITS {_frac_bits(x)}u   /* input data: raw = value * 2^F */",
        f"#define EECC_OUT_FRAC_BITS {_frac_bits(y)}u",
        f"#define EECC_CLOCK_MHZ {platform.clock_mhz:g}",
        f"#define EECC_EXPECTED_SAMPLES_PER_S {_expected_throughput(graph)}  /* cost model; 0 = unknown */",
        "#define EECC_DMA_DEVICE_ID XPAR_AXIDMA_0_DEVICE_ID",
        "#define EECC_END_TOKEN 0xFFFF0000u  /* TDATA of the end-of-batch beat (TLAST) */",
        "",
        "#if EECC_BATCH > 65535u",
        "#error \"sample IDs are 16 bits and 0xFFFF is the end token: EECC_BATCH must be < 65536\"",
        "#endif",
        "",
        "#endif /* EECC_MODEL_PARAMS_H */",
        "",
    ])


def host_files(graph: GraphOp, design: Design, platform: Platform, model: str,
               batch: int) -> dict[str, str]:
    """`host/main.c` and `host/model_params.h`."""
    return {
        "host/main.c": MAIN_C,
        "host/model_params.h": model_params_h(graph, design, platform, model, batch),
    }
