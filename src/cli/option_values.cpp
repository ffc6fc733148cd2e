#include "cli/option_values.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "cli/name_input.hpp"
#include "cli/user_files.hpp"
#include "engine/url.hpp"
#include "text/escape.hpp"

namespace cli {
namespace {

constexpr double max_seconds = 86400;  // one day: keeps every conversion to milliseconds far from overflow

std::string quote_value(std::string_view text) {
  return text::quote(text, '\'');
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string integer_in(std::string_view value, long long low, long long high, int &out) {
  long long parsed = 0;
  if (!parse_integer(value, parsed) || parsed < low || parsed > high) {
    return quote_value(value) + " is not an integer from " + std::to_string(low) + " to " +
           std::to_string(high);
  }
  out = static_cast<int>(parsed);
  return {};
}

// Seconds within [low, max_seconds]; `low_inclusive` false means strictly greater than `low`.
std::string seconds_in(std::string_view value, double low, bool low_inclusive, double &out) {
  double parsed = 0;
  const bool in_range =
      parse_decimal(value, parsed) && (low_inclusive ? parsed >= low : parsed > low) && parsed <= max_seconds;
  if (!in_range) {
    return quote_value(value) + " is not a number of seconds " +
           (low_inclusive ? "from " + format_seconds(low) + " to "
                          : "greater than " + format_seconds(low) + " and at most ") +
           format_seconds(max_seconds);
  }
  out = parsed;
  return {};
}

// The URL as libcurl reads it: http or https, with a host, and fit to have "term=NAME" added to its query.
std::string store_base_url(options &opts, std::string_view value) {
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return quote_value(value) + " contains a space or a control character";
  }
  const std::string url(value);
  const bool http_like =
      starts_with_ignoring_case(value, "http://") || starts_with_ignoring_case(value, "https://");
  // Spelled out, not left to libcurl, which also reads "https:/host" and "https:host" as https.
  if (!http_like) return quote_value(value) + " does not start with http:// or https://";
  const std::string problem = engine::search_endpoint_problem(url);
  if (!problem.empty()) return quote_value(value) + " " + problem;
  const std::string scheme = engine::url_scheme(url);
  if (scheme != "http" && scheme != "https") return quote_value(value) + " has no host";
  if (engine::url_host(url).empty()) return quote_value(value) + " has no host";
  opts.base_url = url;
  return {};
}

std::string set_entity(options &opts, std::string_view value) {
  if (value.empty() || !std::all_of(value.begin(), value.end(), is_ascii_letter)) {
    return quote_value(value) + " is not an entity name (ASCII letters only, such as album or musicTrack)";
  }
  opts.query.entity = std::string(value);
  return {};
}

std::string set_sort(options &opts, std::string_view value) {
  if (!value.empty() && !name_problem(std::string(value)).empty()) {
    return quote_value(value) + " is not valid UTF-8 text without control characters";
  }
  opts.query.sort = std::string(value);
  return {};
}

std::string set_country(options &opts, std::string_view value) {
  if (value.size() != 2 || !is_ascii_letter(value[0]) || !is_ascii_letter(value[1])) {
    return quote_value(value) + " is not a two-letter country code such as US or jp";
  }
  opts.query.country = std::string(value);
  return {};
}

std::string set_cacert(options &opts, std::string_view value) {
  const std::string path(value);
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0) {
    return "cannot use " + quote_value(value) + ": " + (path.empty() ? "empty path" : std::strerror(errno));
  }
  const std::string not_regular = not_regular_file(info);
  if (!not_regular.empty()) return "cannot use " + quote_value(value) + ": " + not_regular;
  if (::access(path.c_str(), R_OK) != 0)
    return "cannot use " + quote_value(value) + ": " + std::strerror(errno);
  opts.cacert = path;
  return {};
}

std::string set_format(options &opts, std::string_view value) {
  if (value == "ndjson") {
    opts.format = output_format::ndjson;
  } else if (value == "json") {
    opts.format = output_format::json;
  } else if (value == "table") {
    opts.format = output_format::table;
  } else {
    return quote_value(value) + " is not one of ndjson, json, table";
  }
  return {};
}

std::string set_retry_on(options &opts, std::string_view value) {
  std::vector<long> statuses;
  std::size_t start = 0;
  while (!value.empty()) {  // an empty list is allowed: no status is retried
    const std::size_t comma = std::min(value.find(',', start), value.size());
    std::string_view item = value.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    long long status = 0;
    if (!parse_integer(item, status) || status < 100 || status > 599) {
      return quote_value(item) + " in " + quote_value(value) + " is not an HTTP status from 100 to 599";
    }
    statuses.push_back(static_cast<long>(status));
    if (comma == value.size()) break;
    start = comma + 1;
  }
  std::sort(statuses.begin(), statuses.end());
  statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
  opts.retry_on = std::move(statuses);
  opts.retry_on_given = true;
  return {};
}

// "N/min", "N/s" or a plain N (per minute); "0" in any of those forms or "unlimited" means no limit.
std::string set_rate(options &opts, std::string_view value) {
  constexpr double min_per_min = 0.01, max_per_min = 60e6;
  const std::string problem = quote_value(value) +
                              " is not a rate such as 20/min, 5/s or 20 (per minute) from 0.01/min to "
                              "1000000/s, nor 0 or unlimited";
  opts.rate_given = true;
  if (value == "unlimited") {
    opts.rate_per_min = 0;
    return {};
  }
  std::string_view number = value;
  double unit = 1;
  const std::size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view per = value.substr(slash + 1);
    if (per == "s") {
      unit = 60;
    } else if (per != "min") {
      return problem;
    }
    number = value.substr(0, slash);
  }
  double parsed = 0;
  if (!parse_decimal(number, parsed)) return problem;
  const double per_min = parsed * unit;
  if (per_min != 0 && (per_min < min_per_min || per_min > max_per_min)) return problem;
  opts.rate_per_min = per_min;
  return {};
}

std::string set_match(options &opts, std::string_view value) {
  if (value == "exact") {
    opts.match = itunes::match_mode::exact;
  } else if (value == "bytes") {
    opts.match = itunes::match_mode::bytes;
  } else if (value == "nocase") {
    opts.match = itunes::match_mode::nocase;
  } else {
    return quote_value(value) + " is not one of exact, bytes, nocase";
  }
  return {};
}

std::string set_cache_dir(options &opts, std::string_view value) {
  if (value.empty()) return "the directory name is empty";
  opts.cache_dir = std::string(value);
  opts.no_cache = false;  // the later of --cache-dir and --no-cache wins
  return {};
}

// Whole seconds, or a number with the suffix s, m, h or d; at most 3650 days.
std::string set_cache_ttl(options &opts, std::string_view value) {
  const std::string problem =
      quote_value(value) + " is not a duration such as 3600, 90s, 30m, 24h or 7d (at most 3650d)";
  std::string_view number = value;
  long long unit = 1;
  if (!number.empty()) {
    switch (number.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
        break;
    }
    if (unit != 0) {
      number.remove_suffix(1);
    } else {
      unit = 1;
    }
  }
  constexpr long long max_ttl_s = 3650LL * 86400;
  long long parsed = 0;
  if (!parse_integer(number, parsed) || parsed > max_ttl_s / unit) return problem;
  opts.cache_ttl_s = parsed * unit;
  return {};
}

std::string set_color(options &opts, std::string_view value) {
  if (value == "auto") {
    opts.color = color_mode::automatic;
  } else if (value == "always") {
    opts.color = color_mode::always;
  } else if (value == "never") {
    opts.color = color_mode::never;
  } else {
    return quote_value(value) + " is not one of auto, always, never";
  }
  return {};
}

std::string set_stats(options &opts, std::string_view value) {
  if (value == "text") {
    opts.stats = stats_format::text;
  } else if (value == "json") {
    opts.stats = stats_format::json;
  } else {
    return quote_value(value) + " is not one of text, json";
  }
  return {};
}

std::string set_max_body(options &opts, std::string_view value) {
  const std::string problem =
      quote_value(value) + " is not a byte count of at least 1024 (suffixes K, M and G mean KiB, MiB, GiB)";
  std::string_view number = value;
  long long multiplier = 1;
  if (!number.empty()) {
    switch (number.back()) {
      case 'K':
      case 'k':
        multiplier = 1LL << 10;
        break;
      case 'M':
      case 'm':
        multiplier = 1LL << 20;
        break;
      case 'G':
      case 'g':
        multiplier = 1LL << 30;
        break;
      default:
        break;
    }
    if (multiplier != 1) number.remove_suffix(1);
  }
  long long parsed = 0;
  if (!parse_integer(number, parsed) || parsed > (1LL << 62) / multiplier) return problem;
  const long long bytes = parsed * multiplier;
  if (bytes < 1024) return problem;
  opts.max_body = bytes;
  return {};
}

}  // namespace

bool parse_integer(std::string_view text, long long &value) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  const char *end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end;
}

bool parse_decimal(std::string_view text, double &value) {
  bool digit_seen = false, point_seen = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digit_seen = true;
    } else if (c == '.' && !point_seen) {
      point_seen = true;
    } else {
      return false;
    }
  }
  if (!digit_seen) return false;
  const char *end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  return ec == std::errc() && ptr == end;
}

std::string format_seconds(double seconds) {
  char buffer[64];
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, seconds);
  return ec == std::errc() ? std::string(buffer, ptr) : std::string("?");
}

std::string option_values::set_base_url(std::string_view value) {
  return store_base_url(opts, value);
}

std::string option_values::apply(option_id id, std::string_view value) {
  switch (id) {
    case option_id::base_url:
      base_url_given = true;
      return store_base_url(opts, value);
    case option_id::entity:
      return set_entity(opts, value);
    case option_id::limit:
      return integer_in(value, 1, 200, opts.query.limit);
    case option_id::sort:
      return set_sort(opts, value);
    case option_id::country:
      return set_country(opts, value);
    case option_id::concurrency:
      return integer_in(value, 1, 10000, opts.concurrency);
    case option_id::threads:
      return integer_in(value, 1, 64, opts.threads);
    case option_id::timeout:
      return seconds_in(value, 0.001, true, opts.timeout_s);
    case option_id::connect_timeout:
      return seconds_in(value, 0.001, true, opts.connect_timeout_s);
    case option_id::stall_timeout:  // libcurl counts it in whole seconds
      return seconds_in(value, 1, true, opts.stall_timeout_s);
    case option_id::cacert:
      return set_cacert(opts, value);
    case option_id::format:
      return set_format(opts, value);
    case option_id::input:
      if (value.empty()) return "the file name is empty (use - for standard input)";
      input_paths.emplace_back(value);
      return {};
    case option_id::retries:
      return integer_in(value, 0, 100, opts.retries);
    case option_id::retry_on:
      return set_retry_on(opts, value);
    case option_id::backoff_base:
      return seconds_in(value, 0, false, opts.backoff_base_s);
    case option_id::backoff_cap:
      return seconds_in(value, 0, false, opts.backoff_cap_s);
    case option_id::max_retry_after:
      return seconds_in(value, 0, true, opts.max_retry_after_s);
    case option_id::max_throttled:
      return seconds_in(value, 0, true, opts.max_throttled_s);
    case option_id::rate:
      return set_rate(opts, value);
    case option_id::max_body:
      return set_max_body(opts, value);
    case option_id::match:
      return set_match(opts, value);
    case option_id::stream:
      opts.stream = true;
      return {};
    case option_id::cache_dir:
      return set_cache_dir(opts, value);
    case option_id::cache_ttl:
      return set_cache_ttl(opts, value);
    case option_id::no_cache:
      opts.no_cache = true;
      opts.cache_dir.clear();
      return {};
    case option_id::progress:
      opts.progress = true;
      return {};
    case option_id::no_progress:
      opts.progress = false;
      return {};
    case option_id::quiet:
      opts.quiet = true;
      return {};
    case option_id::color:
      return set_color(opts, value);
    case option_id::stats:
      return set_stats(opts, value);
    case option_id::timeline:
      opts.timeline = true;
      return {};
    case option_id::timeline_svg:
      if (value.empty()) return "the file name is empty";
      opts.timeline_svg = std::string(value);
      return {};
    case option_id::sync:
      opts.sync = true;
      return {};
    case option_id::compare:
      opts.compare = true;
      return {};
    case option_id::help:
    case option_id::version:
    case option_id::end_of_options:
      return {};
  }
  return {};
}

}  // namespace cli
