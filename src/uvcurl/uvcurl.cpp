// The uvcurl loop module: one curl multi handle driven by a libuv loop through CURLMOPT_SOCKETFUNCTION
// (one uv_poll_t per socket) and CURLMOPT_TIMERFUNCTION (one uv_timer_t, and one uv_idle_t for "at once").
//
// Re-entrancy is the hard part. libcurl forbids calls back into the multi handle from its own callbacks, and
// a done callback may cancel, add or close. So every entry point that calls libcurl or a user callback raises
// depth_; cancels and close requested while depth_ > 0 are queued and carried out when the outermost entry
// point unwinds (run_deferred). Each transfer is reported by finish(), which erases it first: that is what makes
// "exactly once" hold on every path.
#include <uvcurl.h>

#include <sys/socket.h>

#include <cstdint>
#include <new>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

struct socket_context;

struct transfer {
  uvcurl_done_cb done = nullptr;
  void *user_data = nullptr;
  bool cancel_requested = false;
};

}  // namespace

struct uvcurl_s {
  uv_loop_t *loop_ = nullptr;
  CURLM *multi_ = nullptr;
  uv_timer_t timer_{};
  // curl's "time out at once" (it asks when a handle is added): run in this loop iteration's idle phase, before
  // the loop polls, instead of on a 1 ms timer, so a transfer added from outside libcurl's callbacks starts a
  // millisecond sooner. It never calls libcurl from inside curl's timer callback.
  uv_idle_t kick_{};
  std::unordered_map<CURL *, transfer> transfers_;
  std::unordered_set<socket_context *> sockets_;  // every context, parked ones included; closed at teardown
  // Contexts of sockets curl stopped watching (CURL_POLL_REMOVE), kept by fd number until control returns to
  // the loop: on HTTP/1.1 keep-alive curl removes a connection's socket after each response and asks for it
  // again when the next request starts on it. A parked context stays registered, so taking it up again with
  // the same events costs no system call at all, where stopping and restarting it cost three epoll_ctl calls.
  // The catch is that curl may close a parked socket without a word (a pooled connection found dead, or one
  // too many), and the number may then name another file; each context therefore keeps the socket's kernel
  // id (SO_COOKIE) and checks it at the two points where a stale registration would matter: when curl
  // announces the number again (a new socket must be registered, not assumed so) and before a done
  // callback runs the host's code (the host must be able to watch a new fd under that number). Parked
  // contexts are closed before control goes back to the loop: closing a uv_poll_t deletes its fd number from
  // this loop's epoll, whatever file the number has become, and only then could a handle of this loop have
  // registered that file (libuv adds fds in the poll phase). Another thread's file under the number is not in
  // this epoll, so the delete is a no-op for it (ThreadSanitizer still reports the close/epoll_ctl pair as a
  // race). Without SO_COOKIE, a context is stopped when parked and restarted when taken up.
  std::unordered_map<curl_socket_t, socket_context *> parked_;
  bool zero_timeout_ = false;  // curl asked for "at once" (a handle was added) during the current call
  std::vector<CURL *> pending_cancels_;           // capacity kept >= transfers_.size(): push_back never throws
  int depth_ = 0;
  int open_uv_handles_ = 0;
  bool closing_ = false;
  bool teardown_pending_ = false;
  bool tearing_down_ = false;
  uvcurl_close_cb close_cb_ = nullptr;
  void *close_data_ = nullptr;

  void socket_action(curl_socket_t fd, int flags) noexcept;
  void drain_completions() noexcept;
  void finish(CURL *easy, CURLcode result) noexcept;
  void run_deferred() noexcept;
  void teardown() noexcept;
  socket_context *context_for(curl_socket_t fd) noexcept;
  void park_socket(socket_context *context) noexcept;
  void settle_parked() noexcept;
  void release_socket(socket_context *context) noexcept;
  void release_parked() noexcept;
  void handle_closed() noexcept;
};

namespace {

struct socket_context {
  uv_poll_t poll{};
  uvcurl_s *owner = nullptr;
  curl_socket_t fd = CURL_SOCKET_BAD;
  int wanted = 0;             // the uv events the handle is started with; 0 when stopped
  std::uint64_t cookie = 0;  // the socket's kernel id (SO_COOKIE); 0 when unknown
};

// The kernel's id of the socket an fd names, unique for the life of the system; 0 when the fd is closed or the
// kernel gives none (before Linux 4.12, or not Linux).
std::uint64_t socket_cookie(curl_socket_t fd) noexcept {
#ifdef SO_COOKIE
  std::uint64_t cookie = 0;
  socklen_t size = sizeof cookie;
  if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &size) == 0 && size == sizeof cookie) return cookie;
#else
  (void)fd;
#endif
  return 0;
}

void on_socket_closed(uv_handle_t *handle) noexcept {
  auto *context = static_cast<socket_context *>(handle->data);
  uvcurl_s *owner = context->owner;
  delete context;
  owner->handle_closed();
}

void on_own_handle_closed(uv_handle_t *handle) noexcept {
  static_cast<uvcurl_s *>(handle->data)->handle_closed();
}

void on_poll(uv_poll_t *poll, int status, int events) noexcept {
  auto *context = static_cast<socket_context *>(poll->data);
  // On an error (libuv reports POLLERR, e.g. after a reset) curl is told so, together with the directions it
  // was waiting for: with CURL_CSELECT_ERR alone, libcurl 7.88 gives up with "select/poll returned error"
  // instead of reading the socket and reporting the real cause ("Connection reset by peer").
  if (status < 0) events = context->wanted;
  int flags = status < 0 ? CURL_CSELECT_ERR : 0;
  if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  context->owner->socket_action(context->fd, flags);
}

void on_timeout(uv_timer_t *timer) noexcept {
  static_cast<uvcurl_s *>(timer->data)->socket_action(CURL_SOCKET_TIMEOUT, 0);
}

void on_kick(uv_idle_t *idle) noexcept {
  uv_idle_stop(idle);
  static_cast<uvcurl_s *>(idle->data)->socket_action(CURL_SOCKET_TIMEOUT, 0);
}

// CURLMOPT_SOCKETFUNCTION: curl says which events it wants on a socket, or that it is done with it.
int on_curl_socket(CURL *, curl_socket_t fd, int what, void *userp, void *socketp) noexcept {
  auto *self = static_cast<uvcurl_s *>(userp);
  auto *context = static_cast<socket_context *>(socketp);
  if (what == CURL_POLL_REMOVE) {
    if (context != nullptr) self->park_socket(context);  // a REMOVE for an unseen socket is harmless
    return 0;
  }
  if (context == nullptr) {
    context = self->context_for(fd);
    if (context == nullptr) return -1;
  }
  int events = 0;
  if (what & CURL_POLL_IN) events |= UV_READABLE;
  if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
  // uv_poll_start always deletes the fd from epoll and adds it again: skip it when nothing changes.
  if (events == context->wanted) return 0;
  // uv_poll_start stops the handle first, so on failure nothing is watched any more.
  const bool started = uv_poll_start(&context->poll, events, on_poll) == 0;
  context->wanted = started ? events : 0;
  return started ? 0 : -1;
}

// CURLMOPT_TIMERFUNCTION: only (re)arms the uv timer or the kick; calling libcurl from here is forbidden. curl
// keeps one timer, so each call replaces the last.
int on_curl_timer(CURLM *, long timeout_ms, void *userp) noexcept {
  auto *self = static_cast<uvcurl_s *>(userp);
  if (timeout_ms == 0) {
    // Inside socket_action, the flag makes it run the timeout path itself once curl has returned; the kick
    // covers a call from outside (uvcurl_add from the host's code) and a socket_action out of rounds. The
    // kick runs in the next idle phase, which comes after the current callback returns, so it cannot recurse.
    self->zero_timeout_ = true;
    uv_timer_stop(&self->timer_);
    uv_idle_start(&self->kick_, on_kick);
    return 0;
  }
  uv_idle_stop(&self->kick_);
  if (timeout_ms < 0)
    uv_timer_stop(&self->timer_);
  else
    uv_timer_start(&self->timer_, on_timeout, static_cast<uint64_t>(timeout_ms), 0);
  return 0;
}

}  // namespace

void uvcurl_s::socket_action(curl_socket_t fd, int flags) noexcept {
  if (multi_ == nullptr) return;
  ++depth_;
  // Transfers added by done callbacks (curl then asks for a 0 ms timeout) start in the same pass instead of
  // one loop iteration later, so a keep-alive socket curl just removed is taken up again from parked_.
  // Bounded, so that a stream of instant completions cannot starve the loop.
  constexpr int max_rounds = 4;
  for (int round = 0; round < max_rounds && multi_ != nullptr; ++round) {
    zero_timeout_ = false;
    int running = 0;
    curl_multi_socket_action(multi_, fd, flags, &running);
    drain_completions();  // after every socket_action, the timer path included
    if (!zero_timeout_) break;
    fd = CURL_SOCKET_TIMEOUT;
    flags = 0;
  }
  --depth_;
  run_deferred();
}

void uvcurl_s::drain_completions() noexcept {
  int queued = 0;
  while (CURLMsg *message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    // Copy both before finish(): removing the handle invalidates the message.
    CURL *easy = message->easy_handle;
    CURLcode result = message->data.result;
    finish(easy, result);
  }
}

void uvcurl_s::finish(CURL *easy, CURLcode result) noexcept {
  auto found = transfers_.find(easy);
  if (found == transfers_.end()) return;
  transfer reported = found->second;
  transfers_.erase(found);
  if (multi_ != nullptr) curl_multi_remove_handle(multi_, easy);
  if (reported.cancel_requested) result = UVCURL_CANCELLED;
  settle_parked();  // the host's code comes next
  ++depth_;
  reported.done(easy, result, reported.user_data);
  --depth_;
}

void uvcurl_s::run_deferred() noexcept {
  if (depth_ != 0) return;
  ++depth_;
  while (!pending_cancels_.empty()) {
    CURL *easy = pending_cancels_.back();
    pending_cancels_.pop_back();
    auto found = transfers_.find(easy);
    // The flag check skips a handle that finished and was added again in the meantime.
    if (found != transfers_.end() && found->second.cancel_requested) finish(easy, UVCURL_CANCELLED);
  }
  --depth_;
  release_parked();  // control is about to go back to the loop
  if (teardown_pending_) {
    teardown_pending_ = false;
    teardown();
  }
}

void uvcurl_s::teardown() noexcept {
  ++depth_;  // callbacks below may call uvcurl_cancel/uvcurl_add: they must neither recurse nor add
  while (!transfers_.empty()) finish(transfers_.begin()->first, UVCURL_CANCELLED);
  pending_cancels_.clear();
  tearing_down_ = true;
  curl_multi_cleanup(multi_);  // fires CURL_POLL_REMOVE for the sockets it still holds
  multi_ = nullptr;
  while (!sockets_.empty()) release_socket(*sockets_.begin());
  uv_timer_stop(&timer_);
  uv_idle_stop(&kick_);
  uv_close(reinterpret_cast<uv_handle_t *>(&timer_), on_own_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t *>(&kick_), on_own_handle_closed);
  --depth_;
}

socket_context *uvcurl_s::context_for(curl_socket_t fd) noexcept {
  socket_context *context = nullptr;
  auto parked = parked_.find(fd);
  if (parked != parked_.end()) {
    // The same connection coming back, still registered (nothing to do if curl wants the same events), or a
    // new socket that got the number of a closed one, which the cookie tells apart.
    context = parked->second;
    parked_.erase(parked);
    const std::uint64_t cookie = context->cookie != 0 ? socket_cookie(fd) : 0;
    if (cookie != context->cookie) {
      // curl closed the parked socket and this is a new one: its file is not registered, whatever libuv
      // believes, so stopping (libuv forgets the number) makes the start below register it.
      if (context->wanted != 0) uv_poll_stop(&context->poll);
      context->wanted = 0;
      context->cookie = cookie;
    }
  } else {
    context = new (std::nothrow) socket_context;
    if (context == nullptr) return nullptr;
    context->owner = this;
    context->fd = fd;
    context->poll.data = context;
    context->cookie = socket_cookie(fd);
    if (uv_poll_init_socket(loop_, &context->poll, fd) != 0) {
      delete context;
      return nullptr;
    }
    ++open_uv_handles_;
    try {
      sockets_.insert(context);
    } catch (...) {
      release_socket(context);
      return nullptr;
    }
  }
  curl_multi_assign(multi_, fd, context);
  return context;
}

void uvcurl_s::park_socket(socket_context *context) noexcept {
  if (tearing_down_ || multi_ == nullptr) {  // no next request will come for it
    release_socket(context);
    return;
  }
  if (context->cookie == 0) {
    // Nothing would tell a new socket under this number from this one: stop now, while the fd is still open
    // (curl may close it right after REMOVE, and epoll would then keep nothing to delete).
    uv_poll_stop(&context->poll);
    context->wanted = 0;
  }
  curl_multi_assign(multi_, context->fd, nullptr);
  try {
    auto parked = parked_.emplace(context->fd, context);
    if (!parked.second) release_socket(context);  // cannot happen: one context per watched fd
  } catch (...) {
    release_socket(context);
  }
}

// Closes the parked contexts whose socket curl has closed, so that no registration under a free fd number
// lasts into the host's code.
void uvcurl_s::settle_parked() noexcept {
  for (auto each = parked_.begin(); each != parked_.end();) {
    socket_context *context = (each++)->second;  // release_socket erases this entry only
    if (context->wanted != 0 && socket_cookie(context->fd) != context->cookie) release_socket(context);
  }
}

void uvcurl_s::release_socket(socket_context *context) noexcept {
  auto parked = parked_.find(context->fd);
  if (parked != parked_.end() && parked->second == context) parked_.erase(parked);
  sockets_.erase(context);
  uv_close(reinterpret_cast<uv_handle_t *>(&context->poll), on_socket_closed);  // stops it at once
}

void uvcurl_s::release_parked() noexcept {
  while (!parked_.empty()) release_socket(parked_.begin()->second);
}

void uvcurl_s::handle_closed() noexcept {
  if (--open_uv_handles_ > 0 || !closing_) return;
  // Every uv handle is closed, so the host may uv_loop_close() from inside the callback.
  if (close_cb_ != nullptr) close_cb_(this, close_data_);
  delete this;
}

extern "C" {

int uvcurl_init(uv_loop_t *loop, uvcurl_t **out) {
  if (loop == nullptr || out == nullptr) return UVCURL_EINVAL;
  *out = nullptr;
  auto *self = new (std::nothrow) uvcurl_s;
  if (self == nullptr) return UVCURL_ENOMEM;
  self->loop_ = loop;
  self->multi_ = curl_multi_init();
  if (self->multi_ == nullptr) {
    delete self;
    return UVCURL_ECURLM;
  }
  if (uv_timer_init(loop, &self->timer_) != 0) {
    curl_multi_cleanup(self->multi_);
    delete self;
    return UVCURL_EUV;
  }
  self->timer_.data = self;
  self->open_uv_handles_ = 1;
  if (uv_idle_init(loop, &self->kick_) != 0) {  // libuv 1.44 cannot fail here; the timer is already the loop's
    curl_multi_cleanup(self->multi_);
    self->multi_ = nullptr;
    self->closing_ = true;  // deleted once the loop has closed the timer
    uv_close(reinterpret_cast<uv_handle_t *>(&self->timer_), on_own_handle_closed);
    return UVCURL_EUV;
  }
  self->kick_.data = self;
  self->open_uv_handles_ = 2;
  curl_multi_setopt(self->multi_, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
  curl_multi_setopt(self->multi_, CURLMOPT_SOCKETDATA, self);
  curl_multi_setopt(self->multi_, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  curl_multi_setopt(self->multi_, CURLMOPT_TIMERDATA, self);
  *out = self;
  return 0;
}

CURLM *uvcurl_multi(uvcurl_t *handle) { return handle == nullptr ? nullptr : handle->multi_; }

int uvcurl_add(uvcurl_t *handle, CURL *easy, uvcurl_done_cb done, void *user_data) {
  if (handle == nullptr || easy == nullptr || done == nullptr) return UVCURL_EINVAL;
  if (handle->closing_) return UVCURL_ECLOSING;
  if (handle->transfers_.count(easy) != 0) return UVCURL_EEXIST;
  try {
    handle->pending_cancels_.reserve(handle->transfers_.size() + 1);
    handle->transfers_.emplace(easy, transfer{done, user_data, false});
  } catch (...) {
    return UVCURL_ENOMEM;
  }
  if (curl_multi_add_handle(handle->multi_, easy) != CURLM_OK) {
    handle->transfers_.erase(easy);
    return UVCURL_ECURLM;
  }
  if (handle->depth_ == 0) handle->release_parked();  // in case adding made curl let go of a socket
  return 0;
}

int uvcurl_cancel(uvcurl_t *handle, CURL *easy) {
  if (handle == nullptr || easy == nullptr) return UVCURL_EINVAL;
  auto found = handle->transfers_.find(easy);
  if (found == handle->transfers_.end()) return UVCURL_ENOENT;
  if (found->second.cancel_requested) return 0;
  try {
    handle->pending_cancels_.push_back(easy);  // capacity is reserved in uvcurl_add: this rarely allocates
  } catch (...) {
    return UVCURL_ENOMEM;
  }
  found->second.cancel_requested = true;
  handle->run_deferred();  // at once unless we are inside libcurl or a callback
  return 0;
}

size_t uvcurl_in_flight(const uvcurl_t *handle) { return handle == nullptr ? 0 : handle->transfers_.size(); }

int uvcurl_close(uvcurl_t *handle, uvcurl_close_cb done, void *user_data) {
  if (handle == nullptr) return UVCURL_EINVAL;
  if (handle->closing_) return UVCURL_ECLOSING;
  handle->closing_ = true;
  handle->close_cb_ = done;
  handle->close_data_ = user_data;
  handle->teardown_pending_ = true;
  handle->run_deferred();
  return 0;
}

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

}  // extern "C"
