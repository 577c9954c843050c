/* Test stand-in for xtime_l.h: a counter that advances 1000 ticks per read. */
#ifndef XTIME_L_H
#define XTIME_L_H
#include "xil_types.h"
typedef u64 XTime;
#define COUNTS_PER_SECOND 325000000ull
void XTime_GetTime(XTime *t);
#endif
