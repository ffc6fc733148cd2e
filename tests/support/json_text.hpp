// Test support shared by the unit tests and the fuzz targets (header-only: the fuzz targets link no support).
#pragma once

#include <string_view>

namespace test_support {

// True when `json` has whitespace between its tokens, i.e. outside its strings.
inline bool has_space_outside_strings(std::string_view json) {
  bool in_string = false;
  bool escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      return true;
    }
  }
  return false;
}

}  // namespace test_support
