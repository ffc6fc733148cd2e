/* One loop per thread, each with its own uvcurl_t, and a CURLSH shared between them (DNS cache, cookies, TLS
 * sessions), as a program with a loop per core does. Run under ThreadSanitizer by `make sanitize`. Plain C99,
 * built like an embedder's program. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <string.h>
#include <uvcurl.h>

#include "test_server.h"

enum { THREADS = 4, TRANSFERS_EACH = 200, IN_FLIGHT = 20 };

static test_server *server;
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void lock_share(CURL *easy, curl_lock_data data, curl_lock_access access, void *user_data) {
  (void)easy;
  (void)access;
  (void)user_data;
  pthread_mutex_lock(&share_locks[data]);
}

static void unlock_share(CURL *easy, curl_lock_data data, void *user_data) {
  (void)easy;
  (void)user_data;
  pthread_mutex_unlock(&share_locks[data]);
}

struct worker {
  pthread_t thread;
  uv_loop_t loop;
  uvcurl_t *curl;
  int to_start, done, ok, closed;
  int failures; /* checks are counted per thread, then summed by main */
};

static size_t discard(char *data, size_t size, size_t count, void *user_data) {
  (void)data;
  (void)user_data;
  return size * count;
}

static void on_done(CURL *easy, CURLcode result, void *user_data);

static void start_one(struct worker *w) {
  char url[128];
  CURL *easy = curl_easy_init();
  test_server_url(server, w->to_start % 2 ? "/ok" : "/bytes/3000", url, sizeof url);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(easy, CURLOPT_SHARE, share);
  curl_easy_setopt(easy, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  /* Half the connections are closed after one request: fd numbers are freed and taken up again across the
   * threads all the time, which is where bookkeeping by number goes wrong. */
  curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, (long)(w->to_start % 4 < 2));
  if (uvcurl_add(w->curl, easy, on_done, w) != 0) {
    w->failures++;
    curl_easy_cleanup(easy);
  }
  w->to_start--;
}

static void on_closed(uvcurl_t *handle, void *user_data) {
  struct worker *w = user_data;
  (void)handle;
  w->closed++;
}

static void on_done(CURL *easy, CURLcode result, void *user_data) {
  struct worker *w = user_data;
  w->done++;
  if (result == CURLE_OK) w->ok++;
  curl_easy_cleanup(easy);
  if (w->to_start > 0) start_one(w);
  else if (w->done == TRANSFERS_EACH && uvcurl_close(w->curl, on_closed, w) != 0) w->failures++;
}

static void *run_worker(void *argument) {
  struct worker *w = argument;
  int i;
  if (uv_loop_init(&w->loop) != 0 || uvcurl_init(&w->loop, &w->curl) != 0) {
    w->failures++;
    return NULL;
  }
  w->to_start = TRANSFERS_EACH;
  for (i = 0; i < IN_FLIGHT; i++) start_one(w);
  if (uv_run(&w->loop, UV_RUN_DEFAULT) != 0) w->failures++;
  if (uv_loop_close(&w->loop) != 0) w->failures++;
  return NULL;
}

int main(void) {
  struct worker workers[THREADS];
  int i;
  test_watchdog(300); /* ThreadSanitizer is slow */
  server = test_server_start();
  CHECK(server != NULL);
  if (server == NULL) return test_report("test_uvcurl_threads");
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  for (i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&share_locks[i], NULL);
  share = curl_share_init();
  curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_share);
  curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_share);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);

  memset(workers, 0, sizeof workers);
  for (i = 0; i < THREADS; i++) CHECK(pthread_create(&workers[i].thread, NULL, run_worker, &workers[i]) == 0);
  for (i = 0; i < THREADS; i++) {
    CHECK(pthread_join(workers[i].thread, NULL) == 0);
    CHECK(workers[i].failures == 0);
    CHECK(workers[i].done == TRANSFERS_EACH);
    CHECK(workers[i].ok == TRANSFERS_EACH);
    CHECK(workers[i].closed == 1);
  }
  CHECK(test_server_requests(server) == THREADS * TRANSFERS_EACH);

  CHECK(curl_share_cleanup(share) == CURLSHE_OK);
  for (i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&share_locks[i]);
  curl_global_cleanup();
  test_server_stop(server);
  return test_report("test_uvcurl_threads");
}
