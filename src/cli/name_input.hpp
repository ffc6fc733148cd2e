// Artist names from the command line and from --input files: what makes a name acceptable, and reading
// them one per line.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "text/name_list.hpp"

namespace cli {

// Checks one artist name: non-empty, at most 1,000 bytes, valid UTF-8, no control characters.
// Returns an empty string when fine, else the reason.
std::string name_problem(const std::string &name);

// Nothing but spaces and tabs (or nothing at all).
bool is_blank(std::string_view text);

// Reads names from `in`, one per line: a UTF-8 byte order mark at the start of any line (not only the first:
// files concatenated) and a trailing "\r" are removed, blank
// and whitespace-only lines are skipped, every other line goes through name_problem(). Appends the names to
// `names` in order, duplicates included. Returns an empty string on success, else a message naming `source`
// and the line ("names.txt line 7: ...") and stops there. A line longer than any valid name is rejected
// without reading the rest of it, so an endless line cannot exhaust memory.
std::string read_name_lines(std::istream &in, const std::string &source, text::name_list &names);

// The names of one --input: `path` is a file, or "-" for `standard_input`. Returns an empty string, or a
// message naming the file and what is wrong.
std::string read_input_file(const std::string &path, std::istream &standard_input,
                            text::name_list &names);

}  // namespace cli
