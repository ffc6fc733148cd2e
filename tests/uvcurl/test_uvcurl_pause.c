/* Pausing transfers in flight: a 50 MB upload and a 50 MB download paused from their own callbacks and resumed
 * from plain loop code (a uv timer, a post callback), and a download paused from loop code. HTTP/1.1 against
 * the test's own server. Plain C99, built like an embedder's program. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <uvcurl.h>

#include "test_server.h"

enum { TOTAL = 50 * 1024 * 1024, PAUSE_EVERY = 10 * 1024 * 1024 };

static test_server *server;
static uv_loop_t loop;
static uvcurl_t *curl;

struct paused_transfer {
  CURL *easy;
  curl_off_t moved;     /* bytes handed to or taken from libcurl */
  curl_off_t next_stop; /* pause when `moved` reaches it */
  int pauses, resumes;
  int paused; /* paused and not yet resumed */
  int done_calls;
  int callbacks_after_done;
  CURLcode result;
  char reply[64];
  size_t reply_size;
  uv_timer_t timer;
  int resume_by_post; /* alternate between a timer and a post */
};

static int transfers_left;

static void resume(struct paused_transfer *t) {
  t->paused = 0;
  t->resumes++;
  CHECK(curl_easy_pause(t->easy, CURLPAUSE_CONT) == CURLE_OK);
}

static void resume_from_post(uvcurl_t *handle, void *user_data) {
  (void)handle;
  resume(user_data);
}

static void resume_from_timer(uv_timer_t *timer) {
  struct paused_transfer *t = timer->data;
  if (t->resume_by_post) CHECK(uvcurl_post(curl, resume_from_post, t) == 0);
  else resume(t);
  t->resume_by_post = !t->resume_by_post;
}

/* Returns 1 when the transfer should pause now; arms its resume. */
static int pause_here(struct paused_transfer *t) {
  if (t->moved < t->next_stop) return 0;
  t->next_stop += PAUSE_EVERY;
  t->pauses++;
  t->paused = 1;
  CHECK(uv_timer_start(&t->timer, resume_from_timer, 5, 0) == 0);
  return 1;
}

static size_t read_body(char *buffer, size_t size, size_t count, void *user_data) {
  struct paused_transfer *t = user_data;
  size_t want = size * count, i;
  if (t->done_calls > 0) t->callbacks_after_done++;
  if (pause_here(t)) return CURL_READFUNC_PAUSE;
  if ((curl_off_t)want > TOTAL - t->moved) want = (size_t)(TOTAL - t->moved);
  if ((curl_off_t)want > t->next_stop - t->moved) want = (size_t)(t->next_stop - t->moved);
  for (i = 0; i < want; i++) buffer[i] = (char)('a' + (t->moved + (curl_off_t)i) % 26);
  t->moved += (curl_off_t)want;
  return want;
}

static size_t keep_reply(char *data, size_t size, size_t count, void *user_data) {
  struct paused_transfer *t = user_data;
  size_t n = size * count;
  if (t->done_calls > 0) t->callbacks_after_done++;
  if (n > sizeof t->reply - 1 - t->reply_size) n = sizeof t->reply - 1 - t->reply_size;
  memcpy(t->reply + t->reply_size, data, n);
  t->reply_size += n;
  t->reply[t->reply_size] = '\0';
  return size * count;
}

static size_t take_body(char *data, size_t size, size_t count, void *user_data) {
  struct paused_transfer *t = user_data;
  size_t i;
  if (t->done_calls > 0) t->callbacks_after_done++;
  /* Pausing refuses this chunk: libcurl delivers it again once resumed. */
  if (t->moved + (curl_off_t)(size * count) > t->next_stop && pause_here(t)) return CURL_WRITEFUNC_PAUSE;
  for (i = 0; i < size * count; i++)
    if (data[i] != (char)('a' + (t->moved + (curl_off_t)i) % 65536 % 26)) break;
  CHECK(i == size * count); /* the body arrives whole and in order */
  t->moved += (curl_off_t)(size * count);
  return size * count;
}

static void on_done(CURL *easy, CURLcode result, void *user_data) {
  struct paused_transfer *t = user_data;
  CHECK(easy == t->easy);
  t->done_calls++;
  t->result = result;
  uv_close((uv_handle_t *)&t->timer, NULL);
  if (--transfers_left == 0) CHECK(uvcurl_close(curl, NULL, NULL) == 0);
}

static void prepare(struct paused_transfer *t, const char *path) {
  char url[128];
  memset(t, 0, sizeof *t);
  test_server_url(server, path, url, sizeof url);
  t->easy = curl_easy_init();
  curl_easy_setopt(t->easy, CURLOPT_URL, url);
  curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, 60000L);
  t->next_stop = PAUSE_EVERY;
  uv_timer_init(&loop, &t->timer);
  t->timer.data = t;
}

/* ---- paused from loop code ---- */

struct from_loop {
  struct paused_transfer *t;
  uv_timer_t timer;
  int step;
  curl_off_t moved_when_paused;
};

static void pause_from_loop(uv_timer_t *timer) {
  struct from_loop *f = timer->data;
  if (f->t->done_calls > 0) { /* finished before the pause could be tried: the test says so below */
    uv_close((uv_handle_t *)timer, NULL);
    return;
  }
  if (f->step == 0) {
    CHECK(curl_easy_pause(f->t->easy, CURLPAUSE_RECV) == CURLE_OK);
    f->moved_when_paused = f->t->moved;
    f->step = 1;
    uv_timer_start(timer, pause_from_loop, 50, 0);
  } else {
    CHECK(f->t->moved == f->moved_when_paused); /* nothing was delivered while paused */
    CHECK(curl_easy_pause(f->t->easy, CURLPAUSE_CONT) == CURLE_OK);
    f->step = 2;
    uv_close((uv_handle_t *)timer, NULL);
  }
}

static size_t take_slowly(char *data, size_t size, size_t count, void *user_data) {
  struct paused_transfer *t = user_data;
  (void)data;
  if (t->done_calls > 0) t->callbacks_after_done++;
  t->moved += (curl_off_t)(size * count);
  return size * count;
}

int main(void) {
  struct paused_transfer upload, download, loop_paused;
  struct from_loop from_loop;
  char expected[64];
  test_watchdog(120);
  server = test_server_start();
  CHECK(server != NULL);
  if (server == NULL) return test_report("test_uvcurl_pause");
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  CHECK(uv_loop_init(&loop) == 0);
  CHECK(uvcurl_init(&loop, &curl) == 0);

  prepare(&upload, "/upload");
  curl_easy_setopt(upload.easy, CURLOPT_POST, 1L);
  curl_easy_setopt(upload.easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)TOTAL);
  curl_easy_setopt(upload.easy, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt(upload.easy, CURLOPT_READDATA, &upload);
  curl_easy_setopt(upload.easy, CURLOPT_WRITEFUNCTION, keep_reply);
  curl_easy_setopt(upload.easy, CURLOPT_WRITEDATA, &upload);
  CHECK(uvcurl_add(curl, upload.easy, on_done, &upload) == 0);

  prepare(&download, "/bytes/52428800");
  curl_easy_setopt(download.easy, CURLOPT_WRITEFUNCTION, take_body);
  curl_easy_setopt(download.easy, CURLOPT_WRITEDATA, &download);
  CHECK(uvcurl_add(curl, download.easy, on_done, &download) == 0);

  prepare(&loop_paused, "/bytes/52428800");
  curl_easy_setopt(loop_paused.easy, CURLOPT_WRITEFUNCTION, take_slowly);
  curl_easy_setopt(loop_paused.easy, CURLOPT_WRITEDATA, &loop_paused);
  curl_easy_setopt(loop_paused.easy, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)20 * 1024 * 1024);
  CHECK(uvcurl_add(curl, loop_paused.easy, on_done, &loop_paused) == 0);
  memset(&from_loop, 0, sizeof from_loop);
  from_loop.t = &loop_paused;
  uv_timer_init(&loop, &from_loop.timer);
  from_loop.timer.data = &from_loop;
  uv_timer_start(&from_loop.timer, pause_from_loop, 100, 0);

  transfers_left = 3;
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);

  CHECK(upload.done_calls == 1);
  CHECK(upload.result == CURLE_OK);
  CHECK(upload.moved == TOTAL);
  CHECK(upload.pauses >= TOTAL / PAUSE_EVERY - 1); /* at each 10 MB, the last one if curl asks again */
  CHECK(upload.resumes == upload.pauses);
  sprintf(expected, "received %d", TOTAL);
  CHECK(strcmp(upload.reply, expected) == 0);
  CHECK(upload.callbacks_after_done == 0);

  CHECK(download.done_calls == 1);
  CHECK(download.result == CURLE_OK);
  CHECK(download.moved == TOTAL);
  CHECK(download.pauses == TOTAL / PAUSE_EVERY - 1);
  CHECK(download.resumes == download.pauses);
  CHECK(download.callbacks_after_done == 0);

  CHECK(loop_paused.done_calls == 1);
  CHECK(loop_paused.result == CURLE_OK);
  CHECK(loop_paused.moved == TOTAL);
  CHECK(from_loop.step == 2);

  CHECK(uv_loop_close(&loop) == 0);
  curl_easy_cleanup(upload.easy);
  curl_easy_cleanup(download.easy);
  curl_easy_cleanup(loop_paused.easy);
  curl_global_cleanup();
  test_server_stop(server);
  return test_report("test_uvcurl_pause");
}
