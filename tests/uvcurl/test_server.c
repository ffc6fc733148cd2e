/* See test_server.h. Blocking I/O on threads keeps it short and obviously correct; the tests need no more. */
#define _POSIX_C_SOURCE 200809L

#include "test_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int test_failures = 0;

void test_watchdog(unsigned seconds) { alarm(seconds); }

int test_selected(int argc, char **argv, const char *name) {
  int i;
  for (i = 1; i < argc; i++)
    if (strcmp(argv[i], name) == 0) return 1;
  return argc < 2;
}

int test_report(const char *name) {
  if (test_failures == 0) printf("%s: all checks passed\n", name);
  else printf("%s: %d checks failed\n", name, test_failures);
  return test_failures == 0 ? 0 : 1;
}

typedef struct connection connection;
struct connection {
  test_server *server;
  int fd;
  pthread_t thread;
  connection *next;
};

struct test_server {
  int listener;
  int port;
  pthread_t acceptor;
  pthread_mutex_t lock; /* guards everything below */
  connection *connections;
  long requests;
  long answered;
  long accepted;
  int stopping;
};

static int send_all(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t sent = send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return -1;
    data += sent;
    size -= (size_t)sent;
  }
  return 0;
}

static int respond(int fd, const char *body, size_t size) {
  char head[256];
  int length = snprintf(head, sizeof head,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Test: one\r\nX-Other: two\r\n"
                        "Content-Length: %lu\r\n\r\n",
                        (unsigned long)size);
  if (send_all(fd, head, (size_t)length) != 0) return -1;
  return send_all(fd, body, size);
}

/* The body of /bytes/N, 64 KiB at a time; written once before any thread starts, read-only after. */
static char pattern[65536];

static int respond_bytes(int fd, size_t size) {
  char head[128];
  const char *chunk = pattern;
  int length = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %lu\r\n\r\n", (unsigned long)size);
  if (send_all(fd, head, (size_t)length) != 0) return -1;
  while (size > 0) {
    size_t part = size < sizeof pattern ? size : sizeof pattern;
    if (send_all(fd, chunk, part) != 0) return -1;
    size -= part;
  }
  return 0;
}

/* Waits `ms` milliseconds unless the peer goes away (or the server stops) first. */
static void wait_or_hang_up(int fd, long ms) {
  struct pollfd watch;
  watch.fd = fd;
  watch.events = POLLIN;
  poll(&watch, 1, (int)ms);
}

static void *serve(void *argument) {
  enum { BUFFER_SIZE = 65536 };
  connection *c = argument;
  char *buffer = malloc(BUFFER_SIZE); /* not on the stack: the threads' stacks are small */
  size_t have = 0;
  if (buffer == NULL) return NULL;
  for (;;) {
    char *end, *line, path[256], reply[128];
    unsigned long long body = 0;
    size_t head_size;
    ssize_t got;
    /* Read one request head. */
    while ((end = have > 0 ? strstr(buffer, "\r\n\r\n") : NULL) == NULL) {
      if (have + 1 >= BUFFER_SIZE) goto out;
      got = recv(c->fd, buffer + have, BUFFER_SIZE - 1 - have, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) goto out;
      have += (size_t)got;
      buffer[have] = '\0';
    }
    head_size = (size_t)(end - buffer) + 4;
    if (sscanf(buffer, "%*s %255s", path) != 1) goto out;
    for (line = strstr(buffer, "\r\n"); line != NULL && line < end; line = strstr(line + 2, "\r\n"))
      if (strncasecmp(line + 2, "Content-Length:", 15) == 0) body = strtoull(line + 17, NULL, 10);
    /* Read and drop the body. */
    have -= head_size;
    memmove(buffer, buffer + head_size, have);
    {
      unsigned long long received = 0;
      while (received < body) {
        if (have == 0) {
          got = recv(c->fd, buffer, BUFFER_SIZE - 1, 0);
          if (got < 0 && errno == EINTR) continue;
          if (got <= 0) goto out;
          have = (size_t)got;
        }
        {
          size_t take = body - received < have ? (size_t)(body - received) : have;
          received += take;
          have -= take;
          memmove(buffer, buffer + take, have);
        }
      }
      buffer[have] = '\0';
    }
    pthread_mutex_lock(&c->server->lock);
    c->server->requests++;
    pthread_mutex_unlock(&c->server->lock);
    if (strncmp(path, "/bytes/", 7) == 0) {
      if (respond_bytes(c->fd, (size_t)strtoull(path + 7, NULL, 10)) != 0) goto out;
    } else if (strncmp(path, "/slow/", 6) == 0) {
      wait_or_hang_up(c->fd, strtol(path + 6, NULL, 10));
      if (respond(c->fd, "slow", 4) != 0) goto out;
    } else if (strncmp(path, "/redirect-close", 15) == 0) {
      /* Points back at /ok and closes the connection, so curl opens a new one for the next request. */
      int length = snprintf(reply, sizeof reply,
                            "HTTP/1.1 302 Found\r\nLocation: /ok\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      send_all(c->fd, reply, (size_t)length);
      goto out;
    } else if (strcmp(path, "/upload") == 0) {
      int length = snprintf(reply, sizeof reply, "received %llu", body);
      if (respond(c->fd, reply, (size_t)length) != 0) goto out;
    } else if (respond(c->fd, "ok", 2) != 0) {
      goto out;
    }
    pthread_mutex_lock(&c->server->lock);
    c->server->answered++;
    pthread_mutex_unlock(&c->server->lock);
  }
out:
  free(buffer);
  return NULL;
}

static void *accept_connections(void *argument) {
  test_server *server = argument;
  for (;;) {
    int fd = accept(server->listener, NULL, NULL);
    connection *c;
    pthread_attr_t attributes;
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return NULL; /* shutdown() of the listener at stop */
    }
    c = calloc(1, sizeof *c);
    if (c == NULL) {
      close(fd);
      continue;
    }
    c->server = server;
    c->fd = fd;
    pthread_mutex_lock(&server->lock);
    if (server->stopping) {
      pthread_mutex_unlock(&server->lock);
      close(fd);
      free(c);
      return NULL;
    }
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 256 * 1024);
    if (pthread_create(&c->thread, &attributes, serve, c) != 0) {
      close(fd);
      free(c);
    } else {
      c->next = server->connections;
      server->connections = c;
      server->accepted++;
    }
    pthread_attr_destroy(&attributes);
    pthread_mutex_unlock(&server->lock);
  }
}

test_server *test_server_start(void) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  test_server *server = calloc(1, sizeof *server);
  size_t i;
  if (server == NULL) return NULL;
  for (i = 0; i < sizeof pattern; i++) pattern[i] = (char)('a' + i % 26);
  server->listener = socket(AF_INET, SOCK_STREAM, 0);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (server->listener < 0 || bind(server->listener, (struct sockaddr *)&address, sizeof address) != 0 ||
      listen(server->listener, 1024) != 0 ||
      getsockname(server->listener, (struct sockaddr *)&address, &length) != 0) {
    if (server->listener >= 0) close(server->listener);
    free(server);
    return NULL;
  }
  server->port = ntohs(address.sin_port);
  pthread_mutex_init(&server->lock, NULL);
  if (pthread_create(&server->acceptor, NULL, accept_connections, server) != 0) {
    close(server->listener);
    pthread_mutex_destroy(&server->lock);
    free(server);
    return NULL;
  }
  return server;
}

int test_server_port(const test_server *server) { return server->port; }

void test_server_url(const test_server *server, const char *path, char *out, size_t size) {
  snprintf(out, size, "http://127.0.0.1:%d%s", server->port, path);
}

CURL *test_server_easy(const test_server *server, const char *path, long timeout_ms) {
  char url[128];
  CURL *easy = curl_easy_init();
  test_server_url(server, path, url, sizeof url);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  return easy;
}

/* One of the server's counters, read under its lock (the connection threads write them). */
static long read_counter(test_server *server, const long *counter) {
  long value;
  pthread_mutex_lock(&server->lock);
  value = *counter;
  pthread_mutex_unlock(&server->lock);
  return value;
}

long test_server_requests(test_server *server) { return read_counter(server, &server->requests); }

long test_server_answered(test_server *server) { return read_counter(server, &server->answered); }

long test_server_connections(test_server *server) { return read_counter(server, &server->accepted); }

void test_server_stop(test_server *server) {
  connection *c;
  pthread_mutex_lock(&server->lock);
  server->stopping = 1;
  pthread_mutex_unlock(&server->lock);
  shutdown(server->listener, SHUT_RDWR);
  pthread_join(server->acceptor, NULL);
  close(server->listener);
  /* The acceptor is gone: the list no longer changes. */
  for (c = server->connections; c != NULL; c = c->next) shutdown(c->fd, SHUT_RDWR);
  while ((c = server->connections) != NULL) {
    server->connections = c->next;
    pthread_join(c->thread, NULL);
    close(c->fd);
    free(c);
  }
  pthread_mutex_destroy(&server->lock);
  free(server);
}
