/* libFuzzer target: every ACM operation's request handling (api_fuzz.h). */
#define FUZZ_API_TABLE acm_operations
#include "api_fuzz.h"
