/* libcurl's global initialisation, once per process. curl_global_init is not
 * safe to race with other threads' first use of libcurl, and webhooks, the
 * ACME client and the CLI all use it. */
#ifndef CERTAIN_UTIL_CURL_INIT_H
#define CERTAIN_UTIL_CURL_INIT_H

/* Call before the first curl_easy_init; any thread, any number of times. */
void curl_init_once(void);

#endif
