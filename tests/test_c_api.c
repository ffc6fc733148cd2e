/* The uvcurl C API, used from C99: compiled with -std=c99 -pedantic -Werror to prove the header is C.
 * Self-contained: a listening socket that never answers stands in for a stalled server, and a file:// URL
 * for a transfer that succeeds. Every callback must fire exactly once and the loop must close with 0. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uvcurl.h>

static int failures = 0;

#define CHECK(condition)                                                        \
  do {                                                                          \
    if (!(condition)) {                                                         \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      ++failures;                                                               \
    }                                                                           \
  } while (0)

enum { TIMES_OUT, CANCELLED, SUCCEEDS, CLOSED_IN_FLIGHT, TRANSFERS };

struct transfer {
  CURL *easy;
  int calls;
  CURLcode result;
  size_t bytes;
};

static struct transfer transfers[TRANSFERS];
static uvcurl_t *curl_loop;
static int close_calls;

static void on_closed(uvcurl_t *handle, void *user_data);

static size_t count_bytes(char *data, size_t size, size_t count, void *user_data) {
  struct transfer *t = user_data;
  (void)data;
  t->bytes += size * count;
  return size * count;
}

static void on_done(CURL *easy, CURLcode result, void *user_data) {
  struct transfer *t = user_data;
  CHECK(easy == t->easy);
  t->calls++;
  t->result = result;
  /* Once the three that end on their own have ended, close with the fourth still in flight. */
  if (transfers[TIMES_OUT].calls && transfers[CANCELLED].calls && transfers[SUCCEEDS].calls &&
      t != &transfers[CLOSED_IN_FLIGHT]) {
    CHECK(uvcurl_in_flight(curl_loop) == 1);
    /* Closing from inside a done callback: the teardown waits until the callback has returned. */
    CHECK(uvcurl_close(curl_loop, on_closed, &close_calls) == 0);
  }
}

static void on_closed(uvcurl_t *handle, void *user_data) {
  CHECK(handle == curl_loop);
  CHECK(user_data == &close_calls);
  close_calls++;
}

static void on_cancel_timer(uv_timer_t *timer) {
  CHECK(uvcurl_cancel(curl_loop, transfers[CANCELLED].easy) == 0);
  CHECK(uvcurl_cancel(curl_loop, transfers[CANCELLED].easy) == UVCURL_ENOENT); /* already reported */
  uv_close((uv_handle_t *)timer, NULL);
}

static int listen_without_accepting(int *port) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, (struct sockaddr *)&address, &length) != 0)
    return -1;
  *port = ntohs(address.sin_port);
  return fd;
}

static CURL *make_easy(const char *url, long timeout_ms, struct transfer *t) {
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, count_bytes);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
  t->easy = easy;
  return easy;
}

static void test_arguments(uv_loop_t *loop) {
  uvcurl_t *handle = NULL;
  CURL *easy = curl_easy_init();
  CHECK(uvcurl_init(NULL, &handle) == UVCURL_EINVAL);
  CHECK(uvcurl_init(loop, NULL) == UVCURL_EINVAL);
  CHECK(uvcurl_init(loop, &handle) == 0);
  CHECK(uvcurl_multi(handle) != NULL);
  CHECK(uvcurl_add(handle, NULL, on_done, NULL) == UVCURL_EINVAL);
  CHECK(uvcurl_add(handle, easy, NULL, NULL) == UVCURL_EINVAL);
  CHECK(uvcurl_cancel(handle, easy) == UVCURL_ENOENT);
  CHECK(uvcurl_close(handle, NULL, NULL) == 0);
  CHECK(uvcurl_close(handle, NULL, NULL) == UVCURL_ECLOSING);
  CHECK(uvcurl_add(handle, easy, on_done, NULL) == UVCURL_ECLOSING);
  CHECK(uv_run(loop, UV_RUN_DEFAULT) == 0);
  curl_easy_cleanup(easy);
  CHECK(strcmp(uvcurl_strerror(0), "success") == 0);
  CHECK(strlen(uvcurl_strerror(UVCURL_ENOENT)) > 0);
  CHECK(strlen(uvcurl_strerror(-12345)) > 0);
}

int main(void) {
  uv_loop_t loop;
  uv_timer_t cancel_timer;
  char stalled_url[64], file_url[128];
  char file_path[] = "/tmp/uvcurl-c-test-XXXXXX";
  int port = 0, i;
  int listener = listen_without_accepting(&port);
  int file = mkstemp(file_path);

  CHECK(listener >= 0);
  CHECK(file >= 0);
  CHECK(write(file, "{\"resultCount\":0,\"results\":[]}", 30) == 30);
  close(file);
  snprintf(stalled_url, sizeof stalled_url, "http://127.0.0.1:%d/search?term=x", port);
  snprintf(file_url, sizeof file_url, "file://%s", file_path);

  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  CHECK(uv_loop_init(&loop) == 0);
  test_arguments(&loop);

  CHECK(uvcurl_init(&loop, &curl_loop) == 0);
  CHECK(uvcurl_add(curl_loop, make_easy(stalled_url, 300, &transfers[TIMES_OUT]), on_done,
                   &transfers[TIMES_OUT]) == 0);
  CHECK(uvcurl_add(curl_loop, make_easy(stalled_url, 30000, &transfers[CANCELLED]), on_done,
                   &transfers[CANCELLED]) == 0);
  CHECK(uvcurl_add(curl_loop, make_easy(file_url, 30000, &transfers[SUCCEEDS]), on_done,
                   &transfers[SUCCEEDS]) == 0);
  CHECK(uvcurl_add(curl_loop, make_easy(stalled_url, 30000, &transfers[CLOSED_IN_FLIGHT]), on_done,
                   &transfers[CLOSED_IN_FLIGHT]) == 0);
  CHECK(uvcurl_add(curl_loop, transfers[SUCCEEDS].easy, on_done, NULL) == UVCURL_EEXIST);
  CHECK(uvcurl_in_flight(curl_loop) == TRANSFERS);

  uv_timer_init(&loop, &cancel_timer);
  uv_timer_start(&cancel_timer, on_cancel_timer, 50, 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);

  CHECK(close_calls == 1);
  for (i = 0; i < TRANSFERS; i++) {
    CHECK(transfers[i].calls == 1);
    curl_easy_cleanup(transfers[i].easy);
  }
  CHECK(transfers[TIMES_OUT].result == CURLE_OPERATION_TIMEDOUT);
  CHECK(transfers[CANCELLED].result == UVCURL_CANCELLED);
  CHECK(transfers[SUCCEEDS].result == CURLE_OK);
  CHECK(transfers[SUCCEEDS].bytes == 30);
  CHECK(transfers[CLOSED_IN_FLIGHT].result == UVCURL_CANCELLED);
  CHECK(uv_loop_close(&loop) == 0);

  curl_global_cleanup();
  close(listener);
  unlink(file_path);
  if (failures == 0) printf("test_c_api: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
