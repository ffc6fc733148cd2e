/* uvcurl: run libcurl transfers on a libuv loop that the caller owns. The manual is uvcurl(3).
 *
 * One uvcurl_t drives one curl multi handle. The caller configures ordinary curl easy handles, adds them with
 * uvcurl_add() and gets exactly one completion callback per added handle, whatever happens to it: success, an
 * HTTP error (read CURLINFO_RESPONSE_CODE), a curl error, a timeout, uvcurl_cancel() or uvcurl_close(). The
 * done callback fires only once libcurl has let go of the easy handle, and no callback of that transfer
 * (write, header, read, progress...) follows it.
 *
 * Threading: every function must be called from the thread that runs the loop, except uvcurl_post(),
 * uvcurl_version() and uvcurl_version_string(), which any thread may call. One loop per thread, each with its
 * own uvcurl_t, is fine, also with a CURLSH shared between them (give the share its lock callbacks).
 *
 * Callbacks: from a done callback, a post callback, and curl's own callbacks of a transfer (write, header, read,
 * progress, xferinfo, debug), every uvcurl function may be called. What libcurl refuses to do from inside its
 * callbacks (add, remove) uvcurl does as soon as libcurl has returned: an add is then started, a cancel or a
 * close reported, right after the current libcurl call or callback.
 *
 * Pausing: curl_easy_pause() may be called on a transfer in flight from any of its callbacks or from plain loop
 * code (a uv timer, a post callback), for downloads and uploads (CURL_WRITEFUNC_PAUSE, CURL_READFUNC_PAUSE),
 * over HTTP/1.1 and HTTP/2. Unpausing delivers held data from inside curl_easy_pause(); callbacks run there may
 * call uvcurl functions like any other curl callback.
 *
 * Not supported: CURLOPT_CONNECT_ONLY (see UVCURL_CONNECT_ONLY_REFUSED below).
 *
 * Errors: functions return 0 or a negative UVCURL_E* code; uvcurl_strerror() names it.
 * The header is valid C99 and C++. (With strict -std=c99, define _POSIX_C_SOURCE 200809L before any include:
 * libuv's uv.h needs POSIX types.)
 */
#ifndef UVCURL_H
#define UVCURL_H

#include <curl/curl.h>
#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(UVCURL_BUILDING)
#define UVCURL_EXTERN __attribute__((visibility("default")))
#else
#define UVCURL_EXTERN
#endif

#define UVCURL_VERSION_MAJOR 1
#define UVCURL_VERSION_MINOR 1
#define UVCURL_VERSION_PATCH 0

/* The version of the library actually linked: (MAJOR << 16) | (MINOR << 8) | PATCH, and "MAJOR.MINOR.PATCH".
 * Any thread. */
UVCURL_EXTERN unsigned uvcurl_version(void);
UVCURL_EXTERN const char *uvcurl_version_string(void);

/* The opaque handle: one curl multi handle bound to one uv loop. */
typedef struct uvcurl_s uvcurl_t;

/* Error codes. Every function returns 0 on success or one of these. */
typedef enum {
  UVCURL_EINVAL = -1,   /* a NULL pointer or an argument out of range */
  UVCURL_ENOMEM = -2,   /* out of memory */
  UVCURL_ECLOSING = -3, /* uvcurl_close() was called: no new transfers */
  UVCURL_EEXIST = -4,   /* this easy handle is already added */
  UVCURL_ENOENT = -5,   /* this easy handle is not in flight here */
  UVCURL_ECURLM = -6,   /* libcurl's multi interface refused the call */
  UVCURL_EUV = -7       /* libuv refused to create a handle */
} uvcurl_error_t;

/* The result that a cancelled or closed-while-in-flight transfer completes with. */
#define UVCURL_CANCELLED CURLE_ABORTED_BY_CALLBACK

/* The result of a CURLOPT_CONNECT_ONLY transfer over HTTP or HTTPS: not supported, because libcurl closes a
 * connect-only connection when its handle leaves the multi handle, which happens before the done callback.
 * libcurl 7.88 has no way to read an option back, so uvcurl_add() cannot refuse the handle: the transfer is
 * ended with this result once its connection is up. (With another protocol, do not use CONNECT_ONLY either.) */
#define UVCURL_CONNECT_ONLY_REFUSED CURLE_UNSUPPORTED_PROTOCOL

/* Called once per added transfer, from the loop. `easy` is no longer in the multi handle: the callback may read
 * its info, reuse it (uvcurl_add it again), or curl_easy_cleanup it. `result` is CURLE_OK when the transfer
 * completed (whatever the HTTP status), UVCURL_CANCELLED after uvcurl_cancel() or uvcurl_close(), or another
 * CURLcode. `user_data` is the pointer given to uvcurl_add(). */
typedef void (*uvcurl_done_cb)(CURL *easy, CURLcode result, void *user_data);

/* Called once when uvcurl_close() has finished: every uv handle of this uvcurl_t is closed, and its memory is
 * freed as soon as the callback returns. Do not use `handle` after the callback. */
typedef void (*uvcurl_close_cb)(uvcurl_t *handle, void *user_data);

/* Creates a handle on `loop`, which the caller owns and keeps alive until the close callback has run.
 * Stores it in *out. Returns 0, UVCURL_EINVAL, UVCURL_ENOMEM, UVCURL_ECURLM or UVCURL_EUV.
 * curl_global_init() must have been called by the program. */
UVCURL_EXTERN int uvcurl_init(uv_loop_t *loop, uvcurl_t **out);

/* The curl multi handle, for limits: CURLMOPT_MAX_TOTAL_CONNECTIONS, CURLMOPT_MAX_HOST_CONNECTIONS,
 * CURLMOPT_PIPELINING (multiplexing), CURLMOPT_MAXCONNECTS and similar. Do not change CURLMOPT_SOCKETFUNCTION,
 * CURLMOPT_TIMERFUNCTION or their data, and do not add or remove easy handles through it. */
UVCURL_EXTERN CURLM *uvcurl_multi(uvcurl_t *handle);

/* Starts a transfer on a configured easy handle. The handle stays the caller's; uvcurl only borrows it until the
 * done callback. Returns 0 (the callback will fire exactly once), or UVCURL_EINVAL, UVCURL_ECLOSING,
 * UVCURL_EEXIST, UVCURL_ENOMEM, UVCURL_ECURLM (the callback will not fire). May be called from any callback:
 * from inside one of curl's callbacks the handle is added as soon as libcurl returns, and if libcurl refuses it
 * then, the done callback reports CURLE_FAILED_INIT (CURLE_OUT_OF_MEMORY when out of memory). */
UVCURL_EXTERN int uvcurl_add(uvcurl_t *handle, CURL *easy, uvcurl_done_cb done, void *user_data);

/* Cancels a transfer added with uvcurl_add(). Its done callback fires once with UVCURL_CANCELLED: at once when
 * called from plain loop code, or as soon as the current libcurl call returns when called from inside a curl
 * callback (also one run by curl_easy_pause()) or a done callback. Curl's callbacks of that transfer may still
 * run until then, never after the done callback. Returns 0, UVCURL_EINVAL, UVCURL_ENOMEM or UVCURL_ENOENT (not in flight: finished already). */
UVCURL_EXTERN int uvcurl_cancel(uvcurl_t *handle, CURL *easy);

/* The number of transfers added and not yet reported. */
UVCURL_EXTERN size_t uvcurl_in_flight(const uvcurl_t *handle);

/* Closes the handle. Transfers still in flight complete with UVCURL_CANCELLED, the multi handle is cleaned up and
 * every uv handle is closed; then `done` (may be NULL) fires from the loop. After that the caller may
 * uv_loop_close() its loop and get 0. Never closes or runs the loop. Returns 0, UVCURL_EINVAL, or
 * UVCURL_ECLOSING when called twice. */
UVCURL_EXTERN int uvcurl_close(uvcurl_t *handle, uvcurl_close_cb done, void *user_data);

/* Called once on the loop's thread for each accepted uvcurl_post(), as plain loop code: it may call every
 * uvcurl function (a cancel from here is reported at once). */
typedef void (*uvcurl_post_cb)(uvcurl_t *handle, void *user_data);

/* Hands `fn` to the loop's thread; callable from any thread, the loop's included (then `fn` runs later, never
 * inside the call). Returns 0: `fn` will run exactly once on the loop's thread, in the order posts were
 * accepted; a post accepted before uvcurl_close() still runs (at the latest during the close, before the close
 * callback). Or UVCURL_ECLOSING once uvcurl_close() has begun (`fn` never runs), UVCURL_EINVAL or
 * UVCURL_ENOMEM. A waiting post does not keep uv_run() from returning: it runs in the loop's next iteration.
 * Calling it after the close callback has returned is a use after free: stop the posting threads before. */
UVCURL_EXTERN int uvcurl_post(uvcurl_t *handle, uvcurl_post_cb fn, void *user_data);

/* As uv_ref()/uv_unref(): after uvcurl_unref(), transfers in flight alone do not keep uv_run(UV_RUN_DEFAULT)
 * from returning (they go on whenever the loop runs for another reason); uvcurl_ref() restores the default.
 * Idempotent. */
UVCURL_EXTERN void uvcurl_ref(uvcurl_t *handle);
UVCURL_EXTERN void uvcurl_unref(uvcurl_t *handle);

/* A short English sentence for an error code; never NULL. */
UVCURL_EXTERN const char *uvcurl_strerror(int error);

#ifdef __cplusplus
}
#endif

#endif /* UVCURL_H */
