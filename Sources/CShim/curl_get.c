#define _GNU_SOURCE
#include "pyrmute_shim.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The few libcurl entry points and constants used here. They are part of libcurl's stable ABI
// (soname libcurl.so.4), so no development headers are needed to build.
typedef void CURL;
typedef int (*curl_setopt_fn)(CURL *, int, ...);
typedef int (*curl_getinfo_fn)(CURL *, int, ...);
enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_USERAGENT = 10018,
    OPT_CAINFO = 10065, OPT_WRITEFUNCTION = 20011, OPT_TIMEOUT = 13, OPT_FOLLOWLOCATION = 52,
    OPT_CONNECTTIMEOUT = 78, OPT_NOSIGNAL = 99, INFO_RESPONSE_CODE = 0x200002, ERROR_SIZE = 256,
};

struct growing_body {
    char *data;
    size_t length;
};

static size_t append(char *chunk, size_t size, size_t count, void *context) {
    struct growing_body *body = context;
    size_t bytes = size * count;
    char *grown = realloc(body->data, body->length + bytes + 1);
    if (grown == NULL) return 0;
    memcpy(grown + body->length, chunk, bytes);
    body->data = grown;
    body->length += bytes;
    body->data[body->length] = 0;
    return bytes;
}

int pyrmute_curl_get(const char *url, long timeout_seconds, const char *ca_file,
                     long *status, char **body, size_t *body_length, char *error, size_t error_size) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(error, error_size, "https:// needs libcurl (libcurl.so.4): %s", dlerror());
        return -1;
    }
    CURL *(*easy_init)(void) = (CURL *(*)(void))dlsym(library, "curl_easy_init");
    curl_setopt_fn setopt = (curl_setopt_fn)dlsym(library, "curl_easy_setopt");
    int (*perform)(CURL *) = (int (*)(CURL *))dlsym(library, "curl_easy_perform");
    curl_getinfo_fn getinfo = (curl_getinfo_fn)dlsym(library, "curl_easy_getinfo");
    void (*cleanup)(CURL *) = (void (*)(CURL *))dlsym(library, "curl_easy_cleanup");
    const char *(*strerror_fn)(int) = (const char *(*)(int))dlsym(library, "curl_easy_strerror");
    CURL *handle = (easy_init && setopt && perform && getinfo && cleanup && strerror_fn) ? easy_init() : NULL;
    if (handle == NULL) {
        snprintf(error, error_size, "libcurl could not be initialised");
        return -1;
    }
    char message[ERROR_SIZE] = {0};
    struct growing_body received = {NULL, 0};
    setopt(handle, OPT_URL, url);
    setopt(handle, OPT_NOSIGNAL, 1L);
    setopt(handle, OPT_TIMEOUT, timeout_seconds);
    setopt(handle, OPT_CONNECTTIMEOUT, timeout_seconds);
    setopt(handle, OPT_FOLLOWLOCATION, 0L);
    setopt(handle, OPT_USERAGENT, "pyrmute-registry");
    setopt(handle, OPT_ERRORBUFFER, message);
    setopt(handle, OPT_WRITEFUNCTION, append);
    setopt(handle, OPT_WRITEDATA, &received);
    if (ca_file != NULL) setopt(handle, OPT_CAINFO, ca_file);
    int rc = perform(handle);
    if (rc != 0) {
        snprintf(error, error_size, "%s", message[0] ? message : strerror_fn(rc));
        free(received.data);
        cleanup(handle);
        return -1;
    }
    getinfo(handle, INFO_RESPONSE_CODE, status);
    cleanup(handle);
    *body = received.data;
    *body_length = received.length;
    return 0;
}
