// The command-line parser: arguments are names or options of the option table (option_table.hpp), whose
// values option_values.cpp checks. Pure except reading --input files and checking that --cacert is readable,
// so the parser can be unit-tested and fuzzed directly.
#include "cli/options.hpp"

#include <algorithm>
#include <iostream>
#include <istream>
#include <string_view>
#include <utility>

#include "cli/option_table.hpp"
#include "cli/option_values.hpp"
#include "itunes/matching.hpp"
#include "text/escape.hpp"

namespace cli {
namespace {

std::string quote_value(std::string_view text) {
  return text::quote(text, '\'');
}

// The option closest to an unknown `name` ("--lmit" -> "--limit"), or null when none is close: within a third
// of the name's length in edits (at least 2), or the only option that `name` begins.
const option_spec *closest_option(std::string_view name) {
  if (name.size() < 4) return nullptr;  // "-x" is as close to -q as to -h: no guess
  const option_spec *best = nullptr, *prefixed = nullptr;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  std::size_t prefix_count = 0;
  for (const option_spec &spec : option_table()) {
    for (const std::string_view candidate : {spec.name, spec.short_name}) {
      if (candidate.size() < 2 || candidate == "--") continue;
      const std::size_t distance = itunes::edit_distance(name, candidate, best_distance);
      if (distance < best_distance) {
        best_distance = distance;
        best = &spec;
      }
      if (candidate.rfind(name, 0) == 0) {
        ++prefix_count;
        prefixed = &spec;
      }
    }
  }
  if (best != nullptr) return best;
  return prefix_count == 1 ? prefixed : nullptr;
}

parse_outcome usage_error(std::string message) {
  parse_outcome outcome;
  outcome.kind = parse_outcome::usage_error;
  outcome.message = std::move(message);
  return outcome;
}

}  // namespace

parse_outcome parse_options(int argc, const char *const *argv, const char *environment_base_url) {
  return parse_options(argc, argv, environment_base_url, std::cin);
}

parse_outcome parse_options(int argc, const char *const *argv, const char *environment_base_url,
                            std::istream &standard_input) {
  option_values state;
  text::name_list names;
  bool options_ended = false;

  for (int index = 1; index < argc; ++index) {
    const std::string_view argument = argv[index] != nullptr ? argv[index] : "";
    const bool looks_like_option = !options_ended && argument.size() > 1 && argument.front() == '-';
    if (!looks_like_option) {
      if (is_blank(argument)) {
        return usage_error("argument " + std::to_string(index) + " " + text::quote(argument, '"') + ": " +
                           (argument.empty() ? "the name is empty" : "the name is blank"));
      }
      const std::string name(argument);
      const std::string problem = name_problem(name);
      if (!problem.empty()) {
        return usage_error("argument " + std::to_string(index) + " " + text::quote(argument, '"') + ": " +
                           problem);
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
    const option_spec *spec = find_option(flag_name);
    if (spec == nullptr) {
      const option_spec *closest = closest_option(flag_name);
      return usage_error("unknown option " + quote_value(flag_name) +
                         (closest != nullptr ? "; did you mean " + std::string(closest->name) + "?" : ""));
    }

    std::string_view value;
    if (spec->value != value_kind::required) {
      if (equals != std::string_view::npos && spec->value == value_kind::none) {
        return usage_error("option " + quote_value(flag_name) + " takes no value");
      }
      value = equals != std::string_view::npos ? argument.substr(equals + 1) : spec->implied;
      // "--stats json" would otherwise look up an artist called "json": refuse, and say how to write it.
      if (equals == std::string_view::npos && spec->value == value_kind::optional && index + 1 < argc &&
          argv[index + 1] != nullptr) {
        const std::string_view next = argv[index + 1];
        for (const option_choice &choice : spec->choices) {
          if (choice.value == next) {
            return usage_error("option " + quote_value(flag_name) + " takes its value attached: write " +
                               std::string(flag_name) + "=" + std::string(next) + " (or put -- before a name " +
                               quote_value(next) + ")");
          }
        }
      }
    } else if (equals != std::string_view::npos) {
      value = argument.substr(equals + 1);
    } else if (index + 1 < argc && argv[index + 1] != nullptr) {
      value = argv[++index];
    } else {
      return usage_error("option " + quote_value(flag_name) + " needs a value");
    }

    if (spec->id == option_id::help) {
      parse_outcome outcome;
      outcome.kind = parse_outcome::help;
      return outcome;
    }
    if (spec->id == option_id::version) {
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

  names.remove_duplicates();  // the first occurrence of each name stays
  opts.artists = std::move(names);

  parse_outcome outcome;
  outcome.opts = std::move(state.opts);
  return outcome;
}

}  // namespace cli
