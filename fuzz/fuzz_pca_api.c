/* libFuzzer target: every ACM PCA operation's request handling (api_fuzz.h). */
#define FUZZ_API_TABLE pca_operations
#include "api_fuzz.h"
