/* Pausing over HTTP/2: transfers multiplexed on one TLS connection to nginx (scripts/nginx-fixture) pause in
 * their write callback and are resumed from a uv timer; one of them is cancelled from inside the callback that
 * curl_easy_pause(CURLPAUSE_CONT) runs, and freed in its done callback. Skipped, saying so, when nginx or its
 * echo module is not installed (scripts/install-deps bench installs them). Plain C99. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uvcurl.h>

#include "test_server.h"

enum { TRANSFERS = 20, CANCELLED_ONE = 7 };

static uv_loop_t loop;
static uvcurl_t *curl;
static int transfers_left;

struct paused {
  CURL *easy;
  int paused, resumed, cancel_inside_unpause, acted;
  int done_calls, callbacks_after_done;
  size_t bytes;
  CURLcode result;
  long status, version;
  uv_timer_t timer;
};

static struct paused transfers[TRANSFERS];

static void resume(uv_timer_t *timer) {
  struct paused *p = timer->data;
  p->resumed++;
  CHECK(curl_easy_pause(p->easy, CURLPAUSE_CONT) == CURLE_OK);
}

static size_t take(char *data, size_t size, size_t count, void *user_data) {
  struct paused *p = user_data;
  (void)data;
  if (p->done_calls > 0) p->callbacks_after_done++;
  if (!p->paused) {
    p->paused = 1;
    CHECK(uv_timer_start(&p->timer, resume, 10, 0) == 0);
    return CURL_WRITEFUNC_PAUSE;
  }
  if (p->cancel_inside_unpause && !p->acted) {
    p->acted = 1;
    CHECK(uvcurl_cancel(curl, p->easy) == 0);
    CHECK(p->done_calls == 0);
  }
  p->bytes += size * count;
  return size * count;
}

static void on_done(CURL *easy, CURLcode result, void *user_data) {
  struct paused *p = user_data;
  p->done_calls++;
  p->result = result;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &p->status);
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &p->version);
  uv_close((uv_handle_t *)&p->timer, NULL);
  if (p->cancel_inside_unpause) {
    curl_easy_cleanup(easy); /* libcurl must have let go of it */
    p->easy = NULL;
  }
  if (--transfers_left == 0) CHECK(uvcurl_close(curl, NULL, NULL) == 0);
}

int main(void) {
  char directory[] = "/tmp/uvcurl-http2-XXXXXX", command[512], line[512], url[128], cert[256];
  int http_port = 0, https_port = 0, i;
  long body_size = 0;
  FILE *started;
  const char *root = getenv("ARTISTFETCH_ROOT");
  test_watchdog(120);
  if (access("/usr/sbin/nginx", X_OK) != 0 || access("/usr/lib/nginx/modules/ngx_http_echo_module.so", R_OK) != 0) {
    printf("test_uvcurl_http2: skipped: nginx and its echo module are not installed (scripts/install-deps bench)\n");
    return 0;
  }
  CHECK(mkdtemp(directory) != NULL);
  snprintf(command, sizeof command, "%s/scripts/nginx-fixture start %s/nginx --owner %ld --no-access-log",
           root != NULL ? root : ".", directory, (long)getpid());
  started = popen(command, "r");
  CHECK(started != NULL);
  if (started == NULL || fgets(line, sizeof line, started) == NULL ||
      sscanf(line, "http=%d https=%d cert=%255s", &http_port, &https_port, cert) != 3) {
    fprintf(stderr, "test_uvcurl_http2: nginx-fixture did not start\n");
    if (started != NULL) pclose(started);
    return 1;
  }
  pclose(started);
  snprintf(url, sizeof url, "https://127.0.0.1:%d/search?term=paused", https_port);
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  CHECK(uv_loop_init(&loop) == 0);
  CHECK(uvcurl_init(&loop, &curl) == 0);
  curl_multi_setopt(uvcurl_multi(curl), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  for (i = 0; i < TRANSFERS; i++) {
    struct paused *p = &transfers[i];
    p->easy = curl_easy_init();
    p->cancel_inside_unpause = i == CANCELLED_ONE;
    curl_easy_setopt(p->easy, CURLOPT_URL, url);
    curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(p->easy, CURLOPT_CAINFO, cert);
    curl_easy_setopt(p->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(p->easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
    uv_timer_init(&loop, &p->timer);
    p->timer.data = p;
    CHECK(uvcurl_add(curl, p->easy, on_done, p) == 0);
  }
  transfers_left = TRANSFERS;
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  CHECK(uv_loop_close(&loop) == 0);

  for (i = 0; i < TRANSFERS; i++) {
    struct paused *p = &transfers[i];
    CHECK(p->done_calls == 1);
    CHECK(p->callbacks_after_done == 0);
    CHECK(p->paused == 1);
    CHECK(p->resumed == 1);
    if (p->cancel_inside_unpause) {
      CHECK(p->acted == 1);
      CHECK(p->result == UVCURL_CANCELLED);
      continue;
    }
    CHECK(p->result == CURLE_OK);
    CHECK(p->status == 200);
    CHECK(p->version == CURL_HTTP_VERSION_2_0);
    if (body_size == 0) body_size = (long)p->bytes;
    CHECK(p->bytes > 0 && (long)p->bytes == body_size); /* whole bodies, though paused */
    curl_easy_cleanup(p->easy);
  }
  curl_global_cleanup();
  snprintf(command, sizeof command, "%s/scripts/nginx-fixture stop %s/nginx >/dev/null && rm -rf %s",
           root != NULL ? root : ".", directory, directory);
  CHECK(system(command) == 0);
  return test_report("test_uvcurl_http2");
}
