// Test support: the command-line parser run in-process, as main() runs it.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"

namespace test_support {

// Runs parse_options on "artistfetch" followed by `arguments`, with `standard_input` behind "--input -".
cli::parse_outcome parse(std::vector<std::string> arguments, const char *environment_base_url = nullptr,
                         const std::string &standard_input = "");

// Checks that `outcome` is a usage error saying exactly `expected_message`.
void check_usage_error(const cli::parse_outcome &outcome, const std::string &expected_message);

}  // namespace test_support
