/* Embedding uvcurl in a C program that owns its libuv loop.
 *
 *   embed [BASE_URL [TERM...]]
 *
 * The program keeps a timer of its own ticking every 10 ms (standing in for whatever else a host does on its
 * loop), looks up each TERM on BASE_URL (default: the iTunes Search API) through uvcurl on that same loop, prints
 * one line per lookup, closes uvcurl, and checks that its loop then closes cleanly. Exits 0 when every lookup
 * got HTTP 200 and the loop closed with 0. */
/* libuv's uv.h needs POSIX types, which strict -std=c99 hides unless asked for. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uvcurl.h>

struct lookup {
  const char *term;
  CURL *easy;
  size_t bytes;
  char error[CURL_ERROR_SIZE];
};

static uv_timer_t ticker;
static unsigned ticks;
static size_t pending;
static uvcurl_t *transfers;
static int failed;

static size_t on_body(char *data, size_t size, size_t count, void *user_data) {
  struct lookup *lookup = user_data;
  (void)data;
  lookup->bytes += size * count;
  return size * count;
}

static void on_tick(uv_timer_t *timer) {
  (void)timer;
  ticks++;
}

static void on_closed(uvcurl_t *handle, void *user_data) {
  (void)handle;
  (void)user_data;
  uv_close((uv_handle_t *)&ticker, NULL); /* the host's own handle: the host closes it */
}

static void on_done(CURL *easy, CURLcode result, void *user_data) {
  struct lookup *lookup = user_data;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (result != CURLE_OK || status != 200) failed = 1;
  if (result == CURLE_OK)
    printf("%s: HTTP %ld, %zu bytes\n", lookup->term, status, lookup->bytes);
  else
    printf("%s: failed: %s\n", lookup->term, lookup->error[0] ? lookup->error : curl_easy_strerror(result));
  if (--pending == 0) uvcurl_close(transfers, on_closed, NULL); /* allowed inside a done callback */
}

static CURL *make_request(const char *base_url, struct lookup *lookup) {
  CURL *easy = curl_easy_init();
  char *term, *url;
  size_t length;
  if (easy == NULL) return NULL;
  term = curl_easy_escape(easy, lookup->term, 0);
  length = strlen(base_url) + strlen(term) + 64;
  url = malloc(length);
  if (url == NULL) {
    curl_free(term);
    curl_easy_cleanup(easy);
    return NULL;
  }
  snprintf(url, length, "%s?term=%s&entity=album&limit=5", base_url, term);
  curl_easy_setopt(easy, CURLOPT_URL, url); /* libcurl copies the string */
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, lookup);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, lookup->error);
  curl_free(term);
  free(url);
  return easy;
}

int main(int argc, char **argv) {
  static const char *default_terms[] = {"Billie Eilish", "Dua Lipa", "Lorde"};
  const char *base_url = argc > 1 ? argv[1] : "https://itunes.apple.com/search";
  const char *const *terms = argc > 2 ? (const char *const *)argv + 2 : default_terms;
  size_t count = argc > 2 ? (size_t)(argc - 2) : 3, i;
  struct lookup *lookups = calloc(count, sizeof *lookups);
  uv_loop_t loop;
  int rc, status = 0;

  if (lookups == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  uv_loop_init(&loop);
  uv_timer_init(&loop, &ticker);
  uv_timer_start(&ticker, on_tick, 10, 10);

  rc = uvcurl_init(&loop, &transfers);
  if (rc != 0) {
    fprintf(stderr, "embed: uvcurl_init: %s\n", uvcurl_strerror(rc));
    return 1;
  }
  for (i = 0; i < count; i++) {
    lookups[i].term = terms[i];
    lookups[i].easy = make_request(base_url, &lookups[i]);
    rc = lookups[i].easy ? uvcurl_add(transfers, lookups[i].easy, on_done, &lookups[i]) : UVCURL_ENOMEM;
    if (rc != 0) {
      fprintf(stderr, "embed: %s: %s\n", terms[i], uvcurl_strerror(rc));
      status = 1;
    } else {
      pending++;
    }
  }
  if (pending == 0) uvcurl_close(transfers, on_closed, NULL);

  uv_run(&loop, UV_RUN_DEFAULT);
  printf("the host's timer ticked %u times meanwhile\n", ticks);
  rc = uv_loop_close(&loop);
  printf("uv_loop_close: %d\n", rc);

  for (i = 0; i < count; i++) curl_easy_cleanup(lookups[i].easy);
  free(lookups);
  curl_global_cleanup();
  return rc == 0 && !failed ? status : 1;
}
