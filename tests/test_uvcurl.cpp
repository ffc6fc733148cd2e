// The uvcurl loop against the fixture server: every added transfer is reported exactly once, whatever
// happens to it, and the host's loop closes with 0 afterwards.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uvcurl.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/run_output.hpp"

namespace {

// One transfer: its easy handle, what the callback saw, and how often it fired.
struct probe {
  CURL *easy = nullptr;
  std::string body;
  int calls = 0;
  CURLcode result = CURLE_OK;
  long status = 0;
};

size_t collect_body(char *data, size_t size, size_t count, void *user_data) {
  static_cast<probe *>(user_data)->body.append(data, size * count);
  return size * count;
}

// A loop of the test's own with a uvcurl handle on it, and the probes it owns.
struct loop_fixture {
  uv_loop_t loop{};
  uvcurl_t *curl = nullptr;
  std::vector<std::unique_ptr<probe>> probes;
  int close_calls = 0;
  // Called from every done callback, after the probe is updated; tests hook cancels and adds here.
  void (*after_done)(loop_fixture &, probe &) = nullptr;

  loop_fixture() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    REQUIRE(uv_loop_init(&loop) == 0);
    REQUIRE(uvcurl_init(&loop, &curl) == 0);
  }

  ~loop_fixture() {
    for (auto &each : probes) curl_easy_cleanup(each->easy);
  }

  probe &add(const std::string &url, long timeout_ms = 10000) {
    probe &added = prepare(url, timeout_ms);
    start(added);
    return added;
  }

  // A probe configured for `url` but not started, for tests that set more options first.
  probe &prepare(const std::string &url, long timeout_ms = 10000) {
    probes.push_back(std::make_unique<probe>());
    probe &added = *probes.back();
    added.easy = curl_easy_init();
    curl_easy_setopt(added.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(added.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(added.easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(added.easy, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(added.easy, CURLOPT_WRITEDATA, &added);
    return added;
  }

  void start(probe &transfer) {
    transfer.body.clear();
    REQUIRE(uvcurl_add(curl, transfer.easy, on_done, this) == 0);
  }

  static void on_done(CURL *easy, CURLcode result, void *user_data) {
    auto &self = *static_cast<loop_fixture *>(user_data);
    for (auto &each : self.probes) {
      if (each->easy != easy) continue;
      ++each->calls;
      each->result = result;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &each->status);
      if (self.after_done != nullptr) self.after_done(self, *each);
      return;
    }
    FAIL("a done callback for an unknown easy handle");
  }

  static void on_closed(uvcurl_t *, void *user_data) { ++static_cast<loop_fixture *>(user_data)->close_calls; }

  void run() { uv_run(&loop, UV_RUN_DEFAULT); }

  // Closes uvcurl, runs the loop until its close callback, and checks the loop closes cleanly.
  void close_and_check() {
    REQUIRE(uvcurl_close(curl, on_closed, this) == 0);
    run();
    CHECK(close_calls == 1);
    CHECK(uv_loop_close(&loop) == 0);
  }
};

std::string url_for(const test_support::fixture_server &server, const std::string &term) {
  return server.base_url() + "?term=" + test_support::url_encode(term) + "&limit=5";
}

}  // namespace

TEST_SUITE("loop") {
  TEST_CASE("hundreds of transfers each complete exactly once") {
    test_support::fixture_server server({"--latency-ms", "50"});
    loop_fixture fixture;
    for (int i = 0; i < 300; ++i) fixture.add(url_for(server, "artist " + std::to_string(i)));
    CHECK(uvcurl_in_flight(fixture.curl) == 300);
    fixture.run();
    CHECK(uvcurl_in_flight(fixture.curl) == 0);
    for (auto &each : fixture.probes) {
      CHECK(each->calls == 1);
      CHECK(each->result == CURLE_OK);
      CHECK(each->status == 200);
      CHECK(each->body.find("\"results\"") != std::string::npos);
    }
    CHECK(server.total_requests() == 300);
    fixture.close_and_check();
  }

  TEST_CASE("a transfer that times out while it is the last one is still reported") {
    test_support::fixture_server server;
    loop_fixture fixture;
    probe &fast = fixture.add(url_for(server, "Quick"));
    probe &stalled = fixture.add(url_for(server, "@hang Never"), 300);
    fixture.run();  // returns only if the timeout was reported: nothing else would end the transfer
    CHECK(fast.calls == 1);
    CHECK(fast.result == CURLE_OK);
    CHECK(stalled.calls == 1);
    CHECK(stalled.result == CURLE_OPERATION_TIMEDOUT);
    fixture.close_and_check();
  }

  TEST_CASE("a refused connection is reported as such, not as a timeout") {
    loop_fixture fixture;
    probe &refused = fixture.add("http://127.0.0.1:1/search?term=x", 5000);
    fixture.run();
    CHECK(refused.calls == 1);
    CHECK(refused.result == CURLE_COULDNT_CONNECT);
    fixture.close_and_check();
  }

  TEST_CASE("a cancelled transfer is reported once as cancelled and the others finish") {
    test_support::fixture_server server;
    loop_fixture fixture;
    probe &stalled = fixture.add(url_for(server, "@hang Cancel me"), 30000);
    probe &normal = fixture.add(url_for(server, "Keep me"));
    uv_timer_t timer;
    uv_timer_init(&fixture.loop, &timer);
    timer.data = &fixture;
    uv_timer_start(&timer, [](uv_timer_t *handle) {
      auto &self = *static_cast<loop_fixture *>(handle->data);
      CHECK(uvcurl_cancel(self.curl, self.probes[0]->easy) == 0);
      CHECK(self.probes[0]->calls == 1);  // from plain loop code the callback fires at once
      CHECK(uvcurl_cancel(self.curl, self.probes[0]->easy) == UVCURL_ENOENT);
      uv_close(reinterpret_cast<uv_handle_t *>(handle), nullptr);
    }, 200, 0);
    fixture.run();
    CHECK(stalled.calls == 1);
    CHECK(stalled.result == UVCURL_CANCELLED);
    CHECK(normal.calls == 1);
    CHECK(normal.result == CURLE_OK);
    fixture.close_and_check();
  }

  TEST_CASE("a done callback may cancel another transfer and add a new one") {
    test_support::fixture_server server;
    loop_fixture fixture;
    fixture.add(url_for(server, "First"));
    fixture.add(url_for(server, "@hang Second"), 30000);
    fixture.after_done = [](loop_fixture &self, probe &done) {
      if (&done != self.probes[0].get() || done.calls != 1) return;
      CHECK(uvcurl_cancel(self.curl, self.probes[1]->easy) == 0);
      CHECK(self.probes[1]->calls == 0);  // deferred until this callback returns
      self.start(done);                   // the same easy handle, added again from its own callback
    };
    fixture.run();
    CHECK(fixture.probes[0]->calls == 2);
    CHECK(fixture.probes[0]->result == CURLE_OK);
    CHECK(fixture.probes[1]->calls == 1);
    CHECK(fixture.probes[1]->result == UVCURL_CANCELLED);
    CHECK(server.requests_for("First") == 2);
    fixture.close_and_check();
  }

  TEST_CASE("cancelling from inside a write callback waits until libcurl returns") {
    test_support::fixture_server server;
    loop_fixture fixture;
    probe &transfer = fixture.add(url_for(server, "Writer"));
    struct context {
      loop_fixture *fixture;
      probe *transfer;
    } state{&fixture, &transfer};
    curl_easy_setopt(transfer.easy, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(transfer.easy, CURLOPT_WRITEFUNCTION,
                     +[](char *, size_t size, size_t count, void *user_data) -> size_t {
                       auto &self = *static_cast<context *>(user_data);
                       CHECK(uvcurl_cancel(self.fixture->curl, self.transfer->easy) == 0);
                       CHECK(self.transfer->calls == 0);
                       return size * count;
                     });
    fixture.run();
    CHECK(transfer.calls == 1);
    CHECK(transfer.result == UVCURL_CANCELLED);
    fixture.close_and_check();
  }

  TEST_CASE("closing with transfers in flight reports each once as cancelled") {
    test_support::fixture_server server;
    loop_fixture fixture;
    for (int i = 0; i < 20; ++i) fixture.add(url_for(server, "@hang In flight " + std::to_string(i)), 30000);
    uv_timer_t timer;
    uv_timer_init(&fixture.loop, &timer);
    timer.data = &fixture;
    uv_timer_start(&timer, [](uv_timer_t *handle) {
      auto &self = *static_cast<loop_fixture *>(handle->data);
      CHECK(uvcurl_close(self.curl, loop_fixture::on_closed, &self) == 0);
      CHECK(uvcurl_add(self.curl, self.probes[0]->easy, loop_fixture::on_done, &self) == UVCURL_ECLOSING);
      uv_close(reinterpret_cast<uv_handle_t *>(handle), nullptr);
    }, 200, 0);
    fixture.run();
    CHECK(fixture.close_calls == 1);
    for (auto &each : fixture.probes) {
      CHECK(each->calls == 1);
      CHECK(each->result == UVCURL_CANCELLED);
    }
    CHECK(uv_loop_close(&fixture.loop) == 0);
  }

  TEST_CASE("closing from inside a done callback finishes after the callback") {
    test_support::fixture_server server;
    loop_fixture fixture;
    fixture.add(url_for(server, "Closer"));
    fixture.add(url_for(server, "@hang Left behind"), 30000);
    fixture.after_done = [](loop_fixture &self, probe &done) {
      if (&done == self.probes[0].get())
        CHECK(uvcurl_close(self.curl, loop_fixture::on_closed, &self) == 0);
    };
    fixture.run();
    CHECK(fixture.close_calls == 1);
    CHECK(fixture.probes[0]->result == CURLE_OK);
    CHECK(fixture.probes[1]->calls == 1);
    CHECK(fixture.probes[1]->result == UVCURL_CANCELLED);
    CHECK(uv_loop_close(&fixture.loop) == 0);
  }

  // uvcurl keeps the uv_poll_t of a socket curl let go of until control returns to the loop, for the next
  // request on the same keep-alive connection. When curl closes the connection instead, the fd number is
  // recycled, by curl's next connect or by the host: both must work, and the host's own poll on the
  // number must neither be refused nor lose its events.
  TEST_CASE("transfers chained from done callbacks reuse sockets, and recycled fd numbers stay usable") {
    test_support::fixture_server server;
    loop_fixture fixture;
    struct host_pipe {
      uv_poll_t poll{};
      int fds[2] = {-1, -1};
      int events = 0;
    };
    static std::vector<std::unique_ptr<host_pipe>> pipes;
    static int chained = 0;
    static const test_support::fixture_server *chain_server = nullptr;
    chain_server = &server;
    pipes.clear();
    chained = 0;
    fixture.add(url_for(server, "Chain 0"));
    fixture.after_done = [](loop_fixture &self, probe &done) {
      CHECK(done.result == CURLE_OK);
      if (++chained == 40) return;
      // Every third transfer closes its connection: its fd number is free for the host and the next connect.
      const bool closing = chained % 3 == 0;
      curl_easy_setopt(done.easy, CURLOPT_FORBID_REUSE, closing ? 1L : 0L);
      if (chained % 3 == 1) {  // the one after a closing transfer: the host takes a number first
        auto host = std::make_unique<host_pipe>();
        REQUIRE(pipe(host->fds) == 0);
        REQUIRE(uv_poll_init(&self.loop, &host->poll, host->fds[0]) == 0);
        host->poll.data = host.get();
        REQUIRE(uv_poll_start(&host->poll, UV_READABLE, [](uv_poll_t *poll, int, int) {
                  auto *owner = static_cast<host_pipe *>(poll->data);
                  ++owner->events;
                  uv_close(reinterpret_cast<uv_handle_t *>(poll), nullptr);
                }) == 0);
        REQUIRE(write(host->fds[1], "x", 1) == 1);
        pipes.push_back(std::move(host));
      }
      curl_easy_setopt(done.easy, CURLOPT_URL, url_for(*chain_server, "Chain " + std::to_string(chained)).c_str());
      self.start(done);
    };
    fixture.run();
    CHECK(chained == 40);
    CHECK(fixture.probes[0]->calls == 40);
    CHECK(server.connections() <= 40 / 3 + 2 + 1);  // closing transfers, the first, and the /stats query
    for (auto &host : pipes) {
      CHECK(host->events == 1);
      close(host->fds[0]);
      close(host->fds[1]);
    }
    pipes.clear();
    fixture.close_and_check();
  }

  // A server that answers each connection's first request as keep-alive, then closes it. curl pools the
  // connection, finds it dead when the next transfer looks for one, closes it without telling the socket
  // callback (a pooled socket is no longer watched), and connects again under the same fd number, while
  // uvcurl still holds that number's registration: it must register the new socket, not take it for the old
  // one. Over a Unix socket the connect completes at once, so curl's first word on the new socket is "read",
  // the very events the old registration has: only the socket's identity tells them apart.
  TEST_CASE("a pooled connection curl drops without a word, and a new socket under its number") {
    for (const bool over_unix_socket : {false, true}) {
      CAPTURE(over_unix_socket);
      const test_support::temp_dir directory("uvcurl-test");
      const std::string socket_path = directory / "server";
      const int listener = socket(over_unix_socket ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
      REQUIRE(listener >= 0);
      static std::string url, unix_path;
      if (over_unix_socket) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(socket_path.size() < sizeof address.sun_path);
        std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
        REQUIRE(bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        url = "http://localhost/";
        unix_path = socket_path;
      } else {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        REQUIRE(bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        REQUIRE(getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0);
        url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
        unix_path.clear();
      }
      REQUIRE(listen(listener, 8) == 0);
      static std::atomic<int> dropped{0};
      dropped = 0;
      constexpr int transfers = 12;
      std::thread server([listener] {
        for (int served = 0; served < transfers; ++served) {
          const int connection = accept(listener, nullptr, nullptr);
          if (connection < 0) return;
          std::string request;
          char chunk[1024];
          while (request.find("\r\n\r\n") == std::string::npos) {
            const ssize_t got = read(connection, chunk, sizeof chunk);
            if (got <= 0) break;
            request.append(chunk, static_cast<std::size_t>(got));
          }
          const std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
          if (write(connection, answer.data(), answer.size()) != static_cast<ssize_t>(answer.size())) break;
          close(connection);  // the end of stream is queued at the client when close returns
          ++dropped;
        }
      });
      static int chained = 0;
      chained = 0;
      loop_fixture fixture;
      probe &first = fixture.prepare(url, 5000);
      if (!unix_path.empty()) curl_easy_setopt(first.easy, CURLOPT_UNIX_SOCKET_PATH, unix_path.c_str());
      // Otherwise the connect's 200 ms happy-eyeballs timer would run a transfer whose socket nobody polls.
      curl_easy_setopt(first.easy, CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, 60000L);
      fixture.start(first);
      fixture.after_done = [](loop_fixture &self, probe &done) {
        CHECK(done.result == CURLE_OK);
        CHECK(done.body == "ok");
        if (++chained == transfers) return;
        // The next transfer starts once the server has dropped this connection, so curl finds it dead.
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (dropped.load() < chained && std::chrono::steady_clock::now() < give_up)
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        self.start(done);
      };
      fixture.run();  // a new socket taken for the old registration is never polled: the 5 s timeout ends it
      CHECK(chained == transfers);
      CHECK(first.calls == transfers);
      server.join();
      close(listener);
      fixture.close_and_check();
    }
  }

  TEST_CASE("connection limits set on the multi handle are obeyed") {
    test_support::fixture_server server({"--latency-ms", "20"});
    loop_fixture fixture;
    curl_multi_setopt(uvcurl_multi(fixture.curl), CURLMOPT_MAX_TOTAL_CONNECTIONS, 4L);
    for (int i = 0; i < 100; ++i) fixture.add(url_for(server, "limited " + std::to_string(i)));
    fixture.run();
    for (auto &each : fixture.probes) CHECK(each->result == CURLE_OK);
    CHECK(server.connections() <= 4 + 1);  // + the connection of the /stats query itself
    fixture.close_and_check();
  }

  // curl answers an added handle with "time out at once"; from plain loop code that used to wait for a 1 ms
  // timer. Now the transfer starts in the idle phase of the very next loop iteration: one UV_RUN_NOWAIT
  // iteration, which runs no timer that is not yet due, opens its socket.
  TEST_CASE("a transfer added from plain loop code starts in the next loop iteration") {
    test_support::fixture_server server;
    loop_fixture fixture;
    static int sockets_opened = 0;
    sockets_opened = 0;
    probe &added = fixture.prepare(url_for(server, "Right Away"));
    curl_easy_setopt(added.easy, CURLOPT_SOCKOPTFUNCTION, +[](void *, curl_socket_t, curlsocktype) -> int {
      ++sockets_opened;
      return CURL_SOCKOPT_OK;
    });
    uv_update_time(&fixture.loop);  // a 1 ms timer started now is not due in the iteration below
    fixture.start(added);
    CHECK(sockets_opened == 0);
    uv_run(&fixture.loop, UV_RUN_NOWAIT);
    CHECK(sockets_opened == 1);
    fixture.run();
    CHECK(added.calls == 1);
    CHECK(added.result == CURLE_OK);
    fixture.close_and_check();
  }

  TEST_CASE("the host's own handles keep running and the loop stays the host's") {
    test_support::fixture_server server;
    loop_fixture fixture;
    uv_timer_t ticker;
    int ticks = 0;
    uv_timer_init(&fixture.loop, &ticker);
    ticker.data = &ticks;
    uv_timer_start(&ticker, [](uv_timer_t *handle) { ++*static_cast<int *>(handle->data); }, 5, 5);
    fixture.add(url_for(server, "@slow300 Patient"));
    fixture.after_done = [](loop_fixture &self, probe &) {
      CHECK(uvcurl_close(self.curl, loop_fixture::on_closed, &self) == 0);
    };
    while (fixture.close_calls == 0) uv_run(&fixture.loop, UV_RUN_ONCE);
    CHECK(ticks > 10);
    CHECK(uv_is_active(reinterpret_cast<uv_handle_t *>(&ticker)));
    CHECK(uv_loop_close(&fixture.loop) == UV_EBUSY);  // the ticker is the host's: uvcurl left it alone
    uv_close(reinterpret_cast<uv_handle_t *>(&ticker), nullptr);
    fixture.run();
    CHECK(uv_loop_close(&fixture.loop) == 0);
  }

  TEST_CASE("under faults, cancellations and a close in flight, every transfer is reported exactly once") {
    // UVCURL_STRESS_TRANSFERS lowers the count for the valgrind run; 2,000 by default.
    const char *override_count = std::getenv("UVCURL_STRESS_TRANSFERS");
    const int count = override_count ? std::atoi(override_count) : 2000;
    test_support::fixture_server server;
    loop_fixture fixture;
    curl_multi_setopt(uvcurl_multi(fixture.curl), CURLMOPT_MAX_TOTAL_CONNECTIONS, 40L);
    // A third of the transfers fail, each kind its own way; the rest succeed.
    enum kind { ok, not_found, reset, stalled, refused, truncated };
    const kind plan[] = {ok, not_found, ok, reset, ok, stalled, ok, refused, ok, truncated, ok, ok, ok, ok, ok};
    std::vector<kind> kinds;
    for (int i = 0; i < count; ++i) {
      const kind each = plan[i % (sizeof plan / sizeof plan[0])];
      kinds.push_back(each);
      const std::string name = "stress " + std::to_string(i);
      switch (each) {
        case ok: fixture.add(url_for(server, name)); break;
        case not_found: fixture.add(url_for(server, "@404 " + name)); break;
        case reset: fixture.add(url_for(server, "@reset " + name)); break;
        case stalled: fixture.add(url_for(server, "@hang " + name), 300); break;
        case refused: fixture.add("http://127.0.0.1:1/search?term=x", 5000); break;
        case truncated: fixture.add(url_for(server, "@short " + name)); break;
      }
    }
    // From inside completion callbacks: every 7th completion cancels a random transfer (in flight or not),
    // and after 90% of them the handle is closed with the rest still in flight.
    static std::mt19937 random(12345);
    static int completions;
    completions = 0;
    fixture.after_done = [](loop_fixture &self, probe &) {
      ++completions;
      const std::size_t total = self.probes.size();
      if (completions % 7 == 0) {
        int rc = uvcurl_cancel(self.curl, self.probes[random() % total]->easy);
        CHECK((rc == 0 || rc == UVCURL_ENOENT));
      }
      if (completions == static_cast<int>(total * 9 / 10))
        CHECK(uvcurl_close(self.curl, loop_fixture::on_closed, &self) == 0);
    };
    fixture.run();
    CHECK(fixture.close_calls == 1);
    int cancelled = 0;
    for (std::size_t i = 0; i < fixture.probes.size(); ++i) {
      const probe &each = *fixture.probes[i];
      CAPTURE(i);
      REQUIRE(each.calls == 1);
      if (each.result == UVCURL_CANCELLED) {
        ++cancelled;
        continue;
      }
      switch (kinds[i]) {
        case ok: CHECK(each.result == CURLE_OK); CHECK(each.status == 200); break;
        case not_found: CHECK(each.result == CURLE_OK); CHECK(each.status == 404); break;
        case reset: CHECK(each.result == CURLE_RECV_ERROR); break;
        case stalled: CHECK(each.result == CURLE_OPERATION_TIMEDOUT); break;
        case refused: CHECK(each.result == CURLE_COULDNT_CONNECT); break;
        case truncated: CHECK(each.result == CURLE_PARTIAL_FILE); break;
      }
    }
    CHECK(cancelled >= count / 10);  // the close cancelled the last tenth at least
    CHECK(uv_loop_close(&fixture.loop) == 0);
  }
}
