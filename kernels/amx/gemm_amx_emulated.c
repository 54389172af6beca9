/* gemm_amx_emulated.c: gemm_amx.c with its tile instructions emulated in C (AMX_EMULATE),
 * built on every architecture: gemm_bf16_amx_emulated and gemm_config_amx_emulated run the
 * AMX GEMM's packers and loops where no AMX is, for the tests. */
#define AMX_EMULATE
#include "gemm_amx.c"
