#include "cli/name_input.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>

#include "cli/user_files.hpp"
#include "text/escape.hpp"
#include "text/utf8.hpp"

namespace cli {
namespace {

constexpr std::size_t max_name_bytes = 1000;

std::string quote_value(std::string_view text) {
  return text::quote(text, '\'');
}

}  // namespace

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\v\f\r") == std::string_view::npos;
}

std::string name_problem(const std::string &name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > max_name_bytes) return "the name is longer than 1000 bytes";
  for (std::size_t at = 0; at < name.size();) {
    const text::utf8_step step = text::decode_utf8(name, at);
    if (!step.valid) return "invalid UTF-8 at byte " + std::to_string(at + 1);
    if (text::is_control(step.code_point)) {
      return "control character U+" + text::hex(step.code_point, 4) + " at byte " + std::to_string(at + 1);
    }
    at += step.length;
  }
  return {};
}

std::string read_name_lines(std::istream &in, const std::string &source, text::name_list &names) {
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
      // A byte order mark opens a file, or each of several files concatenated: never part of the name, and
      // removed before it could count toward the length limit.
      if (line.size() == 3 && line == "\xEF\xBB\xBF") line.clear();
    }
    if (too_long) {
      return label + std::to_string(line_number) + " " + text::quote(line, '"') +
             ": the name is longer than 1000 bytes";
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (at_end && line.empty()) break;
    if (is_blank(line)) continue;
    const std::string problem = name_problem(line);
    if (!problem.empty())
      return label + std::to_string(line_number) + " " + text::quote(line, '"') + ": " + problem;
    names.push_back(line);
  }
  if (at_end) in.setstate(std::ios::eofbit);
  return {};
}

std::string read_input_file(const std::string &path, std::istream &standard_input,
                            text::name_list &names) {
  if (path == "-") {
    std::string problem = read_name_lines(standard_input, "stdin", names);
    if (problem.empty() && standard_input.bad()) problem = "--input: error reading standard input";
    return problem;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return "--input: cannot open " + quote_value(path) + ": " + std::strerror(errno);
  const std::string not_regular = not_regular_file(info);
  // A FIFO or a device can still be given as standard input, where the shell does the blocking open.
  if (!not_regular.empty()) return "--input: cannot read " + quote_value(path) + ": " + not_regular;
  std::ifstream file(path, std::ios::binary);
  if (!file) return "--input: cannot open " + quote_value(path) + ": " + std::strerror(errno);
  std::string problem = read_name_lines(file, path, names);
  if (problem.empty() && file.bad()) problem = "--input: error reading " + quote_value(path);
  return problem;
}

}  // namespace cli
