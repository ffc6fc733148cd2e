// Test support: reading what a run produced, its output lines, its JSON records and its files.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace test_support {

// The lines of `text`, without their '\n'.
std::vector<std::string> lines_of(const std::string &text);

// One ndjson line parsed; fails the current test case unless it is a JSON object.
rapidjson::Document parse_line(const std::string &line);

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string &path);

// A file of tests/fixtures/, read from the repository root (the working directory, or $ARTISTFETCH_ROOT);
// fails the current test case when it cannot be read.
std::string read_fixture(const std::string &name);

// The names of the entries of `directory`, "." and ".." left out, sorted.
std::vector<std::string> files_in(const std::string &directory);

// A fresh directory under /tmp, removed with everything in it when the object goes.
class temp_dir {
 public:
  explicit temp_dir(const std::string &prefix = "artistfetch-test");
  ~temp_dir();
  temp_dir(const temp_dir &) = delete;
  temp_dir &operator=(const temp_dir &) = delete;

  const std::string &path() const { return path_; }
  std::string operator/(const std::string &name) const { return path_ + "/" + name; }
  // The names of the files in `directory` (default: this one), sorted.
  std::vector<std::string> files(const std::string &directory = {}) const {
    return files_in(directory.empty() ? path_ : directory);
  }

 private:
  std::string path_;
};

}  // namespace test_support
