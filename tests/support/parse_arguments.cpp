#include "parse_arguments.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace test_support {

cli::parse_outcome parse(std::vector<std::string> arguments, const char *environment_base_url,
                         const std::string &standard_input) {
  arguments.insert(arguments.begin(), "artistfetch");
  std::vector<const char *> argv;
  for (const std::string &argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  std::istringstream in(standard_input);
  return cli::parse_options(static_cast<int>(arguments.size()), argv.data(), environment_base_url, in);
}

void check_usage_error(const cli::parse_outcome &outcome, const std::string &expected_message) {
  CHECK(outcome.kind == cli::parse_outcome::usage_error);
  CHECK(outcome.message == expected_message);
}

}  // namespace test_support
