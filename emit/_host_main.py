"""The static text of `host/main.c` (all model data comes from `model_params.h`)."""

MAIN_C = r"""/* eecc: bare-metal host program of an early-exit accelerator (Xilinx standalone BSP).
 *
 * Packs a batch of inputs into 32-bit DMA words (sample ID in bits 31..16, raw data in
 * 15..0), closes it with EECC_IN_LANES end-token beats (0xFFFF0000; the DMA raises TLAST on
 * the last), runs it through the AXI DMA in simple mode with polling, and reads the exit
 * merge's output: one result of EECC_OUT_WORDS words per sample, in completion order, then
 * the end tokens. Results are re-associated by ID, timed with XTime and printed.
 *
 * Inputs: eecc_input_word(sample, k) gives word k (H, W, C order) of a sample as raw
 * fixed-point bits; the default is a fixed pseudo-random pattern in [-1, 1). Define
 * EECC_HAVE_INPUTS and link your own to feed real data.
 */
#include <stdint.h>

#include "xaxidma.h"
#include "xil_cache.h"
#include "xil_printf.h"
#include "xparameters.h"
#include "xtime_l.h"

#include "model_params.h"

#define TX_WORDS (EECC_BATCH * EECC_IN_WORDS + EECC_IN_LANES)
#define RX_WORDS (EECC_BATCH * EECC_OUT_WORDS + EECC_OUT_LANES)

static u32 tx_buf[TX_WORDS] __attribute__((aligned(64)));
static u32 rx_buf[RX_WORDS] __attribute__((aligned(64)));
static int16_t results[EECC_BATCH][EECC_OUT_WORDS];
static uint8_t seen[EECC_BATCH];
static XAxiDma dma;

#ifndef EECC_HAVE_INPUTS
int16_t eecc_input_word(u32 sample, u32 k) {
    u32 x = (sample * 2654435761u) ^ (k * 40503u + 0x9E3779B9u);
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return (int16_t)((int32_t)(x % (2u << EECC_IN_FRAC_BITS)) - (1 << EECC_IN_FRAC_BITS));
}
#else
int16_t eecc_input_word(u32 sample, u32 k);
#endif

static void pack_batch(void) {
    u32 n = 0;
    for (u32 s = 0; s < EECC_BATCH; s++) {
        for (u32 k = 0; k < EECC_IN_WORDS; k++) {
            tx_buf[n++] = (s << 16) | (u16)eecc_input_word(s, k);
        }
    }
    for (u32 l = 0; l < EECC_IN_LANES; l++) {
        tx_buf[n++] = EECC_END_TOKEN;
    }
}

static int init_dma(void) {
    XAxiDma_Config *cfg = XAxiDma_LookupConfig(EECC_DMA_DEVICE_ID);
    if (cfg == NULL || XAxiDma_CfgInitialize(&dma, cfg) != XST_SUCCESS) {
        xil_printf("eecc: DMA initialisation failed\r\n");
        return -1;
    }
    if (XAxiDma_HasSg(&dma)) {
        xil_printf("eecc: the DMA is in scatter-gather mode, expected simple mode\r\n");
        return -1;
    }
    XAxiDma_IntrDisable(&dma, XAXIDMA_IRQ_ALL_MASK, XAXIDMA_DEVICE_TO_DMA);
    XAxiDma_IntrDisable(&dma, XAXIDMA_IRQ_ALL_MASK, XAXIDMA_DMA_TO_DEVICE);
    return 0;
}

/* Starts S2MM then MM2S, polls both; returns the bytes received or -1. */
static int run_batch(XTime *t0, XTime *t1) {
    Xil_DCacheFlushRange((UINTPTR)tx_buf, sizeof tx_buf);
    Xil_DCacheInvalidateRange((UINTPTR)rx_buf, sizeof rx_buf);
    XTime_GetTime(t0);
    if (XAxiDma_SimpleTransfer(&dma, (UINTPTR)rx_buf, sizeof rx_buf, XAXIDMA_DEVICE_TO_DMA)
            != XST_SUCCESS ||
        XAxiDma_SimpleTransfer(&dma, (UINTPTR)tx_buf, sizeof tx_buf, XAXIDMA_DMA_TO_DEVICE)
            != XST_SUCCESS) {
        xil_printf("eecc: DMA transfer refused\r\n");
        return -1;
    }
    while (XAxiDma_Busy(&dma, XAXIDMA_DMA_TO_DEVICE)) {
    }
    while (XAxiDma_Busy(&dma, XAXIDMA_DEVICE_TO_DMA)) {
    }
    XTime_GetTime(t1);
    Xil_DCacheInvalidateRange((UINTPTR)rx_buf, sizeof rx_buf);
    return (int)XAxiDma_ReadReg(dma.RegBase + XAXIDMA_RX_OFFSET, XAXIDMA_BUFFLEN_OFFSET);
}

/* Walks the merge output result by result; returns the samples collected or -1. */
static int collect(u32 words) {
    u32 count = 0;
    for (u32 i = 0; i + EECC_OUT_WORDS <= words; i += EECC_OUT_WORDS) {
        if (rx_buf[i] == EECC_END_TOKEN) {
            break;
        }
        u32 id = rx_buf[i] >> 16;
        if (id >= EECC_BATCH || seen[id]) {
            xil_printf("eecc: result %u carries a bad or repeated ID %u\r\n", count, id);
            return -1;
        }
        for (u32 w = 0; w < EECC_OUT_WORDS; w++) {
            if ((rx_buf[i + w] >> 16) != id) {
                xil_printf("eecc: result of sample %u is interleaved with another\r\n", id);
                return -1;
            }
            results[id][w] = (int16_t)(rx_buf[i + w] & 0xFFFFu);
        }
        seen[id] = 1;
        count++;
    }
    return (int)count;
}

static u32 argmax(const int16_t *v) {
    u32 best = 0;
    for (u32 w = 1; w < EECC_OUT_WORDS; w++) {
        if (v[w] > v[best]) {
            best = w;
        }
    }
    return best;
}

int main(void) {
    XTime t0, t1;
    xil_printf("eecc: %s, batch of %u\r\n", EECC_MODEL, EECC_BATCH);
    if (init_dma() != 0) {
        return 1;
    }
    pack_batch();
    int bytes = run_batch(&t0, &t1);
    if (bytes < 0) {
        return 1;
    }
    int count = collect((u32)bytes / 4u);
    if (count != (int)EECC_BATCH) {
        xil_printf("eecc: %d results for %u samples\r\n", count, EECC_BATCH);
        return 1;
    }
    for (u32 id = 0; id < EECC_BATCH; id++) {
        xil_printf("sample %u: class %u\r\n", id, argmax(results[id]));
    }
    u64 ticks = (u64)(t1 - t0);
    u64 rate = ticks ? (u64)EECC_BATCH * COUNTS_PER_SECOND / ticks : 0;
    xil_printf("eecc: %u samples in %u us: %u samples/s\r\n", EECC_BATCH,
               (u32)(ticks * 1000000u / COUNTS_PER_SECOND), (u32)rate);
    return 0;
}
"""
