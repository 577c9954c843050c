/* A fake DMA + accelerator for testing host/main.c on a PC.
 *
 * MM2S: checks the packed batch (IDs in bits 31..16 sample by sample, end tokens last).
 * S2MM: answers like an exit merge: one result of EECC_OUT_WORDS words per sample in
 * reverse sample order (completion order differs from input order), word w of sample s
 * = (s + w) % EECC_OUT_WORDS raised by 100 on w == s % EECC_OUT_WORDS, so the class
 * printed for sample s is s % EECC_OUT_WORDS; then the end tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include "xaxidma.h"
#include "xtime_l.h"
#include "model_params.h"

static XAxiDma_Config config = {0, 0x40400000u, 0};
static u32 *rx;
static u32 rx_capacity, rx_length;
static XTime now;

void XTime_GetTime(XTime *t) { now += 1000; *t = now; }
XAxiDma_Config *XAxiDma_LookupConfig(u32 id) { return id == 0 ? &config : NULL; }
int XAxiDma_CfgInitialize(XAxiDma *dma, XAxiDma_Config *cfg) {
    dma->RegBase = cfg->BaseAddr; dma->HasSg = cfg->HasSg; return XST_SUCCESS;
}
void XAxiDma_IntrDisable(XAxiDma *dma, u32 mask, int direction) {
    (void)dma; (void)mask; (void)direction;
}
int XAxiDma_Busy(XAxiDma *dma, int direction) { (void)dma; (void)direction; return 0; }
u32 XAxiDma_ReadReg(UINTPTR base, u32 offset) {
    if (offset != XAXIDMA_BUFFLEN_OFFSET || base != config.BaseAddr + XAXIDMA_RX_OFFSET) {
        fprintf(stderr, "fake dma: unexpected register read\n"); exit(2);
    }
    return rx_length;
}

static void answer(const u32 *tx, u32 words) {
    u32 expected = EECC_BATCH * EECC_IN_WORDS + EECC_IN_LANES;
    if (words != expected) { fprintf(stderr, "fake dma: %u words sent, expected %u\n", words, expected); exit(2); }
    for (u32 i = 0; i < EECC_BATCH * EECC_IN_WORDS; i++) {
        if (tx[i] >> 16 != i / EECC_IN_WORDS) { fprintf(stderr, "fake dma: bad ID at word %u\n", i); exit(2); }
    }
    for (u32 i = EECC_BATCH * EECC_IN_WORDS; i < words; i++) {
        if (tx[i] != EECC_END_TOKEN) { fprintf(stderr, "fake dma: missing end token\n"); exit(2); }
    }
    u32 n = 0;
    for (u32 k = 0; k < EECC_BATCH; k++) {
        u32 s = EECC_BATCH - 1 - k;
        for (u32 w = 0; w < EECC_OUT_WORDS; w++) {
            u32 value = (s + w) % EECC_OUT_WORDS + (w == s % EECC_OUT_WORDS ? 100u : 0u);
            rx[n++] = (s << 16) | value;
        }
    }
    for (u32 l = 0; l < EECC_OUT_LANES; l++) rx[n++] = EECC_END_TOKEN;
    if (n > rx_capacity) { fprintf(stderr, "fake dma: receive buffer too small\n"); exit(2); }
    rx_length = 4 * n;
}

int XAxiDma_SimpleTransfer(XAxiDma *dma, UINTPTR addr, u32 length, int direction) {
    (void)dma;
    if (direction == XAXIDMA_DEVICE_TO_DMA) { rx = (u32 *)addr; rx_capacity = length / 4; return XST_SUCCESS; }
    if (rx == NULL) { fprintf(stderr, "fake dma: MM2S started before S2MM\n"); exit(2); }
    answer((const u32 *)addr, length / 4);
    return XST_SUCCESS;
}
