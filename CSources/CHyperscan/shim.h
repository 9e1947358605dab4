#ifndef SLUICE_CHYPERSCAN_SHIM_H
#define SLUICE_CHYPERSCAN_SHIM_H
#include <hs/hs.h>
#endif
