// liblzma decodes HTTP bodies with Content-Encoding: lzma (the LZMA-alone format, as libhtp does).
#include <lzma.h>
// Swift cannot import these macros (they expand through casts).
static const lzma_vli sluice_lzma_filter_lzma1 = LZMA_FILTER_LZMA1;
static const lzma_vli sluice_lzma_vli_unknown = LZMA_VLI_UNKNOWN;
