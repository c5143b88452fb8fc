/* See curl_init.h. */
#include "util/curl_init.h"

#include <curl/curl.h>
#include <pthread.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void curl_init_once(void)
{
	pthread_once(&curl_once, curl_init);
}
