// One nginx for a test: Debian's nginx started by scripts/nginx-fixture in a temporary directory of its own.
#pragma once

#include <string>
#include <vector>

#include "run_output.hpp"

namespace test_support {

// One nginx under a fresh temporary directory, started with `start_options` (e.g. {"--keepalive-requests",
// "7"}). The constructor returns once nginx answers on both ports;
// the destructor stops it and removes the directory. Should the test process die first, the watcher that
// `start --owner` leaves behind stops nginx.
class nginx_fixture {
 public:
  explicit nginx_fixture(const std::vector<std::string> &start_options = {});
  ~nginx_fixture();

  nginx_fixture(const nginx_fixture &) = delete;
  nginx_fixture &operator=(const nginx_fixture &) = delete;

  std::string http_base() const { return "http://127.0.0.1:" + std::to_string(http_port_) + "/search"; }
  std::string https_base(const std::string &path = "/search") const {
    return "https://127.0.0.1:" + std::to_string(https_port_) + path;
  }
  const std::string &cert() const { return cert_; }

  // Connections nginx has accepted since it started (stub_status; the query's own connection included).
  long accepted() const;

  // Distinct connections in the access log, only those of `protocol` when it is not empty, once the log
  // holds `expect` request lines (nginx logs a request just after its response leaves).
  long logged_connections(long expect, const std::string &protocol = "") const;

 private:
  const temp_dir root_{"artistfetch-nginx"};  // outlives the stop in the destructor's body
  const std::string dir_ = root_ / "nginx";
  std::string cert_;
  long http_port_ = 0, https_port_ = 0;
};

}  // namespace test_support
