/* The uvcurl loop module (C99, Linux): one curl multi handle driven by a libuv loop through
 * CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION (one uv_timer_t, and one uv_idle_t for "at once" and for
 * work that had to wait until libcurl returned).
 *
 * Sockets. curl's sockets are watched in an epoll set of uvcurl's own, and the loop watches that set's fd with
 * one uv_poll_t. A socket is in the set from curl's first announcement of it to its CURL_POLL_REMOVE, and no
 * longer: on REMOVE it is deleted at once, while curl still holds the fd open, so the entry goes before the
 * number can name anything else. libcurl announces REMOVE for every socket it watches before closing it
 * (Curl_multi_closed), so between the two events the number names curl's socket alone, and the set is keyed by
 * fd number with no curl_multi_assign (which libcurl refuses inside its callbacks, where curl_easy_pause may run
 * the socket callback). The host's own handles live in the loop's epoll set, which uvcurl never touches for a
 * socket: a handle the host opens on a recycled number is never disturbed, and one loop per thread shares
 * nothing. The private set is also the cheaper one: a socket costs an add and a delete (a uv_poll_t per socket
 * costs libuv's two-call fd check, an ioctl, the add, a delete and the delete of its close), which matters
 * because curl removes a keep-alive socket after each response and announces it again for the next request.
 *
 * Re-entrancy. libcurl refuses calls back into the multi handle while it runs one of the transfer's callbacks
 * (write, header, read, progress...): curl_multi_add_handle/remove_handle/cleanup then return
 * CURLM_RECURSIVE_API_CALL. That is also how uvcurl learns it is inside libcurl when the host itself called into
 * libcurl, e.g. curl_easy_pause(CURLPAUSE_CONT) from a uv timer, which delivers held data synchronously: a
 * depth counter cannot see that case, so every add, remove and cleanup checks for CURLM_RECURSIVE_API_CALL and,
 * when refused, leaves the work in the deferred queue and starts the kick, which retries from the loop once
 * libcurl has returned. `depth` covers uvcurl's own frames (a pass over libcurl, a done callback): work
 * asked for there is queued and done by the outermost frame as it unwinds. A done callback fires only after
 * curl_multi_remove_handle succeeded, so libcurl never calls that transfer's callbacks afterwards.
 */
#define _POSIX_C_SOURCE 200809L

#include <uvcurl.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct transfer transfer;
struct transfer {
  CURL *easy;
  uvcurl_done_cb done;
  void *user_data;
  int in_multi;         /* added to the multi handle; otherwise its add waits in the deferred queue */
  int cancel_requested; /* report UVCURL_CANCELLED whatever libcurl says */
  int queued;           /* in the deferred queue */
  transfer *queue_prev, *queue_next;
  transfer *prev, *next; /* every transfer, for the teardown */
};

typedef struct post_request post_request;
struct post_request {
  uvcurl_post_cb fn;
  void *user_data;
  post_request *next;
};

struct uvcurl_s {
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;
  uv_idle_t kick;
  uv_async_t post_async;
  uv_mutex_t post_lock; /* guards post_head, post_tail, post_closed */
  post_request *post_head, *post_tail;
  int post_closed;

  /* Transfers by easy handle: open addressing, linear probing, capacity a power of two. */
  transfer **slots;
  size_t capacity, count;
  transfer *all_head;
  transfer *queue_head, *queue_tail;

  int epoll_fd;        /* curl's sockets (see the top of the file) */
  uv_poll_t epoll_poll; /* the loop's watch on epoll_fd */
  uint32_t *watched;    /* by fd number: the epoll events of a socket in the set, plus WATCHED; 0 when not in it */
  size_t watched_size;
  size_t watched_count;

  CURLMsg *completed; /* copies of one pass's completion messages */
  size_t completed_capacity;

  int depth;
  int zero_timeout; /* curl asked for "at once" during the current pass */
  int unreferenced;
  int open_uv_handles;
  int closing;
  int teardown_pending;
  int torn_down;
  uvcurl_close_cb close_cb;
  void *close_data;
};

/* ---- transfers by easy handle ---- */

static size_t slot_of(const uvcurl_t *h, const CURL *easy) {
  uint64_t key = (uint64_t)(uintptr_t)easy;
  key ^= key >> 29;
  key *= UINT64_C(0x9e3779b97f4a7c15);
  return (size_t)(key >> 32) & (h->capacity - 1);
}

static transfer *find_transfer(const uvcurl_t *h, const CURL *easy) {
  size_t i;
  if (h->capacity == 0) return NULL;
  for (i = slot_of(h, easy); h->slots[i] != NULL; i = (i + 1) & (h->capacity - 1))
    if (h->slots[i]->easy == easy) return h->slots[i];
  return NULL;
}

static void place_transfer(uvcurl_t *h, transfer *t) {
  size_t i = slot_of(h, t->easy);
  while (h->slots[i] != NULL) i = (i + 1) & (h->capacity - 1);
  h->slots[i] = t;
}

static int insert_transfer(uvcurl_t *h, transfer *t) {
  if ((h->count + 1) * 2 > h->capacity) { /* keep the load at most 1/2 */
    size_t old_capacity = h->capacity, i;
    transfer **old_slots = h->slots;
    size_t capacity = old_capacity == 0 ? 64 : old_capacity * 2;
    transfer **slots = calloc(capacity, sizeof *slots);
    if (slots == NULL) return UVCURL_ENOMEM;
    h->slots = slots;
    h->capacity = capacity;
    for (i = 0; i < old_capacity; i++)
      if (old_slots[i] != NULL) place_transfer(h, old_slots[i]);
    free(old_slots);
  }
  place_transfer(h, t);
  h->count++;
  t->next = h->all_head;
  t->prev = NULL;
  if (h->all_head != NULL) h->all_head->prev = t;
  h->all_head = t;
  return 0;
}

static void queue_remove(uvcurl_t *h, transfer *t) {
  if (!t->queued) return;
  if (t->queue_prev != NULL) t->queue_prev->queue_next = t->queue_next;
  else h->queue_head = t->queue_next;
  if (t->queue_next != NULL) t->queue_next->queue_prev = t->queue_prev;
  else h->queue_tail = t->queue_prev;
  t->queued = 0;
}

static void queue_push(uvcurl_t *h, transfer *t) {
  if (t->queued) return;
  t->queue_next = NULL;
  t->queue_prev = h->queue_tail;
  if (h->queue_tail != NULL) h->queue_tail->queue_next = t;
  else h->queue_head = t;
  h->queue_tail = t;
  t->queued = 1;
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
static void remove_transfer(uvcurl_t *h, transfer *t) {
  size_t mask = h->capacity - 1, i = slot_of(h, t->easy), j;
  while (h->slots[i] != t) i = (i + 1) & mask;
  h->slots[i] = NULL;
  for (j = (i + 1) & mask; h->slots[j] != NULL; j = (j + 1) & mask) {
    size_t home = slot_of(h, h->slots[j]->easy);
    /* Move the entry at j into the hole at i unless its home lies cyclically in (i, j]. */
    int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (!stays) {
      h->slots[i] = h->slots[j];
      h->slots[j] = NULL;
      i = j;
    }
  }
  h->count--;
  if (t->prev != NULL) t->prev->next = t->next;
  else h->all_head = t->next;
  if (t->next != NULL) t->next->prev = t->prev;
  queue_remove(h, t);
}

/* ---- uv handles ---- */

static void apply_reference(const uvcurl_t *h, uv_handle_t *handle) {
  if (h->unreferenced) uv_unref(handle);
  else uv_ref(handle);
}

static void free_handle(uvcurl_t *h) {
  uv_mutex_destroy(&h->post_lock);
  free(h->slots);
  free(h->watched);
  free(h->completed);
  if (h->epoll_fd >= 0) close(h->epoll_fd);
  free(h);
}

static void handle_closed(uvcurl_t *h) {
  if (--h->open_uv_handles > 0 || !h->closing) return;
  /* Every uv handle is closed, so the host may uv_loop_close() from inside the callback. */
  if (h->close_cb != NULL) h->close_cb(h, h->close_data);
  free_handle(h);
}

static void on_own_handle_closed(uv_handle_t *handle) { handle_closed(handle->data); }

static void on_kick(uv_idle_t *idle);

/* The kick runs in the next idle phase of the loop, which comes after the current callback has returned, so it
 * is outside libcurl and outside uvcurl's frames. */
static void start_kick(uvcurl_t *h) {
  if (!h->torn_down) uv_idle_start(&h->kick, on_kick);
}

/* ---- the pass over libcurl ---- */

static int finish(uvcurl_t *h, transfer *t, CURLcode result);
static void run_deferred(uvcurl_t *h);

/* A CURLOPT_CONNECT_ONLY transfer over HTTP(S) ends with its connection up and no request sent. libcurl 7.88 has
 * no getter for options, so this is how uvcurl recognises it: its connection would be closed by the removal
 * that must come before the done callback, so it is refused (UVCURL_CONNECT_ONLY_REFUSED). */
static int is_connect_only(CURL *easy) {
  curl_socket_t socket = CURL_SOCKET_BAD;
  long request_size = -1;
  char *scheme = NULL;
  if (curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size) != CURLE_OK || request_size != 0) return 0;
  if (curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK || socket == CURL_SOCKET_BAD) return 0;
  if (curl_easy_getinfo(easy, CURLINFO_SCHEME, &scheme) != CURLE_OK || scheme == NULL) return 0;
  return strcmp(scheme, "HTTP") == 0 || strcmp(scheme, "HTTPS") == 0 || strcmp(scheme, "http") == 0 ||
         strcmp(scheme, "https") == 0;
}

static void report_completion(uvcurl_t *h, CURL *easy, CURLcode result) {
  transfer *t = find_transfer(h, easy);
  if (t == NULL) return;
  if (result == CURLE_OK && is_connect_only(easy)) result = UVCURL_CONNECT_ONLY_REFUSED;
  finish(h, t, result); /* cannot be refused: no transfer callback runs here */
}

/* Reads every message before removing any handle: curl_multi_remove_handle looks for the handle's message among
 * those not read yet, so removing while many wait would cost the square of the completions of one pass. */
static void drain_completions(uvcurl_t *h) {
  int queued = 0;
  size_t count = 0, i;
  CURLMsg *message;
  while (h->multi != NULL && (message = curl_multi_info_read(h->multi, &queued)) != NULL) {
    if (message->msg != CURLMSG_DONE) continue;
    if (count == h->completed_capacity) {
      size_t capacity = count == 0 ? 64 : count * 2;
      CURLMsg *grown = realloc(h->completed, capacity * sizeof *grown);
      if (grown == NULL) { /* report this one at once: slower, as correct */
        report_completion(h, message->easy_handle, message->data.result);
        continue;
      }
      h->completed = grown;
      h->completed_capacity = capacity;
    }
    h->completed[count++] = *message; /* a copy: removing the handle invalidates the message */
  }
  for (i = 0; i < count; i++) report_completion(h, h->completed[i].easy_handle, h->completed[i].data.result);
}

static void drive(uvcurl_t *h, curl_socket_t fd, int flags) {
  /* Transfers added by done callbacks make curl ask for "at once"; taking that timeout in the same pass starts
   * them without another loop iteration. Bounded, so that a stream of instant completions cannot starve the
   * loop (the kick then carries on). */
  enum { max_rounds = 4 };
  int round;
  for (round = 0; round < max_rounds && h->multi != NULL; round++) {
    int running = 0;
    h->zero_timeout = 0;
    h->depth++;
    curl_multi_socket_action(h->multi, fd, flags, &running);
    drain_completions(h); /* after every socket_action, the timer path included */
    h->depth--;
    run_deferred(h);
    if (!h->zero_timeout || h->multi == NULL) break;
    if (round + 1 < max_rounds) uv_idle_stop(&h->kick); /* this pass takes the timeout itself */
    fd = CURL_SOCKET_TIMEOUT;
    flags = 0;
  }
}

/* The epoll flag that marks an entry of `watched` as in the set, whatever its events (never one epoll reports). */
#define WATCHED EPOLLONESHOT

/* The private set has events: hands each socket's to curl. Level-triggered, so what one batch leaves is
 * reported again; an event of a socket deleted meanwhile is dropped, and one for a new socket under the same
 * number costs curl a read that finds nothing. */
static void on_epoll_ready(uv_poll_t *poll, int status, int ready) {
  enum { batch = 256 };
  uvcurl_t *h = poll->data;
  struct epoll_event events[batch];
  int count, i;
  (void)status;
  (void)ready;
  do count = epoll_wait(h->epoll_fd, events, batch, 0);
  while (count < 0 && errno == EINTR);
  for (i = 0; i < count && h->multi != NULL; i++) {
    curl_socket_t fd = events[i].data.fd;
    uint32_t happened = events[i].events, wanted;
    int flags = 0;
    if ((size_t)fd >= h->watched_size || h->watched[fd] == 0) continue;
    wanted = h->watched[fd];
    /* On an error (e.g. after a reset) curl is told so together with the directions it was waiting for: with
     * CURL_CSELECT_ERR alone, libcurl 7.88 gives up with "select/poll returned error" instead of reading the
     * socket and reporting the real cause ("Connection reset by peer"). */
    if (happened & EPOLLERR) {
      flags = CURL_CSELECT_ERR;
      happened |= wanted;
    }
    if (happened & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) flags |= CURL_CSELECT_IN;
    if (happened & EPOLLOUT) flags |= CURL_CSELECT_OUT;
    drive(h, fd, flags);
  }
}

static void on_timeout(uv_timer_t *timer) { drive(timer->data, CURL_SOCKET_TIMEOUT, 0); }

static void on_kick(uv_idle_t *idle) {
  uv_idle_stop(idle);
  drive(idle->data, CURL_SOCKET_TIMEOUT, 0); /* also runs the deferred work */
}

/* The set's watch keeps the loop running while a socket is in the set, unless uvcurl_unref said otherwise. */
static void update_epoll_reference(uvcurl_t *h) {
  if (h->watched_count > 0 && !h->unreferenced) uv_ref((uv_handle_t *)&h->epoll_poll);
  else uv_unref((uv_handle_t *)&h->epoll_poll);
}

static void unwatch(uvcurl_t *h, curl_socket_t fd) {
  if (fd < 0 || (size_t)fd >= h->watched_size || h->watched[fd] == 0) return;
  epoll_ctl(h->epoll_fd, EPOLL_CTL_DEL, fd, NULL); /* curl still holds the fd: the entry is this socket's */
  h->watched[fd] = 0;
  if (--h->watched_count == 0) update_epoll_reference(h);
}

static int watch(uvcurl_t *h, curl_socket_t fd, uint32_t events) {
  struct epoll_event event;
  int added;
  if (fd < 0) return -1;
  if ((size_t)fd >= h->watched_size) {
    size_t size = h->watched_size == 0 ? 64 : h->watched_size;
    uint32_t *grown;
    while (size <= (size_t)fd) size *= 2;
    grown = realloc(h->watched, size * sizeof *grown);
    if (grown == NULL) return -1;
    memset(grown + h->watched_size, 0, (size - h->watched_size) * sizeof *grown);
    h->watched = grown;
    h->watched_size = size;
  }
  if (h->watched[fd] == (events | WATCHED)) return 0; /* nothing changes: no system call */
  memset(&event, 0, sizeof event);
  event.events = events;
  event.data.fd = fd;
  added = h->watched[fd] == 0;
  if (epoll_ctl(h->epoll_fd, added ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) != 0) {
    unwatch(h, fd);
    return -1;
  }
  h->watched[fd] = events | WATCHED;
  if (added && h->watched_count++ == 0) update_epoll_reference(h);
  return 0;
}

/* CURLMOPT_SOCKETFUNCTION: curl says which events it wants on a socket, or that it is done with it. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
  uvcurl_t *h = userp;
  uint32_t events = 0;
  (void)easy;
  (void)socketp;
  if (what & CURL_POLL_IN) events |= EPOLLIN;
  if (what & CURL_POLL_OUT) events |= EPOLLOUT;
  /* REMOVE, or CURL_POLL_NONE (curl keeps the socket but wants nothing now, e.g. a paused transfer): out of the
   * set, since epoll reports errors and hang-ups even for an entry that asks for nothing. A REMOVE for a socket
   * never seen is harmless. */
  if (what == CURL_POLL_REMOVE || events == 0) {
    unwatch(h, fd);
    return 0;
  }
  return watch(h, fd, events);
}

/* CURLMOPT_TIMERFUNCTION: only arms the uv timer or the kick; calling libcurl from here is forbidden. curl keeps
 * one timer, so each call replaces the last. The kick is left running on a later non-zero timeout: it may carry
 * deferred work, and a spare pass over the timeouts does nothing. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
  uvcurl_t *h = userp;
  (void)multi;
  if (timeout_ms == 0) {
    h->zero_timeout = 1;
    uv_timer_stop(&h->timer);
    start_kick(h);
  } else if (timeout_ms < 0) {
    uv_timer_stop(&h->timer);
  } else {
    uv_timer_start(&h->timer, on_timeout, (uint64_t)timeout_ms, 0);
  }
  return 0;
}

/* ---- completion, deferred work, teardown ---- */

/* Reports a transfer: removes it from the multi handle first, then calls its done callback. Returns 1 without
 * reporting when libcurl refuses the removal because it is running one of its callbacks: the caller keeps the
 * work and retries from the loop. */
static int finish(uvcurl_t *h, transfer *t, CURLcode result) {
  uvcurl_done_cb done;
  CURL *easy;
  void *user_data;
  if (t->in_multi && h->multi != NULL) {
    if (curl_multi_remove_handle(h->multi, t->easy) == CURLM_RECURSIVE_API_CALL) return 1;
    t->in_multi = 0;
  }
  remove_transfer(h, t);
  if (t->cancel_requested) result = UVCURL_CANCELLED;
  done = t->done;
  easy = t->easy;
  user_data = t->user_data;
  free(t);
  h->depth++;
  done(easy, result, user_data);
  h->depth--;
  return 0;
}

static void run_posts(uvcurl_t *h, post_request *first) {
  while (first != NULL) {
    post_request *next = first->next;
    uvcurl_post_cb fn = first->fn;
    void *user_data = first->user_data;
    free(first);
    fn(h, user_data);
    first = next;
  }
}

static post_request *take_posts(uvcurl_t *h) {
  post_request *first;
  uv_mutex_lock(&h->post_lock);
  first = h->post_head;
  h->post_head = h->post_tail = NULL;
  uv_mutex_unlock(&h->post_lock);
  return first;
}

static void on_post(uv_async_t *async) {
  uvcurl_t *h = async->data;
  run_posts(h, take_posts(h)); /* as plain loop code: depth 0 */
}

/* Returns 1 when libcurl refused (inside one of its callbacks): call again from the loop. */
static int teardown(uvcurl_t *h) {
  h->depth++; /* callbacks below may call uvcurl_cancel/uvcurl_add: they must neither recurse nor add */
  while (h->all_head != NULL) {
    if (finish(h, h->all_head, UVCURL_CANCELLED)) {
      h->depth--;
      return 1;
    }
  }
  if (curl_multi_cleanup(h->multi) == CURLM_RECURSIVE_API_CALL) {
    h->depth--;
    return 1;
  }
  /* curl_multi_cleanup fired CURL_POLL_REMOVE for the sockets it still held. */
  h->multi = NULL;
  h->torn_down = 1;
  {
    size_t fd;
    for (fd = 0; fd < h->watched_size; fd++) unwatch(h, (curl_socket_t)fd);
  }
  run_posts(h, take_posts(h)); /* accepted before the close: they still run, once */
  uv_timer_stop(&h->timer);
  uv_idle_stop(&h->kick);
  uv_close((uv_handle_t *)&h->timer, on_own_handle_closed);
  uv_close((uv_handle_t *)&h->kick, on_own_handle_closed);
  uv_close((uv_handle_t *)&h->post_async, on_own_handle_closed);
  uv_close((uv_handle_t *)&h->epoll_poll, on_own_handle_closed); /* epoll_fd is closed once it has been */
  h->depth--;
  return 0;
}

static void run_deferred(uvcurl_t *h) {
  int refused = 0;
  if (h->depth != 0 || h->torn_down) return;
  h->depth++;
  while (h->queue_head != NULL) {
    transfer *t = h->queue_head;
    if (t->cancel_requested || h->closing) { /* an add that waited is not started once the close has begun */
      if (finish(h, t, UVCURL_CANCELLED)) {
        refused = 1;
        break;
      }
    } else {
      CURLMcode code = curl_multi_add_handle(h->multi, t->easy);
      if (code == CURLM_RECURSIVE_API_CALL) {
        refused = 1;
        break;
      }
      queue_remove(h, t);
      if (code == CURLM_OK) t->in_multi = 1;
      else finish(h, t, code == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT);
    }
  }
  h->depth--;
  if (!refused && h->teardown_pending) {
    refused = teardown(h);
    if (!refused) h->teardown_pending = 0;
  }
  if (refused) start_kick(h);
}

/* ---- the API ---- */

unsigned uvcurl_version(void) {
  return (UVCURL_VERSION_MAJOR << 16) | (UVCURL_VERSION_MINOR << 8) | UVCURL_VERSION_PATCH;
}

#define UVCURL_STRINGIFY_(x) #x
#define UVCURL_STRINGIFY(x) UVCURL_STRINGIFY_(x)

const char *uvcurl_version_string(void) {
  return UVCURL_STRINGIFY(UVCURL_VERSION_MAJOR) "." UVCURL_STRINGIFY(UVCURL_VERSION_MINOR) "." UVCURL_STRINGIFY(
      UVCURL_VERSION_PATCH);
}

int uvcurl_init(uv_loop_t *loop, uvcurl_t **out) {
  uvcurl_t *h;
  if (loop == NULL || out == NULL) return UVCURL_EINVAL;
  *out = NULL;
  h = calloc(1, sizeof *h);
  if (h == NULL) return UVCURL_ENOMEM;
  h->loop = loop;
  h->epoll_fd = -1;
  if (uv_mutex_init(&h->post_lock) != 0) {
    free(h);
    return UVCURL_EUV;
  }
  h->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (h->epoll_fd < 0) {
    free_handle(h);
    return UVCURL_EUV;
  }
  h->multi = curl_multi_init();
  if (h->multi == NULL) {
    free_handle(h);
    return UVCURL_ECURLM;
  }
  if (uv_async_init(loop, &h->post_async, on_post) != 0) {
    curl_multi_cleanup(h->multi);
    free_handle(h);
    return UVCURL_EUV;
  }
  /* A waiting post must not keep uv_run from returning: the async handle exists as long as uvcurl does. */
  uv_unref((uv_handle_t *)&h->post_async);
  h->post_async.data = h;
  h->open_uv_handles = 1;
  if (uv_poll_init(loop, &h->epoll_poll, h->epoll_fd) != 0) {
    curl_multi_cleanup(h->multi);
    h->multi = NULL;
    h->closing = 1; /* freed once the loop has closed the async handle */
    h->torn_down = 1;
    uv_close((uv_handle_t *)&h->post_async, on_own_handle_closed);
    return UVCURL_EUV;
  }
  h->epoll_poll.data = h;
  /* Started for good (libuv 1.44's uv_poll_start cannot fail), referenced only while a socket is watched. */
  uv_poll_start(&h->epoll_poll, UV_READABLE, on_epoll_ready);
  update_epoll_reference(h);
  /* libuv 1.44 cannot fail these two (no system call is made). */
  uv_timer_init(loop, &h->timer);
  uv_idle_init(loop, &h->kick);
  h->timer.data = h;
  h->kick.data = h;
  h->open_uv_handles = 4;
  curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
  curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
  curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
  *out = h;
  return 0;
}

CURLM *uvcurl_multi(uvcurl_t *handle) { return handle == NULL ? NULL : handle->multi; }

int uvcurl_add(uvcurl_t *handle, CURL *easy, uvcurl_done_cb done, void *user_data) {
  transfer *t;
  CURLMcode code;
  if (handle == NULL || easy == NULL || done == NULL) return UVCURL_EINVAL;
  if (handle->closing) return UVCURL_ECLOSING;
  if (find_transfer(handle, easy) != NULL) return UVCURL_EEXIST;
  t = calloc(1, sizeof *t);
  if (t == NULL) return UVCURL_ENOMEM;
  t->easy = easy;
  t->done = done;
  t->user_data = user_data;
  if (insert_transfer(handle, t) != 0) {
    free(t);
    return UVCURL_ENOMEM;
  }
  code = curl_multi_add_handle(handle->multi, easy);
  if (code == CURLM_OK) {
    t->in_multi = 1;
    return 0;
  }
  if (code == CURLM_RECURSIVE_API_CALL) { /* from a transfer's callback: added once libcurl has returned */
    queue_push(handle, t);
    start_kick(handle);
    return 0;
  }
  remove_transfer(handle, t);
  free(t);
  return UVCURL_ECURLM;
}

int uvcurl_cancel(uvcurl_t *handle, CURL *easy) {
  transfer *t;
  if (handle == NULL || easy == NULL) return UVCURL_EINVAL;
  t = find_transfer(handle, easy);
  if (t == NULL) return UVCURL_ENOENT;
  if (t->cancel_requested) return 0;
  t->cancel_requested = 1;
  if (t->queued) queue_remove(handle, t); /* a waiting add: cancel instead, in queue order */
  queue_push(handle, t);
  run_deferred(handle); /* at once unless inside libcurl or one of uvcurl's callbacks */
  return 0;
}

size_t uvcurl_in_flight(const uvcurl_t *handle) { return handle == NULL ? 0 : handle->count; }

int uvcurl_close(uvcurl_t *handle, uvcurl_close_cb done, void *user_data) {
  if (handle == NULL) return UVCURL_EINVAL;
  if (handle->closing) return UVCURL_ECLOSING;
  handle->closing = 1;
  handle->close_cb = done;
  handle->close_data = user_data;
  uv_mutex_lock(&handle->post_lock);
  handle->post_closed = 1;
  uv_mutex_unlock(&handle->post_lock);
  handle->teardown_pending = 1;
  run_deferred(handle);
  return 0;
}

int uvcurl_post(uvcurl_t *handle, uvcurl_post_cb fn, void *user_data) {
  post_request *request;
  if (handle == NULL || fn == NULL) return UVCURL_EINVAL;
  request = malloc(sizeof *request);
  if (request == NULL) return UVCURL_ENOMEM;
  request->fn = fn;
  request->user_data = user_data;
  request->next = NULL;
  uv_mutex_lock(&handle->post_lock);
  if (handle->post_closed) {
    uv_mutex_unlock(&handle->post_lock);
    free(request);
    return UVCURL_ECLOSING;
  }
  if (handle->post_tail != NULL) handle->post_tail->next = request;
  else handle->post_head = request;
  handle->post_tail = request;
  /* Under the lock: once uvcurl_close has taken it, the async handle may be closed at any time. */
  uv_async_send(&handle->post_async);
  uv_mutex_unlock(&handle->post_lock);
  return 0;
}

static void set_reference(uvcurl_t *handle, int unreferenced) {
  if (handle == NULL || handle->torn_down) return;
  handle->unreferenced = unreferenced;
  apply_reference(handle, (uv_handle_t *)&handle->timer);
  apply_reference(handle, (uv_handle_t *)&handle->kick);
  update_epoll_reference(handle);
}

void uvcurl_ref(uvcurl_t *handle) { set_reference(handle, 0); }

void uvcurl_unref(uvcurl_t *handle) { set_reference(handle, 1); }

const char *uvcurl_strerror(int error) {
  switch (error) {
    case 0: return "success";
    case UVCURL_EINVAL: return "invalid argument";
    case UVCURL_ENOMEM: return "out of memory";
    case UVCURL_ECLOSING: return "the uvcurl handle is closing";
    case UVCURL_EEXIST: return "the easy handle is already added";
    case UVCURL_ENOENT: return "the easy handle is not in flight";
    case UVCURL_ECURLM: return "libcurl's multi interface refused the call";
    case UVCURL_EUV: return "libuv could not create a handle";
    default: return "unknown uvcurl error";
  }
}
