// What one attempt's failure is called (src/engine/request): causes that libcurl 7.88 names wrongly are named
// for what they are. Against a server of the test's own, and in-process with every descriptor taken.
#include "engine/request.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "engine/runners.hpp"
#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"

namespace {

// An HTTP/1.1 server on 127.0.0.1 that answers every request with 200, one header line `padding` bytes long,
// and an empty JSON result, then closes the connection. A thread of its own; stopped by the destructor.
class padded_header_server {
 public:
  explicit padded_header_server(std::size_t padding) : answer_(make_answer(padding)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr *>(&address), length) == 0);
    REQUIRE(::listen(listener_, 16) == 0);
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr *>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~padded_header_server() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes the accept() below
    thread_.join();
    ::close(listener_);
  }
  padded_header_server(const padded_header_server &) = delete;
  padded_header_server &operator=(const padded_header_server &) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/search"; }

 private:
  static std::string make_answer(std::size_t padding) {
    const std::string body = "{\"resultCount\":0,\"results\":[]}";
    return "HTTP/1.1 200 OK\r\nX-Padding: " + std::string(padding, 'p') + "\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }

  void serve() {
    for (;;) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) {
        if (errno == EINTR) continue;
        return;
      }
      std::string request;
      char chunk[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t got = ::read(client, chunk, sizeof chunk);
        if (got <= 0) break;
        request.append(chunk, static_cast<std::size_t>(got));
      }
      for (std::size_t sent = 0; sent < answer_.size();) {
        const ssize_t wrote = ::send(client, answer_.data() + sent, answer_.size() - sent, MSG_NOSIGNAL);
        if (wrote <= 0) break;
        sent += static_cast<std::size_t>(wrote);
      }
      ::close(client);
    }
  }

  const std::string answer_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// The ndjson "error" of the one artist a run of the binary looked up against `base_url`.
std::string error_of_lookup(const std::string &base_url) {
  test_support::command_result run = test_support::run_artistfetch(
      {"--base-url", base_url, "--retries", "0", "--format", "ndjson", "--", "Padded"});
  INFO("stdout: " << run.out << "stderr: " << run.err);
  CHECK(run.out.find("\"artist\":\"Padded\"") != std::string::npos);
  const std::size_t at = run.out.find("\"error\":\"");
  if (at == std::string::npos) return "";
  const std::size_t from = at + 9;
  return run.out.substr(from, run.out.find('"', from) - from);
}

// Takes every free file descriptor until destroyed.
class descriptor_hog {
 public:
  descriptor_hog() {
    for (int fd; (fd = ::dup(0)) >= 0;) taken_.push_back(fd);
  }
  ~descriptor_hog() {
    for (int fd : taken_) ::close(fd);
  }
  descriptor_hog(const descriptor_hog &) = delete;
  descriptor_hog &operator=(const descriptor_hog &) = delete;
  bool exhausted() const { return !taken_.empty() && (errno == EMFILE || errno == ENFILE); }

 private:
  std::vector<int> taken_;
};

}  // namespace

TEST_SUITE("request errors") {
  TEST_CASE("a header line over libcurl's 100 KiB limit is reported as such, not as out of memory") {
    padded_header_server server(101 * 1024);
    CHECK(error_of_lookup(server.base_url()) == "response header too large (a header line over 100 KiB)");
  }

  TEST_CASE("a header line under the limit is fine") {
    padded_header_server server(60 * 1024);
    CHECK(error_of_lookup(server.base_url()).empty());
  }

  TEST_CASE("a socket that cannot be opened for want of descriptors says 'too many open files'") {
    test_support::fixture_server server;
    curl_global_init(CURL_GLOBAL_DEFAULT);  // whatever it opens, before the descriptors run out
    engine::run_plan plan;
    plan.artists = {"Starved"};
    plan.base_url = server.base_url();
    plan.https = false;
    plan.retry.retries = 0;
    // Once with descriptors to spare: UndefinedBehaviorSanitizer checks each dynamic type the first time it
    // meets it by probing the memory through a pipe, which finds no descriptor under the hog and reads as a
    // bad vptr. Checked once here, the types are in its cache.
    REQUIRE(engine::run_sync(plan).records.ok(0));
    const int requests_before = server.requests_for("Starved");
    engine::run_report report;
    {
      descriptor_hog hog;
      REQUIRE(hog.exhausted());
      report = engine::run_sync(plan);
    }
    REQUIRE(report.records.size() == 1);
    CHECK_FALSE(report.records[0].ok);
    CHECK(report.records[0].error.find("too many open files") == 0);
    CHECK(report.records[0].error.find("(curl error 7)") != std::string::npos);
    CHECK(server.requests_for("Starved") == requests_before);
  }
}
