// The value of each option: checked, converted and stored in `options`. A bad value is refused with the
// reason, which the parser prefixes with the option's name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/option_table.hpp"
#include "cli/options.hpp"

namespace cli {

// Plain decimal numbers only: no sign, no spaces, no exponent, no "nan" or "inf".
bool parse_integer(std::string_view text, long long &value);
bool parse_decimal(std::string_view text, double &value);

// A number of seconds for a message, without trailing zeros ("0.5", "30").
std::string format_seconds(double seconds);

// The parser's state between arguments.
struct option_values {
  options opts;
  bool base_url_given = false;
  std::vector<std::string> input_paths;

  // Stores `value` for option `id` (a switch gets its implied value or none). Returns an empty string, or
  // why the value is refused.
  std::string apply(option_id id, std::string_view value);

  // --base-url, also used for $ARTISTFETCH_BASE_URL.
  std::string set_base_url(std::string_view value);
};

}  // namespace cli
