#include "engine/write_batcher.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace engine {

bool write_batcher::start(uv_loop_t *loop) {
  if (uv_prepare_init(loop, &cork_) != 0) return false;
  if (uv_check_init(loop, &uncork_) != 0) {
    uv_close(reinterpret_cast<uv_handle_t *>(&cork_), nullptr);
    return false;
  }
  started_ = true;
  cork_.data = uncork_.data = this;
  uv_prepare_start(&cork_,
                   [](uv_prepare_t *handle) { static_cast<write_batcher *>(handle->data)->set_cork(1); });
  uv_check_start(&uncork_,
                 [](uv_check_t *handle) { static_cast<write_batcher *>(handle->data)->set_cork(0); });
  uv_unref(reinterpret_cast<uv_handle_t *>(&cork_));
  uv_unref(reinterpret_cast<uv_handle_t *>(&uncork_));
  return true;
}

void write_batcher::attach(CURL *easy) {
  curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, on_socket_open);
  curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, this);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, on_socket_close);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
}

void write_batcher::close() {
  if (!started_) return;
  started_ = false;
  for (auto *handle : {reinterpret_cast<uv_handle_t *>(&cork_), reinterpret_cast<uv_handle_t *>(&uncork_)})
    if (!uv_is_closing(handle)) uv_close(handle, nullptr);
}

int write_batcher::on_socket_open(void *self, curl_socket_t fd, curlsocktype purpose) {
  if (purpose == CURLSOCKTYPE_IPCXN) {
    try {
      static_cast<write_batcher *>(self)->sockets_.push_back(fd);
    } catch (...) {  // out of memory: this socket is simply never batched
    }
  }
  return CURL_SOCKOPT_OK;
}

int write_batcher::on_socket_close(void *self, curl_socket_t fd) {
  auto &sockets = static_cast<write_batcher *>(self)->sockets_;
  auto found = std::find(sockets.begin(), sockets.end(), fd);
  if (found != sockets.end()) {
    *found = sockets.back();
    sockets.pop_back();
  }
  return ::close(fd);  // a corked socket still sends what it holds when closed
}

void write_batcher::set_cork(int on) {
  if (on && sockets_.size() > max_sockets) return;
  if (!on && !corked_) return;
  for (curl_socket_t fd : sockets_) setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
  corked_ = on != 0;
}

}  // namespace engine
