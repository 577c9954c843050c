/* Test stand-in for the Xilinx standalone BSP's xil_types.h. */
#ifndef XIL_TYPES_H
#define XIL_TYPES_H
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uintptr_t UINTPTR;
#define XST_SUCCESS 0
#define XST_FAILURE 1
#endif
