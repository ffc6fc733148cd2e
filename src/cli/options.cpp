// Command-line parsing for artistfetch. Everything here is pure except reading --input files and checking
// that --cacert is readable, so the parser can be unit-tested and fuzzed directly.
#include "cli/options.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <istream>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "itunes/utf8.hpp"

namespace cli {
namespace {

constexpr std::size_t max_name_bytes = 1000;
constexpr double max_seconds = 86400;  // one day: keeps every conversion to milliseconds far from overflow

// ---------------------------------------------------------------------------------------------------------
// UTF-8

using itunes::decode_utf8;
using itunes::utf8_step;

bool is_control(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

std::string hex(unsigned value, int digits) {
  static const char digit_chars[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4)
    out[static_cast<std::size_t>(i)] = digit_chars[value & 0xF];
  return out;
}

// Quotes untrusted text for an error message: printable text stays readable, while control characters,
// invalid bytes and the quote itself are escaped so nothing can disturb the terminal. Long text is cut after
// 60 characters with "...".
std::string quote(std::string_view text, char quote_char) {
  constexpr std::size_t max_chars = 60;
  std::string out(1, quote_char);
  std::size_t chars = 0;
  for (std::size_t at = 0; at < text.size(); ++chars) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const utf8_step step = decode_utf8(text, at);
    if (!step.valid) {
      for (std::size_t i = 0; i < step.length; ++i) {
        out += "\\x" + hex(static_cast<unsigned char>(text[at + i]), 2);
      }
    } else if (step.code_point == static_cast<char32_t>(quote_char) || step.code_point == '\\') {
      out += '\\';
      out += static_cast<char>(step.code_point);
    } else if (step.code_point == '\n') {
      out += "\\n";
    } else if (step.code_point == '\t') {
      out += "\\t";
    } else if (step.code_point == '\r') {
      out += "\\r";
    } else if (is_control(step.code_point)) {
      out += step.code_point < 0x80 ? "\\x" + hex(step.code_point, 2) : "\\u" + hex(step.code_point, 4);
    } else {
      out.append(text.substr(at, step.length));
    }
    at += step.length;
  }
  out += quote_char;
  return out;
}

std::string quote_value(std::string_view text) {
  return quote(text, '\'');
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\v\f\r") == std::string_view::npos;
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

// ---------------------------------------------------------------------------------------------------------
// Numbers. Both parsers accept only plain decimal text: no sign, no spaces, no exponent, no "nan" or "inf".

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

// Formats a number of seconds for a message without trailing zeros ("0.5", "30").
std::string format_seconds(double seconds) {
  char buffer[64];
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, seconds);
  return ec == std::errc() ? std::string(buffer, ptr) : std::string("?");
}

// ---------------------------------------------------------------------------------------------------------
// The option table.

enum class flag_id {
  base_url,
  entity,
  limit,
  sort,
  country,
  sync,
  compare,
  concurrency,
  threads,
  timeout,
  connect_timeout,
  stall_timeout,
  cacert,
  format,
  input,
  retries,
  retry_on,
  backoff_base,
  backoff_cap,
  max_retry_after,
  rate,
  max_body,
  match,
  stream,
  cache_dir,
  cache_ttl,
  progress,
  no_progress,
  quiet,
  color,
  stats,
  timeline,
  timeline_svg,
  help,
  version,
};

struct flag_spec {
  std::string_view name;
  flag_id id;
  bool takes_value;
};

constexpr flag_spec flag_specs[] = {
    {"--base-url", flag_id::base_url, true},
    {"--entity", flag_id::entity, true},
    {"--limit", flag_id::limit, true},
    {"--sort", flag_id::sort, true},
    {"--country", flag_id::country, true},
    {"--sync", flag_id::sync, false},
    {"--compare", flag_id::compare, false},
    {"--concurrency", flag_id::concurrency, true},
    {"--threads", flag_id::threads, true},
    {"--timeout", flag_id::timeout, true},
    {"--connect-timeout", flag_id::connect_timeout, true},
    {"--stall-timeout", flag_id::stall_timeout, true},
    {"--cacert", flag_id::cacert, true},
    {"--format", flag_id::format, true},
    {"--input", flag_id::input, true},
    {"--retries", flag_id::retries, true},
    {"--retry-on", flag_id::retry_on, true},
    {"--backoff-base", flag_id::backoff_base, true},
    {"--backoff-cap", flag_id::backoff_cap, true},
    {"--max-retry-after", flag_id::max_retry_after, true},
    {"--rate", flag_id::rate, true},
    {"--max-body", flag_id::max_body, true},
    {"--match", flag_id::match, true},
    {"--stream", flag_id::stream, false},
    {"--cache-dir", flag_id::cache_dir, true},
    {"--cache-ttl", flag_id::cache_ttl, true},
    {"--progress", flag_id::progress, false},
    {"--no-progress", flag_id::no_progress, false},
    {"--quiet", flag_id::quiet, false},
    {"-q", flag_id::quiet, false},
    {"--color", flag_id::color, false},  // also --color=WHEN, see implied_value()
    {"--stats", flag_id::stats, false},  // also --stats=FORMAT
    {"--timeline", flag_id::timeline, false},
    {"--timeline-svg", flag_id::timeline_svg, true},
    {"--help", flag_id::help, false},
    {"-h", flag_id::help, false},
    {"--version", flag_id::version, false},
    {"-V", flag_id::version, false},
};

const flag_spec *find_flag(std::string_view name) {
  for (const flag_spec &spec : flag_specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// For a switch that also accepts "=VALUE" (--color=never, --stats=json): the value it means alone. Empty for
// every other switch.
std::string_view implied_value(flag_id id) {
  switch (id) {
    case flag_id::color: return "always";
    case flag_id::stats: return "text";
    default: return {};
  }
}

// The parser's state between arguments. Each setter returns an empty string or the reason the value is bad,
// which the caller prefixes with the flag's name.
struct parser {
  options opts;
  bool base_url_given = false;
  std::vector<std::string> input_paths;

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
    const bool in_range = parse_decimal(value, parsed) && (low_inclusive ? parsed >= low : parsed > low) &&
                          parsed <= max_seconds;
    if (!in_range) {
      return quote_value(value) + " is not a number of seconds " +
             (low_inclusive ? "from " + format_seconds(low) + " to "
                            : "greater than " + format_seconds(low) + " and at most ") +
             format_seconds(max_seconds);
    }
    out = parsed;
    return {};
  }

  std::string set_base_url(std::string_view value) {
    const bool http = starts_with_ignoring_case(value, "http://");
    const bool https = starts_with_ignoring_case(value, "https://");
    if (!http && !https) return quote_value(value) + " does not start with http:// or https://";
    const std::string_view rest = value.substr(http ? 7 : 8);
    if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#') {
      return quote_value(value) + " has no host";
    }
    for (char c : value) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte <= 0x20 || byte == 0x7F)
        return quote_value(value) + " contains a space or a control character";
    }
    opts.base_url = std::string(value);
    return {};
  }

  std::string set_entity(std::string_view value) {
    if (value.empty() || !std::all_of(value.begin(), value.end(), is_ascii_letter)) {
      return quote_value(value) + " is not an entity name (ASCII letters only, such as album or musicTrack)";
    }
    opts.query.entity = std::string(value);
    return {};
  }

  std::string set_sort(std::string_view value) {
    if (!value.empty() && !name_problem(std::string(value)).empty()) {
      return quote_value(value) + " is not valid UTF-8 text without control characters";
    }
    opts.query.sort = std::string(value);
    return {};
  }

  std::string set_country(std::string_view value) {
    if (value.size() != 2 || !is_ascii_letter(value[0]) || !is_ascii_letter(value[1])) {
      return quote_value(value) + " is not a two-letter country code such as US or jp";
    }
    opts.query.country = std::string(value);
    return {};
  }

  std::string set_cacert(std::string_view value) {
    const std::string path(value);
    struct stat info {};
    if (path.empty() || ::stat(path.c_str(), &info) != 0) {
      return "cannot use " + quote_value(value) + ": " + (path.empty() ? "empty path" : std::strerror(errno));
    }
    if (S_ISDIR(info.st_mode)) return "cannot use " + quote_value(value) + ": it is a directory";
    if (::access(path.c_str(), R_OK) != 0)
      return "cannot use " + quote_value(value) + ": " + std::strerror(errno);
    opts.cacert = path;
    return {};
  }

  std::string set_format(std::string_view value) {
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

  std::string set_retry_on(std::string_view value) {
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
  std::string set_rate(std::string_view value) {
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

  std::string set_match(std::string_view value) {
    if (value == "exact") {
      opts.match = itunes::match_mode::exact;
    } else if (value == "nocase") {
      opts.match = itunes::match_mode::nocase;
    } else {
      return quote_value(value) + " is not one of exact, nocase";
    }
    return {};
  }

  std::string set_cache_dir(std::string_view value) {
    if (value.empty()) return "the directory name is empty";
    opts.cache_dir = std::string(value);
    return {};
  }

  // Whole seconds, or a number with the suffix s, m, h or d; at most 3650 days.
  std::string set_cache_ttl(std::string_view value) {
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

  std::string set_color(std::string_view value) {
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

  std::string set_stats(std::string_view value) {
    if (value == "text") {
      opts.stats = stats_format::text;
    } else if (value == "json") {
      opts.stats = stats_format::json;
    } else {
      return quote_value(value) + " is not one of text, json";
    }
    return {};
  }

  std::string set_max_body(std::string_view value) {
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

  std::string apply(flag_id id, std::string_view value) {
    switch (id) {
      case flag_id::base_url:
        base_url_given = true;
        return set_base_url(value);
      case flag_id::entity:
        return set_entity(value);
      case flag_id::limit:
        return integer_in(value, 1, 200, opts.query.limit);
      case flag_id::sort:
        return set_sort(value);
      case flag_id::country:
        return set_country(value);
      case flag_id::concurrency:
        return integer_in(value, 1, 10000, opts.concurrency);
      case flag_id::threads:
        return integer_in(value, 1, 64, opts.threads);
      case flag_id::timeout:
        return seconds_in(value, 0.001, true, opts.timeout_s);
      case flag_id::connect_timeout:
        return seconds_in(value, 0.001, true, opts.connect_timeout_s);
      case flag_id::stall_timeout:  // libcurl counts it in whole seconds
        return seconds_in(value, 1, true, opts.stall_timeout_s);
      case flag_id::cacert:
        return set_cacert(value);
      case flag_id::format:
        return set_format(value);
      case flag_id::input:
        if (value.empty()) return "the file name is empty (use - for standard input)";
        input_paths.emplace_back(value);
        return {};
      case flag_id::retries:
        return integer_in(value, 0, 100, opts.retries);
      case flag_id::retry_on:
        return set_retry_on(value);
      case flag_id::backoff_base:
        return seconds_in(value, 0, false, opts.backoff_base_s);
      case flag_id::backoff_cap:
        return seconds_in(value, 0, false, opts.backoff_cap_s);
      case flag_id::max_retry_after:
        return seconds_in(value, 0, true, opts.max_retry_after_s);
      case flag_id::rate:
        return set_rate(value);
      case flag_id::max_body:
        return set_max_body(value);
      case flag_id::match:
        return set_match(value);
      case flag_id::stream:
        opts.stream = true;
        return {};
      case flag_id::cache_dir:
        return set_cache_dir(value);
      case flag_id::cache_ttl:
        return set_cache_ttl(value);
      case flag_id::progress:
        opts.progress = true;
        return {};
      case flag_id::no_progress:
        opts.progress = false;
        return {};
      case flag_id::quiet:
        opts.quiet = true;
        return {};
      case flag_id::color:
        return set_color(value);
      case flag_id::stats:
        return set_stats(value);
      case flag_id::timeline:
        opts.timeline = true;
        return {};
      case flag_id::timeline_svg:
        if (value.empty()) return "the file name is empty";
        opts.timeline_svg = std::string(value);
        return {};
      case flag_id::sync:
        opts.sync = true;
        return {};
      case flag_id::compare:
        opts.compare = true;
        return {};
      case flag_id::help:
      case flag_id::version:
        return {};
    }
    return {};
  }
};

parse_outcome usage_error(std::string message) {
  parse_outcome outcome;
  outcome.kind = parse_outcome::usage_error;
  outcome.message = std::move(message);
  return outcome;
}

std::string read_input_file(const std::string &path, std::istream &standard_input,
                            std::vector<std::string> &names) {
  if (path == "-") {
    std::string problem = read_name_lines(standard_input, "stdin", names);
    if (problem.empty() && standard_input.bad()) problem = "--input: error reading standard input";
    return problem;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return "--input: cannot open " + quote_value(path) + ": " + std::strerror(errno);
  if (S_ISDIR(info.st_mode)) return "--input: cannot read " + quote_value(path) + ": it is a directory";
  std::ifstream file(path, std::ios::binary);
  if (!file) return "--input: cannot open " + quote_value(path) + ": " + std::strerror(errno);
  std::string problem = read_name_lines(file, path, names);
  if (problem.empty() && file.bad()) problem = "--input: error reading " + quote_value(path);
  return problem;
}

}  // namespace

std::string name_problem(const std::string &name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > max_name_bytes) return "the name is longer than 1000 bytes";
  for (std::size_t at = 0; at < name.size();) {
    const utf8_step step = decode_utf8(name, at);
    if (!step.valid) return "invalid UTF-8 at byte " + std::to_string(at + 1);
    if (is_control(step.code_point)) {
      return "control character U+" + hex(step.code_point, 4) + " at byte " + std::to_string(at + 1);
    }
    at += step.length;
  }
  return {};
}

std::string read_name_lines(std::istream &in, const std::string &source, std::vector<std::string> &names) {
  std::streambuf *buffer = in.rdbuf();
  if (buffer == nullptr) return {};
  const std::string label = source + " line ";
  std::string line;
  std::size_t line_number = 0;
  bool at_end = false;
  while (!at_end) {
    ++line_number;
    line.clear();
    bool too_long = false;
    for (;;) {
      const int c = buffer->sbumpc();
      if (c == std::char_traits<char>::eof()) {
        at_end = true;
        break;
      }
      if (c == '\n') break;
      // One byte over the limit is enough to know, plus one for a "\r" that will be removed.
      if (line.size() > max_name_bytes + 1) {
        too_long = true;
        break;
      }
      line.push_back(static_cast<char>(c));
    }
    if (too_long) {
      return label + std::to_string(line_number) + " " + quote(line, '"') +
             ": the name is longer than 1000 bytes";
    }
    if (line_number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (at_end && line.empty()) break;
    if (is_blank(line)) continue;
    const std::string problem = name_problem(line);
    if (!problem.empty())
      return label + std::to_string(line_number) + " " + quote(line, '"') + ": " + problem;
    names.push_back(line);
  }
  if (at_end) in.setstate(std::ios::eofbit);
  return {};
}

parse_outcome parse_options(int argc, const char *const *argv, const char *environment_base_url) {
  return parse_options(argc, argv, environment_base_url, std::cin);
}

parse_outcome parse_options(int argc, const char *const *argv, const char *environment_base_url,
                            std::istream &standard_input) {
  parser state;
  std::vector<std::string> names;
  bool options_ended = false;

  for (int index = 1; index < argc; ++index) {
    const std::string_view argument = argv[index] != nullptr ? argv[index] : "";
    const bool looks_like_option = !options_ended && argument.size() > 1 && argument.front() == '-';
    if (!looks_like_option) {
      if (is_blank(argument)) {
        return usage_error("argument " + std::to_string(index) + " " + quote(argument, '"') + ": " +
                           (argument.empty() ? "the name is empty" : "the name is blank"));
      }
      const std::string name(argument);
      const std::string problem = name_problem(name);
      if (!problem.empty()) {
        return usage_error("argument " + std::to_string(index) + " " + quote(argument, '"') + ": " + problem);
      }
      names.push_back(name);
      continue;
    }
    if (argument == "--") {
      options_ended = true;
      continue;
    }

    const std::size_t equals = argument.rfind("--", 0) == 0 ? argument.find('=') : std::string_view::npos;
    const std::string_view flag_name = argument.substr(0, equals);
    const flag_spec *spec = find_flag(flag_name);
    if (spec == nullptr) return usage_error("unknown option " + quote_value(flag_name));

    std::string_view value;
    if (!spec->takes_value) {
      const std::string_view implied = implied_value(spec->id);
      if (equals != std::string_view::npos && implied.empty()) {
        return usage_error("option " + quote_value(flag_name) + " takes no value");
      }
      value = equals != std::string_view::npos ? argument.substr(equals + 1) : implied;
    } else if (equals != std::string_view::npos) {
      value = argument.substr(equals + 1);
    } else if (index + 1 < argc && argv[index + 1] != nullptr) {
      value = argv[++index];
    } else {
      return usage_error("option " + quote_value(flag_name) + " needs a value");
    }

    if (spec->id == flag_id::help) {
      parse_outcome outcome;
      outcome.kind = parse_outcome::help;
      return outcome;
    }
    if (spec->id == flag_id::version) {
      parse_outcome outcome;
      outcome.kind = parse_outcome::version;
      return outcome;
    }
    const std::string problem = state.apply(spec->id, value);
    if (!problem.empty()) return usage_error(std::string(spec->name) + ": " + problem);
  }

  options &opts = state.opts;
  if (opts.sync && opts.compare) return usage_error("--sync and --compare exclude each other");
  if (opts.stream && opts.compare) return usage_error("--stream and --compare exclude each other");
  if (opts.stream && opts.format && *opts.format != output_format::ndjson)
    return usage_error("--stream prints ndjson only: drop --format or use --format ndjson");
  if (opts.backoff_cap_s < opts.backoff_base_s) {
    return usage_error("--backoff-cap: " + format_seconds(opts.backoff_cap_s) +
                       " is less than the backoff base " + format_seconds(opts.backoff_base_s) +
                       " (--backoff-cap must be at least --backoff-base)");
  }
  if (!state.base_url_given && environment_base_url != nullptr && environment_base_url[0] != '\0') {
    const std::string problem = state.set_base_url(environment_base_url);
    if (!problem.empty()) return usage_error("ARTISTFETCH_BASE_URL: " + problem);
  }

  for (const std::string &path : state.input_paths) {
    const std::string problem = read_input_file(path, standard_input, names);
    if (!problem.empty()) return usage_error(problem);
  }
  if (names.empty()) return usage_error("no artist names given");

  // Keep the first occurrence of each name. `unique` is reserved up front, so the views stay valid.
  std::vector<std::string> unique;
  unique.reserve(names.size());
  std::unordered_set<std::string_view> seen;
  seen.reserve(names.size());
  for (std::string &name : names) {
    if (seen.count(name) != 0) continue;
    unique.push_back(std::move(name));
    seen.insert(unique.back());
  }
  opts.artists = std::move(unique);

  parse_outcome outcome;
  outcome.opts = std::move(state.opts);
  return outcome;
}

std::string help_text() {
  return R"(Usage: artistfetch [options] NAME...

Looks up many artists on the iTunes Search API at once and prints, for each one, the albums whose
artist name matches the NAME exactly. The requests run concurrently on libuv event loops that
drive libcurl (one loop, or one per core: see --threads); failed requests are retried with
exponential backoff, and the pace can be limited to stay under Apple's rate limit. Names come
from the arguments first, then from --input; a name given twice is looked up once, at its first
position.

Input:
  --input FILE               read more names from FILE, one per line ('-' for standard input);
                             blank lines are skipped; may be given more than once
  --                         end of options: every later argument is a name

Query:
  --base-url URL             search endpoint, http:// or https://
                             (default: $ARTISTFETCH_BASE_URL, else https://itunes.apple.com/search)
  --entity ENTITY            entity to search for, ASCII letters only (default: album)
  --limit N                  results asked for per artist, 1 to 200 (default: 5)
  --sort ORDER               sort parameter sent to the API; '' sends none (default: recent)
  --country CC               two-letter store country (default: none sent, the API uses US)
  --match MODE               how a result's artist name must equal the NAME (default: exact)
                               exact   byte for byte, as Apple's classic tutorial compares
                               nocase  ignoring case (Unicode simple case folding), accents kept:
                                       'beyoncé' matches 'Beyoncé', 'beyonce' does not

Transfers:
  --sync                     one request at a time with curl_easy_perform, no event loop
  --compare                  run the lookups both ways (event loop and --sync) and compare them;
                             excludes --sync
  --concurrency N            requests in flight at once, 1 to 10000 (default: 50)
  --threads N                event loops side by side, 1 to 64, each on a thread of its own with
                             its own connections and a share of --concurrency; at most one per
                             16 names, and a rate limit always runs on one loop (default: one
                             per CPU core, at most 4, for an http:// URL; 1 for https://, where
                             HTTP/2 carries every request on one connection)
  --timeout SECONDS          limit for a whole request, 0.001 to 86400 (default: 30)
  --connect-timeout SECONDS  limit for connecting, 0.001 to 86400 (default: 10)
  --stall-timeout SECONDS    give up on a transfer slower than 100 bytes/s for this long,
                             1 to 86400 (default: 10)
  --cacert FILE              CA certificates to verify the server with (default: the system's)

Faults and limits:
  --retries N                retries per artist after the first request, 0 to 100 (default: 3)
  --retry-on CODES           HTTP statuses worth a retry, comma-separated, 100 to 599; replaces
                             the default list; '' retries none
                             (default: 408,429,500,502,503,504, plus 403 for itunes.apple.com)
  --backoff-base SECONDS     delay before the first retry, doubled for each later one (default: 0.5)
  --backoff-cap SECONDS      longest delay between retries, at least --backoff-base (default: 30)
  --max-retry-after SECONDS  longest Retry-After from the server that is honoured (default: 60)
  --rate RATE                most requests started per minute: N/min, N/s, or a plain N per
                             minute; 0 or 'unlimited' for no limit
                             (default: Apple's ~20/min for itunes.apple.com, else unlimited)
  --max-body BYTES           largest response body accepted, at least 1024; suffixes K, M and G
                             mean KiB, MiB and GiB (default: 8M)

Cache (off unless a directory is given; --sync and --compare never read or write it):
  --cache-dir DIR            keep successful answers in DIR, created if missing, and answer an
                             artist from a fresh entry without any request (Apple asks clients
                             to cache); such a record has "attempts":0; throttling answers and
                             errors are never kept (default: $ARTISTFETCH_CACHE_DIR, else none)
  --cache-ttl DURATION       how long an entry stays fresh: seconds, or a number with the
                             suffix s, m, h or d; 0 refetches every time but still stores
                             (default: 24h)

Output:
  --format FORMAT            ndjson, json or table (default: table on a terminal, else ndjson)
                               ndjson  one JSON object per artist and line, in input order
                               json    one document: {"artists":[...]}
                               table   aligned columns ARTIST, ALBUM, RELEASED, TRACKS, GENRE
                             An artist whose results hold no match gets "suggestions", the
                             closest artist names ignoring case and accents (in the table:
                             no exact match; did you mean "..."?)
  --stream                   print each ndjson record as soon as its artist finishes, in
                             completion order, instead of all in input order at the end;
                             ndjson only; excludes --compare
  --color[=WHEN]             colours in the table: auto (only when stdout is a terminal and
                             NO_COLOR is unset or empty), always or never; --color alone means
                             always (default: auto)

Progress and diagnostics (all on stderr):
  --progress                 a progress bar (done/total, failures, requests per second, ETA),
                             redrawn in place and erased at the end; only ever drawn when stderr
                             is a terminal, where it is the default unless --quiet
  --no-progress              no progress bar
  -q, --quiet                no progress bar (unless --progress) and no warnings; --stats,
                             --timeline and the --compare timing table still print
  --stats[=FORMAT]           after the run: requests, retries, bytes, connections opened and
                             reused, HTTP versions, latency p50/p90/p99/max of DNS, connect, TLS,
                             first byte and total, the slowest artists; FORMAT is text (the
                             default) or json (one JSON object); both runs with --compare
  --timeline                 after the run: a waterfall of every request (waiting for the first
                             byte, then transferring) on one time axis, a retry on a row of its
                             own; with --compare, the sync run above the async run, same scale
  --timeline-svg FILE        the same waterfall as an SVG image written to FILE

Other:
  -h, --help                 print this help and exit
  -V, --version              print the version and exit

Exit status:
  0    every artist was looked up (an artist with no exact match counts as looked up)
  1    at least one artist failed
  2    usage error
  130  interrupted by SIGINT
  143  terminated by SIGTERM

Environment:
  ARTISTFETCH_BASE_URL       search endpoint used when --base-url is not given
  NO_COLOR                   set and not empty: no colours unless --color=always
  ARTISTFETCH_CACHE_DIR      cache directory used when --cache-dir is not given
)";
}

}  // namespace cli
