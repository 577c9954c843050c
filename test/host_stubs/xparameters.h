/* Test stand-in for the BSP's generated xparameters.h. */
#ifndef XPARAMETERS_H
#define XPARAMETERS_H
#define XPAR_AXIDMA_0_DEVICE_ID 0
#endif
