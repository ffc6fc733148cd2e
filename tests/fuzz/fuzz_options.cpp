// libFuzzer target for the argument parser.
//
// The input is split at NUL bytes. Segment 0 is ARTISTFETCH_BASE_URL (empty: unset), segment 1 is what
// `--input -` reads as standard input, and the remaining segments are argv[1..]. Inputs that would make the
// parser open a real file with --input are skipped, so the fuzzer never blocks on a device or a pipe; file
// reading is exercised through `--input -` instead, which goes through the same line reader.
//
// Besides "never crashes", the target checks what a successful parse promises: every value is in range and
// every name is valid, distinct and non-blank; and that every usage error message is printable text.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "cli/options.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool opens_a_file(const std::vector<std::string> &arguments) {
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string &argument = arguments[i];
    if (argument == "--input" && (i + 1 >= arguments.size() || arguments[i + 1] != "-")) return true;
    if (argument.rfind("--input=", 0) == 0 && argument != "--input=-") return true;
  }
  return false;
}

void check_options(const cli::options &opts) {
  require(!opts.artists.empty());
  std::unordered_set<std::string> seen;
  for (std::string_view view : opts.artists) {
    const std::string name(view);
    require(cli::name_problem(name).empty());
    require(name.find_first_not_of(" \t\v\f\r") != std::string::npos);
    require(seen.insert(name).second);
  }
  std::string scheme = opts.base_url.substr(0, 8);
  for (char &c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  require(scheme.rfind("http://", 0) == 0 || scheme == "https://");
  require(!opts.query.entity.empty());
  require(opts.query.limit >= 1 && opts.query.limit <= 200);
  require(opts.query.country.empty() || opts.query.country.size() == 2);
  require(!(opts.sync && opts.compare));
  require(opts.concurrency >= 1 && opts.concurrency <= 10000);
  require(opts.timeout_s > 0 && opts.timeout_s <= 86400);
  require(opts.connect_timeout_s > 0 && opts.connect_timeout_s <= 86400);
  require(opts.retries >= 0 && opts.retries <= 100);
  for (std::size_t i = 0; i < opts.retry_on.size(); ++i) {
    require(opts.retry_on[i] >= 100 && opts.retry_on[i] <= 599);
    require(i == 0 || opts.retry_on[i - 1] < opts.retry_on[i]);
  }
  require(opts.backoff_base_s > 0 && opts.backoff_cap_s >= opts.backoff_base_s &&
          opts.backoff_cap_s <= 86400);
  require(opts.max_retry_after_s >= 0 && opts.max_retry_after_s <= 86400);
  require(opts.rate_per_min >= 0 && opts.rate_per_min <= 60e6);
  require(opts.max_body >= 1024);
  require(opts.cache_ttl_s >= 0 && opts.cache_ttl_s <= 3650LL * 86400);
  require(!(opts.stream && opts.compare));
  require(!opts.stream || !opts.format || *opts.format == report::output_format::ndjson);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::vector<std::string> segments(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      segments.emplace_back();
    } else {
      segments.back() += static_cast<char>(data[i]);
    }
  }
  const std::string environment = segments[0];
  const std::string standard_input = segments.size() > 1 ? segments[1] : std::string();
  std::vector<std::string> arguments(segments.begin() + std::min<std::size_t>(2, segments.size()),
                                     segments.end());
  if (opens_a_file(arguments)) return 0;

  std::vector<const char *> argv;
  argv.push_back("artistfetch");
  for (const std::string &argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);

  std::istringstream in(standard_input);
  const cli::parse_outcome outcome =
      cli::parse_options(static_cast<int>(argv.size() - 1), argv.data(),
                         environment.empty() ? nullptr : environment.c_str(), in);
  switch (outcome.kind) {
    case cli::parse_outcome::run:
      check_options(outcome.opts);
      break;
    case cli::parse_outcome::usage_error:
      require(!outcome.message.empty());
      require(outcome.message.size() > 1000 || cli::name_problem(outcome.message).empty());
      break;
    case cli::parse_outcome::help:
    case cli::parse_outcome::version:
      break;
  }
  return 0;
}
