// Process-wide setup of libuv and libcurl, so that neither aborts later for lack of memory.
//
// libuv 1.44 calls abort() when some of its allocations fail (the array of a loop's watched descriptors,
// which grows with their numbers) and when its signal handling, set up with the first loop, cannot be
// (pthread_atfork, a pipe). So libuv allocates with the same kind of reserve as libcurl below
// (uv_replace_allocator), and prepare_libuv() creates and closes a loop while memory is still to be had.
//
// libcurl 7.88 does not survive every allocation that fails inside it: singlesocket() destroys a socket's
// hash of transfers when adding to it fails, keeps the socket's entry, and the next event on that socket
// divides by the destroyed hash's 0 slots (SIGFPE). So libcurl allocates through functions of ours
// (curl_global_init_mem) that hold a reserve back: the first allocation that fails frees it and tries again,
// and stops the runs (stop_signals.hpp), so that the transfers are cancelled and cleaned up while memory is
// still to be had.
#pragma once

#include <curl/curl.h>

namespace engine {

// First thing in main(), before the names, which may take most of the memory there is. A failure here only
// means that the runs' loops will not start, which they report.
void prepare_libuv();

// Sets the reserve aside and calls curl_global_init(CURL_GLOBAL_DEFAULT) with the allocation functions above.
// Call once, before any other libcurl function.
CURLcode init_curl_with_reserve();

}  // namespace engine
