#ifndef CARTWISE_CCOINOR_SHIM_H
#define CARTWISE_CCOINOR_SHIM_H
// COIN-OR's C interfaces: CBC (mixed-integer programs by branch and cut) and CLP (linear
// programs, whose row prices are the constraints' shadow prices). Debian's coinor-libcbc-dev;
// pkg-config's `cbc` adds -I/usr/include/coin.
#include <Cbc_C_Interface.h>
#include <Clp_C_Interface.h>
#endif
