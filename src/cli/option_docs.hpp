// What is written about the options, made from the option table: --help, the man page's OPTIONS section and
// the bash completion script. `make docs` writes the last two into doc/artistfetch.1 and
// scripts/artistfetch-completion.bash; a test checks that the committed files are current.
#pragma once

#include <string>
#include <string_view>

namespace cli {

// The --help text, every line at most 80 columns, ending with a newline.
std::string help_text();

// The man page: `page_template` (doc/artistfetch.1.in) with its "@OPTIONS@" line replaced by one entry per
// option, under a subsection per category, and a first line saying the file is generated.
std::string man_page(std::string_view page_template);

// The bash completion script: option names, the fixed values of options that have them, file names and
// directories where an option wants one, and nothing for artist names.
std::string completion_script();

}  // namespace cli
