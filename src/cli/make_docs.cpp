// make_docs: writes what the option table documents, for `make docs`.
//   make_docs man TEMPLATE    the man page, from its template (doc/artistfetch.1.in)
//   make_docs completion      the bash completion script
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/option_docs.hpp"

int main(int argc, char **argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  std::string out;
  if (what == "man" && argc == 3) {
    std::ifstream in(argv[2], std::ios::binary);
    std::ostringstream page_template;
    page_template << in.rdbuf();
    if (!in) {
      std::fprintf(stderr, "make_docs: cannot read %s\n", argv[2]);
      return 1;
    }
    out = cli::man_page(page_template.str());
  } else if (what == "completion" && argc == 2) {
    out = cli::completion_script();
  } else {
    std::fputs("usage: make_docs man TEMPLATE | make_docs completion\n", stderr);
    return 2;
  }
  return std::fwrite(out.data(), 1, out.size(), stdout) == out.size() && std::fflush(stdout) == 0 ? 0 : 1;
}
