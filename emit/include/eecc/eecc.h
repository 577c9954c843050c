// eecc HLS library: everything.  See docs/hls-library.md.
#ifndef EECC_EECC_H
#define EECC_EECC_H

#include "eecc/common.h"
#include "eecc/elementwise.h"
#include "eecc/window.h"
#include "eecc/conv.h"
#include "eecc/linear.h"
#include "eecc/pool.h"
#include "eecc/exit.h"
#include "eecc/axis.h"

#endif  // EECC_EECC_H
