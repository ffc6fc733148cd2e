/* A small HTTP/1.1 server for the uvcurl C tests, on 127.0.0.1, one thread per connection, keep-alive.
 * Paths:
 *   /bytes/N       200 with a body of N bytes ('a' to 'z' repeated)
 *   /slow/MS       200 with "slow" after MS milliseconds
 *   /redirect-close  302 to /ok with "Connection: close", then closes the connection
 *   /upload        reads the request body (Content-Length) and answers "received N"
 *   anything else  200 with "ok"
 * Every response carries Content-Length and a few header lines. */
#ifndef UVCURL_TEST_SERVER_H
#define UVCURL_TEST_SERVER_H

#include <curl/curl.h>
#include <stdio.h>
#include <stddef.h>

/* Checks for the C tests: a failed check is counted and reported, and the test goes on. */
extern int test_failures;
#define CHECK(condition)                                                                  \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition);       \
      ++test_failures;                                                                    \
    }                                                                                     \
  } while (0)

/* Kills the test binary (SIGALRM) if it runs for longer than `seconds`: a hang is a failure. */
void test_watchdog(unsigned seconds);
/* True when the binary was started with no argument or with `name` among its arguments: `test_x name` runs one
 * case alone. */
int test_selected(int argc, char **argv, const char *name);
/* Prints the verdict of binary `name` and returns its exit status. */
int test_report(const char *name);

typedef struct test_server test_server;

/* Starts listening on an ephemeral port; NULL on failure. */
test_server *test_server_start(void);
int test_server_port(const test_server *server);
/* "http://127.0.0.1:PORT" followed by `path`, in `out`. */
void test_server_url(const test_server *server, const char *path, char *out, size_t size);
/* An easy handle for `path` on the server, with no signals and a transfer time limit of `timeout_ms`. */
CURL *test_server_easy(const test_server *server, const char *path, long timeout_ms);
/* Requests answered and connections accepted so far. */
long test_server_requests(test_server *server);
long test_server_connections(test_server *server);
/* Responses sent in full so far. */
long test_server_answered(test_server *server);
/* Stops accepting, ends every connection and joins every thread. */
void test_server_stop(test_server *server);

#endif
