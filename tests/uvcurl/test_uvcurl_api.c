/* uvcurl's 1.1 API: version, uvcurl_post from other threads, uvcurl_ref/uvcurl_unref, and CONNECT_ONLY refused.
 * Plain C99, built like an embedder's program. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <string.h>
#include <uvcurl.h>

#include "test_server.h"

static test_server *server;

static CURL *make_easy(const char *path) { return test_server_easy(server, path, 30000L); }

static size_t discard(char *data, size_t size, size_t count, void *user_data) {
  (void)data;
  (void)user_data;
  return size * count;
}

static void test_version(void) {
  char expected[32];
  CHECK(uvcurl_version() == ((UVCURL_VERSION_MAJOR << 16) | (UVCURL_VERSION_MINOR << 8) | UVCURL_VERSION_PATCH));
  CHECK(uvcurl_version() == 0x010100u);
  sprintf(expected, "%d.%d.%d", UVCURL_VERSION_MAJOR, UVCURL_VERSION_MINOR, UVCURL_VERSION_PATCH);
  CHECK(strcmp(uvcurl_version_string(), expected) == 0);
  CHECK(strcmp(uvcurl_version_string(), "1.1.0") == 0);
}

/* ---- uvcurl_post from four threads while transfers run ---- */

enum { POSTERS = 4, POSTS_EACH = 250, POSTS = POSTERS * POSTS_EACH };

static uv_loop_t post_loop;
static uvcurl_t *post_curl;
static pthread_t loop_thread;
static int runs[POSTS]; /* the loop's thread only */
static int post_index[POSTS];
static int runs_total, wrong_thread, added, added_done, added_ok, late_runs, late_runs_at_close, close_calls;
static int posts_after_close;

struct poster {
  pthread_t thread;
  int first; /* index of its first post */
  int failures;
};

static void added_transfer_done(CURL *easy, CURLcode result, void *user_data) {
  (void)user_data;
  added_done++;
  if (result == CURLE_OK) added_ok++;
  curl_easy_cleanup(easy);
}

static void on_post(uvcurl_t *handle, void *user_data) {
  int index = *(int *)user_data;
  CHECK(handle == post_curl);
  if (!pthread_equal(pthread_self(), loop_thread)) wrong_thread++;
  runs[index]++;
  runs_total++;
  if (index % 2 == 0) { /* half of them start a transfer: the usual reason to post */
    CURL *easy = make_easy("/slow/5");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    if (uvcurl_add(handle, easy, added_transfer_done, NULL) == 0) added++;
    else curl_easy_cleanup(easy);
  }
}

static void *post_from_thread(void *argument) {
  struct poster *p = argument;
  int i;
  for (i = 0; i < POSTS_EACH; i++)
    if (uvcurl_post(post_curl, on_post, &post_index[p->first + i]) != 0) p->failures++;
  return NULL;
}

static void on_late_post(uvcurl_t *handle, void *user_data) {
  (void)handle;
  (void)user_data;
  if (!pthread_equal(pthread_self(), loop_thread)) wrong_thread++;
  late_runs++;
}

static void on_post_closed(uvcurl_t *handle, void *user_data) {
  (void)handle;
  (void)user_data;
  close_calls++;
  late_runs_at_close = late_runs;
}

static void check_posts(uv_timer_t *timer) {
  if (runs_total < POSTS || added_done < added) return;
  uv_timer_stop(timer);
  uv_close((uv_handle_t *)timer, NULL);
  /* A post accepted before the close runs once, though the close comes first. */
  CHECK(uvcurl_post(post_curl, on_late_post, NULL) == 0);
  CHECK(uvcurl_close(post_curl, on_post_closed, NULL) == 0);
  if (uvcurl_post(post_curl, on_late_post, NULL) == UVCURL_ECLOSING) posts_after_close++;
}

static void test_post_from_threads(void) {
  struct poster posters[POSTERS];
  uv_timer_t watcher;
  CURL *slow;
  int i, ones = 0;
  CHECK(uv_loop_init(&post_loop) == 0);
  CHECK(uvcurl_init(&post_loop, &post_curl) == 0);
  /* A few connections for hundreds of transfers (the test server runs a thread per connection). */
  curl_multi_setopt(uvcurl_multi(post_curl), CURLMOPT_MAX_TOTAL_CONNECTIONS, 8L);
  loop_thread = pthread_self();
  for (i = 0; i < POSTS; i++) post_index[i] = i;
  /* Transfers in flight while the posts arrive. */
  slow = make_easy("/slow/200");
  curl_easy_setopt(slow, CURLOPT_WRITEFUNCTION, discard);
  CHECK(uvcurl_add(post_curl, slow, added_transfer_done, NULL) == 0);
  added++;
  for (i = 0; i < POSTERS; i++) {
    posters[i].first = i * POSTS_EACH;
    posters[i].failures = 0;
    CHECK(pthread_create(&posters[i].thread, NULL, post_from_thread, &posters[i]) == 0);
  }
  uv_timer_init(&post_loop, &watcher);
  uv_timer_start(&watcher, check_posts, 1, 1);
  CHECK(uv_run(&post_loop, UV_RUN_DEFAULT) == 0);
  for (i = 0; i < POSTERS; i++) {
    CHECK(pthread_join(posters[i].thread, NULL) == 0);
    CHECK(posters[i].failures == 0);
  }
  for (i = 0; i < POSTS; i++) ones += runs[i] == 1;
  CHECK(ones == POSTS);
  CHECK(runs_total == POSTS);
  CHECK(wrong_thread == 0);
  CHECK(added == 1 + POSTS / 2);
  CHECK(added_done == added);
  CHECK(added_ok == added);
  CHECK(close_calls == 1);
  CHECK(late_runs == 1);
  CHECK(late_runs_at_close == 1);
  CHECK(posts_after_close == 1);
  CHECK(uv_loop_close(&post_loop) == 0);
}

/* ---- uvcurl_unref / uvcurl_ref with a slow transfer ---- */

static int slow_done_calls;
static CURLcode slow_result;

static void slow_done(CURL *easy, CURLcode result, void *user_data) {
  (void)easy;
  (void)user_data;
  slow_done_calls++;
  slow_result = result;
}

static void close_timer(uv_timer_t *timer) { uv_close((uv_handle_t *)timer, NULL); }

static void test_unref_and_ref(void) {
  uv_loop_t loop;
  uvcurl_t *curl;
  uv_timer_t host_timer;
  CURL *easy = make_easy("/slow/1500");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  CHECK(uv_loop_init(&loop) == 0);
  CHECK(uvcurl_init(&loop, &curl) == 0);
  CHECK(uvcurl_add(curl, easy, slow_done, NULL) == 0);
  uvcurl_unref(curl);
  uvcurl_unref(curl); /* idempotent */
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0); /* nothing but the transfer: returns at once */
  CHECK(slow_done_calls == 0);
  /* The host's own timer runs the loop for a while: the transfer connects (new sockets, unreferenced too), and
   * uv_run returns once the host's timer is gone, with the transfer still in flight. */
  uv_timer_init(&loop, &host_timer);
  uv_timer_start(&host_timer, close_timer, 200, 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  CHECK(slow_done_calls == 0);
  CHECK(uvcurl_in_flight(curl) == 1);
  CHECK(test_server_requests(server) >= 1); /* it did run meanwhile */
  uvcurl_ref(curl);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0); /* now the transfer keeps the loop running to its end */
  CHECK(slow_done_calls == 1);
  CHECK(slow_result == CURLE_OK);
  CHECK(uvcurl_close(curl, NULL, NULL) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  CHECK(uv_loop_close(&loop) == 0);
  curl_easy_cleanup(easy);
}

/* ---- CONNECT_ONLY ---- */

static int connect_only_calls;
static CURLcode connect_only_result;

static void connect_only_done(CURL *easy, CURLcode result, void *user_data) {
  (void)easy;
  (void)user_data;
  connect_only_calls++;
  connect_only_result = result;
}

static void test_connect_only_is_refused(void) {
  uv_loop_t loop;
  uvcurl_t *curl;
  CURL *easy = make_easy("/ok");
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
  CHECK(uv_loop_init(&loop) == 0);
  CHECK(uvcurl_init(&loop, &curl) == 0);
  CHECK(uvcurl_add(curl, easy, connect_only_done, NULL) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  CHECK(connect_only_calls == 1);
  CHECK(connect_only_result == UVCURL_CONNECT_ONLY_REFUSED);
  CHECK(uvcurl_close(curl, NULL, NULL) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  CHECK(uv_loop_close(&loop) == 0);
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv) {
  test_watchdog(120);
  server = test_server_start();
  CHECK(server != NULL);
  if (server == NULL) return test_report("test_uvcurl_api");
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  if (test_selected(argc, argv, "version")) test_version();
  if (test_selected(argc, argv, "post")) test_post_from_threads();
  if (test_selected(argc, argv, "unref")) test_unref_and_ref();
  if (test_selected(argc, argv, "connect-only")) test_connect_only_is_refused();
  curl_global_cleanup();
  test_server_stop(server);
  return test_report("test_uvcurl_api");
}
