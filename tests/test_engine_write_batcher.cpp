// The write batcher: libcurl's sockets are corked exactly while a loop iteration's I/O callbacks run, never
// while the loop waits, and every socket it saw opened is closed through it.
#include <dirent.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <uvcurl.h>

#include <string>
#include <vector>

#include "engine/write_batcher.hpp"
#include "support/fixture_server.hpp"

namespace {

int cork_of(curl_socket_t fd) {
  int value = -1;
  socklen_t size = sizeof value;
  if (getsockopt(fd, IPPROTO_TCP, TCP_CORK, &value, &size) != 0) return -1;
  return value;
}

std::size_t open_fds() {
  std::size_t count = 0;
  if (DIR *dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count;
}

struct probe {
  CURL *easy = nullptr;
  curl_socket_t fd = CURL_SOCKET_BAD;   // the connection's socket, opened by open_socket
  std::vector<int> corks_in_callbacks;  // TCP_CORK of the connection, seen from the body callback
  int done = 0;
};

// CURLOPT_OPENSOCKETFUNCTION: opens the socket as libcurl would, and remembers it.
curl_socket_t open_socket(void *user_data, curlsocktype, struct curl_sockaddr *address) {
  auto *seen = static_cast<probe *>(user_data);
  seen->fd = socket(address->family, address->socktype, address->protocol);
  return seen->fd;
}

size_t on_body(char *, size_t size, size_t count, void *user_data) {
  auto *seen = static_cast<probe *>(user_data);
  seen->corks_in_callbacks.push_back(cork_of(seen->fd));
  return size * count;
}

}  // namespace

TEST_SUITE("write batcher") {
  TEST_CASE("sockets are corked only inside the loop's I/O callbacks, and closed through the batcher") {
    test_support::fixture_server server({"--latency-ms", "30"});
    curl_global_init(CURL_GLOBAL_DEFAULT);
    {  // libuv opens a process-wide pipe with the first loop: open it before counting
      uv_loop_t first;
      REQUIRE(uv_loop_init(&first) == 0);
      REQUIRE(uv_loop_close(&first) == 0);
    }
    const std::size_t fds_before = open_fds();
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    engine::write_batcher batcher;
    REQUIRE(batcher.start(&loop));
    uvcurl_t *transfers = nullptr;
    REQUIRE(uvcurl_init(&loop, &transfers) == 0);

    std::vector<probe> probes(6);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      probe &each = probes[i];
      each.easy = curl_easy_init();
      const std::string url = server.base_url() + "?term=Batched%20" + std::to_string(i);
      curl_easy_setopt(each.easy, CURLOPT_URL, url.c_str());
      curl_easy_setopt(each.easy, CURLOPT_WRITEFUNCTION, on_body);
      curl_easy_setopt(each.easy, CURLOPT_WRITEDATA, &each);
      curl_easy_setopt(each.easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
      curl_easy_setopt(each.easy, CURLOPT_OPENSOCKETDATA, &each);
      batcher.attach(each.easy);
      REQUIRE(uvcurl_add(transfers, each.easy, [](CURL *, CURLcode result, void *user_data) {
                CHECK(result == CURLE_OK);
                ++static_cast<probe *>(user_data)->done;
              }, &each) == 0);
    }
    // A timer runs outside the prepare-to-check window: whatever the connections are, none is corked then.
    struct outside_check {
      std::vector<probe> *probes;
      int checks = 0;
      int corked = 0;
    } outside{&probes};
    uv_timer_t ticker;
    uv_timer_init(&loop, &ticker);
    ticker.data = &outside;
    uv_timer_start(&ticker, [](uv_timer_t *timer) {
      auto *state = static_cast<outside_check *>(timer->data);
      for (probe &each : *state->probes) {
        const int cork = each.fd == CURL_SOCKET_BAD ? -1 : cork_of(each.fd);
        if (cork < 0) continue;  // not open yet
        ++state->checks;
        if (cork == 1) ++state->corked;
      }
    }, 1, 1);

    while (uvcurl_in_flight(transfers) > 0) uv_run(&loop, UV_RUN_ONCE);
    for (const probe &each : probes) {
      CHECK(each.done == 1);
      REQUIRE_FALSE(each.corks_in_callbacks.empty());
      for (int cork : each.corks_in_callbacks) CHECK(cork == 1);
    }
    CHECK(outside.checks > 0);
    CHECK(outside.corked == 0);

    uv_close(reinterpret_cast<uv_handle_t *>(&ticker), nullptr);
    int closed = 0;
    REQUIRE(uvcurl_close(transfers, [](uvcurl_t *, void *user_data) { ++*static_cast<int *>(user_data); }, &closed) == 0);
    batcher.close();
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(closed == 1);
    CHECK(uv_loop_close(&loop) == 0);
    for (probe &each : probes) curl_easy_cleanup(each.easy);
    CHECK(open_fds() == fds_before);  // every connection closed, by the batcher's close callback
  }
}
