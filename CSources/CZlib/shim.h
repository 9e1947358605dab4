// zlib inflates gzip and deflate HTTP bodies for inspection.
#include <zlib.h>
