/* Test stand-in for the AXI DMA driver (simple mode, polled), backed by fake_dma.c. */
#ifndef XAXIDMA_H
#define XAXIDMA_H
#include "xil_types.h"
#define XAXIDMA_DMA_TO_DEVICE 0x00
#define XAXIDMA_DEVICE_TO_DMA 0x01
#define XAXIDMA_IRQ_ALL_MASK 0x00007000
#define XAXIDMA_RX_OFFSET 0x00000030
#define XAXIDMA_BUFFLEN_OFFSET 0x00000028
typedef struct { u32 DeviceId; UINTPTR BaseAddr; int HasSg; } XAxiDma_Config;
typedef struct { UINTPTR RegBase; int HasSg; } XAxiDma;
XAxiDma_Config *XAxiDma_LookupConfig(u32 id);
int XAxiDma_CfgInitialize(XAxiDma *dma, XAxiDma_Config *cfg);
#define XAxiDma_HasSg(dma) ((dma)->HasSg)
void XAxiDma_IntrDisable(XAxiDma *dma, u32 mask, int direction);
int XAxiDma_SimpleTransfer(XAxiDma *dma, UINTPTR addr, u32 length, int direction);
int XAxiDma_Busy(XAxiDma *dma, int direction);
u32 XAxiDma_ReadReg(UINTPTR base, u32 offset);
#endif
