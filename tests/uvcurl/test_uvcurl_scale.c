/* uvcurl's bookkeeping per transfer does not grow with the number of transfers in flight. The test counts the
 * system calls uvcurl's bookkeeping is made of (epoll_ctl, through libuv, and getsockopt) by defining them here:
 * the program's definitions take the place of libc's for libuv, libcurl and uvcurl alike. No timing is measured. */
#define _GNU_SOURCE

#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uvcurl.h>

#include "test_server.h"

static long epoll_ctl_calls, getsockopt_calls; /* the loop's thread only: the test server calls neither */

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event) {
  epoll_ctl_calls++;
  return (int)syscall(SYS_epoll_ctl, epfd, op, fd, event);
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *size) {
  getsockopt_calls++;
  return (int)syscall(SYS_getsockopt, fd, level, name, value, size);
}

static test_server *server;
static uvcurl_t *curl;
static char url[128];
static int done_calls, ok_calls, to_add;

static size_t discard(char *data, size_t size, size_t count, void *user_data) {
  (void)data;
  (void)user_data;
  return size * count;
}

static void on_done(CURL *easy, CURLcode result, void *user_data);

static void add_one(void) {
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  /* The stall check wakes every transfer once a second, so passes over libcurl handle many transfers at once:
   * the case where per-pass work proportional to the transfers in flight grows with their square. */
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 10L);
  CHECK(uvcurl_add(curl, easy, on_done, NULL) == 0);
  to_add--;
}

/* Each completion starts the next transfer, as a program working through a list does: keep-alive connections
 * are taken up again while the other transfers are in flight. */
static void on_done(CURL *easy, CURLcode result, void *user_data) {
  (void)user_data;
  done_calls++;
  if (result == CURLE_OK) ok_calls++;
  curl_easy_cleanup(easy);
  if (to_add > 0) add_one();
}

/* Holds the loop until the server has sent every answer of the first batch, so that curl's next pass over
 * its timers (the stall checks, all due by then) finds every response waiting and completes the whole batch
 * in one pass: the case where per-pass work proportional to the transfers in flight grows with their square.
 * It waits for a condition, not for a time. */
static void hold_loop(uv_timer_t *timer) {
  long *batch = timer->data;
  while (test_server_answered(server) < *batch) usleep(1000);
  uv_close((uv_handle_t *)timer, NULL);
}

/* Runs 2 * `n` transfers, `n` in flight at a time, against a server that answers each after 1 s, and returns
 * the bookkeeping system calls per transfer. */
static double calls_per_transfer(int n) {
  uv_loop_t loop;
  int i;
  long before;
  test_server_url(server, "/slow/1000", url, sizeof url);
  CHECK(uv_loop_init(&loop) == 0);
  CHECK(uvcurl_init(&loop, &curl) == 0);
  done_calls = ok_calls = 0;
  to_add = 2 * n;
  epoll_ctl_calls = getsockopt_calls = 0;
  for (i = 0; i < n; i++) add_one();
  {
    uv_timer_t hold;
    long batch = test_server_answered(server) + n;
    uv_timer_init(&loop, &hold);
    hold.data = &batch;
    uv_timer_start(&hold, hold_loop, 900, 0);
    CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  }
  before = epoll_ctl_calls + getsockopt_calls;
  CHECK(done_calls == 2 * n);
  CHECK(ok_calls == 2 * n);
  CHECK(uvcurl_close(curl, NULL, NULL) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  CHECK(uv_loop_close(&loop) == 0);
  printf("%d in flight: %ld epoll_ctl, %ld getsockopt: %.2f per transfer\n", n, epoll_ctl_calls,
         getsockopt_calls, (double)before / (2 * n));
  return (double)before / (2 * n);
}

int main(void) {
  double few, many;
  test_watchdog(120);
  server = test_server_start();
  CHECK(server != NULL);
  if (server == NULL) return test_report("test_uvcurl_scale");
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  few = calls_per_transfer(20);
  many = calls_per_transfer(300);
  CHECK(few > 0); /* the counting works */
  /* The same work per transfer, whatever the number in flight (one call of slack for rounding). */
  CHECK(many <= few + 1.0);
  curl_global_cleanup();
  test_server_stop(server);
  return test_report("test_uvcurl_scale");
}
