// `make install` and `make uninstall` into temporary prefixes, the shared library's interface, a C program
// built with pkg-config alone, and the agreement of --help with the man page and the bash completion script.
//
// make runs on the build directory of the artistfetch under test (ARTISTFETCH_BIN), so that the sanitized
// build installs its own files. The suite runs after the build (`make check` builds first), and installs what
// that build made without rebuilding it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/option_docs.hpp"
#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::lines_of;
using test_support::temp_dir;

namespace fs = std::filesystem;
using test_support::command_result;

bool sanitized() {
  const char *value = std::getenv("ARTISTFETCH_SANITIZED");
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

fs::path root_dir() {
  return fs::weakly_canonical(fs::absolute(test_support::project_root()));
}

// The directory of the artistfetch under test, relative to the project root when it lies inside it (the form
// the Makefile's own dependency files use).
std::string build_dir() {
  const fs::path build = fs::weakly_canonical(fs::absolute(test_support::program_path())).parent_path();
  const fs::path relative = build.lexically_relative(root_dir());
  if (!relative.empty() && *relative.begin() != "..") return relative.string();
  return build.string();
}

std::string read_file(const fs::path &path) { return test_support::read_file(path.string()); }


std::vector<std::string> words_of(const std::string &text) {
  std::vector<std::string> words;
  std::istringstream stream(text);
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

// Runs a program found through PATH (run_command itself wants a path).
command_result run_tool(const std::vector<std::string> &args, double timeout_s = 30,
                        const std::vector<std::string> &env = {}) {
  std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$@\"", "sh"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test_support::run_command(argv, "", timeout_s, env);
}

// UVCURL_VERSION_* and the names of the UVCURL_EXTERN functions, read from the public header.
struct header_facts {
  std::string major, version;
  std::set<std::string> functions;
};

header_facts read_header() {
  const std::string header = read_file(root_dir() / "include/uvcurl.h");
  header_facts facts;
  std::map<std::string, std::string> parts;
  for (const std::string &line : lines_of(header)) {
    const std::vector<std::string> words = words_of(line);
    if (words.size() >= 3 && words[0] == "#define" && words[1].rfind("UVCURL_VERSION_", 0) == 0)
      parts[words[1].substr(15)] = words[2];
    // UVCURL_EXTERN int uvcurl_init(uv_loop_t *loop, uvcurl_t **out);
    const std::size_t paren = line.find('(');
    if (line.rfind("UVCURL_EXTERN ", 0) != 0 || paren == std::string::npos) continue;
    const std::size_t start = line.find_last_of(" *", paren - 1) + 1;
    facts.functions.insert(line.substr(start, paren - start));
  }
  REQUIRE(parts.size() == 3);
  facts.major = parts["MAJOR"];
  facts.version = parts["MAJOR"] + "." + parts["MINOR"] + "." + parts["PATCH"];
  REQUIRE(facts.functions.count("uvcurl_init") == 1);
  REQUIRE(facts.functions.count("uvcurl_strerror") == 1);
  return facts;
}

// make in the project root on the build under test. The environment of an enclosing make (`make check`) is
// dropped, so that its jobserver and command-line variables do not leak in; SANITIZE follows the build. The
// build's outputs are installed as they are (-o): this suite runs after the build, and a make that recompiled
// here could outlast the watchdog, whose SIGKILL would leave a truncated binary behind.
command_result run_make(const header_facts &facts, const std::vector<std::string> &args) {
  const std::string build = build_dir();
  std::vector<std::string> argv{"make",
                                "--no-print-directory",
                                "-C",
                                root_dir().string(),
                                "BUILD=" + build,
                                std::string("SANITIZE=") + (sanitized() ? "1" : "")};
  for (const char *output : {"/artistfetch", "/libuvcurl.a", "/libuvcurl.so"}) {
    argv.push_back("-o");
    argv.push_back(build + output);
  }
  argv.insert(argv.end(),
              {"-o", build + "/libuvcurl.so." + facts.major, "-o", build + "/libuvcurl.so." + facts.version});
  argv.insert(argv.end(), args.begin(), args.end());
  command_result result =
      run_tool(argv, 55, {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "DESTDIR"});
  if (result.exit_code != 0) MESSAGE("make " << args.back() << " failed:\n" << result.out << result.err);
  return result;
}

// Every path `make install` creates under PREFIX, regular files then symlinks (with their targets).
std::vector<std::string> installed_files(const header_facts &facts) {
  return {"bin/artistfetch",
          "include/uvcurl.h",
          "lib/libuvcurl.a",
          "lib/libuvcurl.so." + facts.version,
          "lib/pkgconfig/uvcurl.pc",
          "share/man/man1/artistfetch.1",
          "share/man/man3/uvcurl.3",
          "share/bash-completion/completions/artistfetch"};
}
std::map<std::string, std::string> installed_links(const header_facts &facts) {
  return {{"lib/libuvcurl.so." + facts.major, "libuvcurl.so." + facts.version},
          {"lib/libuvcurl.so", "libuvcurl.so." + facts.major}};
}

// Everything but directories under `dir`, as paths relative to it.
std::set<std::string> files_under(const fs::path &dir) {
  std::set<std::string> found;
  for (const auto &entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_directory() || entry.is_symlink())
      found.insert(entry.path().lexically_relative(dir).string());
  }
  return found;
}

// Checks that exactly the files of `make install` are under `prefix`, with the right links and modes.
void check_installed(const fs::path &prefix, const header_facts &facts) {
  std::set<std::string> expected;
  for (const std::string &file : installed_files(facts)) {
    CAPTURE(file);
    expected.insert(file);
    CHECK(fs::is_regular_file(fs::symlink_status(prefix / file)));
  }
  for (const auto &[link, target] : installed_links(facts)) {
    CAPTURE(link);
    expected.insert(link);
    REQUIRE(fs::is_symlink(fs::symlink_status(prefix / link)));
    CHECK(fs::read_symlink(prefix / link).string() == target);
    CHECK(fs::exists(prefix / link));  // the chain resolves
  }
  CHECK(files_under(prefix) == expected);
  const auto executable = fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
  CHECK((fs::status(prefix / "bin/artistfetch").permissions() & executable) == executable);
  CHECK((fs::status(prefix / "include/uvcurl.h").permissions() & executable) == fs::perms::none);
  CHECK(read_file(prefix / "include/uvcurl.h") == read_file(root_dir() / "include/uvcurl.h"));
  CHECK(read_file(prefix / "share/man/man1/artistfetch.1") == read_file(root_dir() / "doc/artistfetch.1"));
  CHECK(read_file(prefix / "share/bash-completion/completions/artistfetch") ==
        read_file(root_dir() / "scripts/artistfetch-completion.bash"));
}

void check_uninstalled(const fs::path &prefix) {
  if (!fs::exists(prefix)) return;
  CHECK(files_under(prefix).empty());
}

// One option of --help: its names ("--format"; "-h" and "--help") and its value: none (--sync), required
// (--format FORMAT) or optional and attached only (--color[=WHEN]).
struct help_option {
  enum value_kind { no_value, required_value, optional_value };
  std::vector<std::string> names;
  value_kind value = no_value;
};

// The option lines of --help: indented a little (descriptions and their continuations are indented much
// more), starting with '-'; the option column ends at the first run of two spaces. A word after the names
// (FILE, N...) or "=VALUE" means the option needs a value, "[=VALUE]" that it may have one attached;
// "--[no-]x" stands for --x and --no-x.
std::vector<help_option> parse_help(const std::string &help) {
  std::vector<help_option> options;
  for (const std::string &line : lines_of(help)) {
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == 0 || indent == std::string::npos || indent > 6 || line[indent] != '-') continue;
    help_option option;
    for (std::string word : words_of(line.substr(indent, line.find("  ", indent) - indent))) {
      if (word.back() == ',') word.pop_back();
      if (word == "--") {
        option.names.push_back(word);
      } else if (word[0] == '-') {
        // -h, --input, --color=WHEN, --color[=WHEN], --[no-]progress
        const std::size_t dashes = word.rfind("--", 0) == 0 ? 2 : 1;
        const bool negatable = word.compare(dashes, 5, "[no-]") == 0;
        const std::size_t start = dashes + (negatable ? 5 : 0);
        const std::size_t end = std::min(word.find('=', start), word.find('[', start));
        const std::string base = word.substr(start, end - start);
        option.names.push_back(word.substr(0, dashes) + base);
        if (negatable) option.names.push_back(word.substr(0, dashes) + "no-" + base);
        if (end != std::string::npos)
          option.value = word[end] == '[' ? help_option::optional_value : help_option::required_value;
      } else if (!option.names.empty()) {
        option.value = help_option::required_value;  // a placeholder: FILE, N, SECONDS...
      }
    }
    if (!option.names.empty()) options.push_back(option);
  }
  return options;
}

// roff text with the escapes that matter here undone: \- is '-', \& and font changes (\fB, \f[CR]) vanish.
std::string plain_roff(const std::string &roff) {
  std::string text;
  for (std::size_t i = 0; i < roff.size(); ++i) {
    if (roff[i] != '\\' || i + 1 == roff.size()) {
      text += roff[i];
    } else if (roff[i + 1] == '-') {
      text += '-';
      ++i;
    } else if (roff[i + 1] == '&') {
      ++i;
    } else if (roff[i + 1] == 'f' && i + 2 < roff.size()) {
      i = roff[i + 2] == '[' ? roff.find(']', i) : i + 2;
      if (i == std::string::npos) break;
    } else {
      text += roff[i];
    }
  }
  return text;
}

// The lines of one man page section (.SH NAME up to the next .SH).
std::vector<std::string> man_section(const std::string &plain, const std::string &title) {
  std::vector<std::string> section;
  bool inside = false;
  for (const std::string &line : lines_of(plain)) {
    if (line.rfind(".SH", 0) == 0) {
      std::string heading = line.substr(3);
      heading.erase(0, heading.find_first_not_of(" \""));
      heading.erase(heading.find_last_not_of(" \"") + 1);
      inside = heading == title;
    } else if (inside) {
      section.push_back(line);
    }
  }
  return section;
}

// The tags of the .TP entries of a man page section: the option names of "-h, --help" or "--input file",
// the numbers of EXIT STATUS, the variables of ENVIRONMENT.
std::set<std::string> man_tags(const std::vector<std::string> &section, bool options_only) {
  std::set<std::string> tags;
  for (std::size_t i = 0; i + 1 < section.size(); ++i) {
    if (section[i] != ".TP") continue;
    std::string tag = section[i + 1];
    if (tag.rfind(".", 0) == 0) tag = tag.substr(tag.find(' ') + 1);  // .B, .BI, .BR
    for (char &c : tag)
      if (c == '"' || c == ',' || c == '|') c = ' ';
    for (const std::string &word : words_of(tag)) {
      if (options_only && word[0] != '-') break;  // "--input" " file": the argument follows the names
      tags.insert(word);
      if (!options_only) break;
    }
  }
  return tags;
}

// The words of `local NAME="..."` in the completion script.
std::vector<std::string> completion_list(const std::string &script, const std::string &variable) {
  const std::string opening = "local " + variable + "=\"";
  const std::size_t start = script.find(opening);
  REQUIRE_MESSAGE(start != std::string::npos, "no " << opening << " in the completion script");
  const std::size_t end = script.find('"', start + opening.size());
  REQUIRE(end != std::string::npos);
  return words_of(script.substr(start + opening.size(), end - start - opening.size()));
}

// "missing: a b; extra: c" between what --help says (`want`) and what a file has (`got`).
std::string mismatch(const std::set<std::string> &want, const std::set<std::string> &got) {
  std::string missing, extra;
  for (const std::string &word : want)
    if (got.count(word) == 0) missing += " " + word;
  for (const std::string &word : got)
    if (want.count(word) == 0) extra += " " + word;
  return "missing:" + (missing.empty() ? " none" : missing) +
         "; not in --help:" + (extra.empty() ? " none" : extra);
}

std::string help_text() {
  command_result help = test_support::run_artistfetch({"--help"});
  REQUIRE(help.exit_code == 0);
  return help.out;
}

}  // namespace

TEST_SUITE("install") {
  TEST_CASE("make install with DESTDIR stages every file, and make uninstall removes them") {
    const header_facts facts = read_header();
    temp_dir stage("artistfetch-install");
    REQUIRE(run_make(facts, {"DESTDIR=" + stage.path(), "PREFIX=/usr/local", "install"}).exit_code ==
            0);
    const fs::path prefix = fs::path(stage.path()) / "usr/local";
    check_installed(prefix, facts);

    // The shared library: its SONAME, and the public functions as its whole interface.
    const fs::path library = prefix / ("lib/libuvcurl.so." + facts.version);
    command_result dynamic = run_tool({"readelf", "-d", library.string()});
    REQUIRE(dynamic.exit_code == 0);
    CHECK(dynamic.out.find("Library soname: [libuvcurl.so." + facts.major + "]") != std::string::npos);
    command_result symbols = run_tool({"nm", "-D", "--defined-only", library.string()});
    REQUIRE(symbols.exit_code == 0);
    std::set<std::string> exported;
    for (const std::string &line : lines_of(symbols.out)) {
      const std::vector<std::string> fields = words_of(line);
      if (!fields.empty()) exported.insert(fields.back());
    }
    CHECK_MESSAGE(exported == facts.functions,
                  "exported by the .so: " << mismatch(facts.functions, exported));

    const std::string pc = read_file(prefix / "lib/pkgconfig/uvcurl.pc");
    CHECK(pc.find("prefix=/usr/local\n") != std::string::npos);
    CHECK(pc.find("Version: " + facts.version + "\n") != std::string::npos);
    CHECK(pc.find("Requires: libuv libcurl\n") != std::string::npos);

    command_result version = test_support::run_command({(prefix / "bin/artistfetch").string(), "--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind("artistfetch ", 0) == 0);  // artistfetch and uvcurl are versioned apart

    REQUIRE(
        run_make(facts, {"DESTDIR=" + stage.path(), "PREFIX=/usr/local", "uninstall"}).exit_code ==
        0);
    check_uninstalled(prefix);
  }

  TEST_CASE("a C program builds with pkg-config alone against an installed prefix and runs") {
    const header_facts facts = read_header();
    temp_dir scratch("artistfetch-install");
    const fs::path prefix = fs::path(scratch.path()) / "prefix";
    REQUIRE(run_make(facts, {"PREFIX=" + prefix.string(), "install"}).exit_code == 0);
    check_installed(prefix, facts);

    if (sanitized()) {
      // This libuvcurl.so is built with ASan, which a program linked without -fsanitize=address cannot load.
      MESSAGE("sanitized build: the pkg-config build of examples/embed.c is skipped");
    } else {
      const std::string pkg_config_path = "PKG_CONFIG_PATH=" + (prefix / "lib/pkgconfig").string();
      command_result flags = run_tool({"pkg-config", "--cflags", "--libs", "uvcurl"}, 30, {pkg_config_path});
      REQUIRE(flags.exit_code == 0);
      CHECK(flags.out.find("-I" + (prefix / "include").string()) != std::string::npos);
      CHECK(flags.out.find("-L" + (prefix / "lib").string()) != std::string::npos);

      const fs::path program = fs::path(scratch.path()) / "embed";
      command_result compile = test_support::run_command(
          {"/bin/sh", "-c", "exec cc -std=c99 \"$1\" $(pkg-config --cflags --libs uvcurl) -o \"$2\"", "sh",
           (root_dir() / "examples/embed.c").string(), program.string()},
          "", 55, {pkg_config_path});
      INFO(compile.err);
      REQUIRE(compile.exit_code == 0);
      command_result needed = run_tool({"readelf", "-d", program.string()});
      CHECK(needed.out.find("Shared library: [libuvcurl.so." + facts.major + "]") != std::string::npos);

      test_support::fixture_server server;
      command_result run = test_support::run_command({program.string(), server.base_url(), "Lorde"}, "", 30,
                                                     {"LD_LIBRARY_PATH=" + (prefix / "lib").string()});
      INFO(run.out << run.err);
      CHECK(run.exit_code == 0);
      CHECK(run.out.find("Lorde: HTTP 200") != std::string::npos);
      CHECK(run.out.find("uv_loop_close: 0") != std::string::npos);
    }

    REQUIRE(run_make(facts, {"PREFIX=" + prefix.string(), "uninstall"}).exit_code == 0);
    check_uninstalled(prefix);
  }

  TEST_CASE("every option of --help is in the man page and in the completion script, and only those") {
    const std::vector<help_option> help = parse_help(help_text());
    REQUIRE(help.size() >= 20);
    std::set<std::string> help_names, help_with_value, help_with_optional_value;
    for (const help_option &option : help) {
      for (const std::string &name : option.names) {
        help_names.insert(name);
        if (option.value == help_option::required_value) help_with_value.insert(name);
        if (option.value == help_option::optional_value) help_with_optional_value.insert(name);
      }
    }
    REQUIRE(help_names.count("--format") == 1);
    REQUIRE(help_with_value.count("--format") == 1);
    REQUIRE(help_names.count("-h") == 1);
    REQUIRE(help_with_value.count("--sync") == 0);

    // The man page: one .TP entry per option under OPTIONS, none for an option --help does not list.
    const std::string man = plain_roff(read_file(root_dir() / "doc/artistfetch.1"));
    const std::set<std::string> man_options = man_tags(man_section(man, "OPTIONS"), true);
    CHECK_MESSAGE(man_options == help_names, "man page OPTIONS: " << mismatch(help_names, man_options));

    // The completion script: every option, and the ones taking a value, exactly.
    const std::string script = read_file(root_dir() / "scripts/artistfetch-completion.bash");
    std::set<std::string> completed, completed_with_value, completed_with_optional_value;
    for (const std::string &word : completion_list(script, "options")) completed.insert(word);
    for (const std::string &word : completion_list(script, "with_value")) completed_with_value.insert(word);
    for (const std::string &word : completion_list(script, "with_optional_value"))
      completed_with_optional_value.insert(word);
    std::set<std::string> help_without_end = help_names;
    help_without_end.erase("--");
    CHECK_MESSAGE(completed == help_without_end,
                  "completion options: " << mismatch(help_without_end, completed));
    CHECK_MESSAGE(completed_with_value == help_with_value,
                  "completion with_value: " << mismatch(help_with_value, completed_with_value));
    CHECK_MESSAGE(completed_with_optional_value == help_with_optional_value,
                  "completion with_optional_value: " << mismatch(help_with_optional_value,
                                                                 completed_with_optional_value));
  }

  TEST_CASE("the committed man page and completion script are what the option table gives (make docs)") {
    const std::string page_template = read_file(root_dir() / "doc/artistfetch.1.in");
    const std::string man = read_file(root_dir() / "doc/artistfetch.1");
    const std::string completion = read_file(root_dir() / "scripts/artistfetch-completion.bash");
    CHECK_MESSAGE(man == cli::man_page(page_template), "doc/artistfetch.1 is out of date: run make docs");
    CHECK_MESSAGE(completion == cli::completion_script(),
                  "scripts/artistfetch-completion.bash is out of date: run make docs");
    CHECK(man.rfind(".\\\" generated by `make docs`", 0) == 0);
    CHECK(completion.find("generated by `make docs`") < completion.find('\n'));
  }

  TEST_CASE("the man page has the exit statuses and environment variables of --help") {
    const std::string help = help_text();
    std::set<std::string> statuses, variables;
    std::string heading;
    for (const std::string &line : lines_of(help)) {
      if (!line.empty() && line[0] != ' ') heading = line;
      const std::vector<std::string> words = words_of(line);
      if (words.empty() || line[0] != ' ' || line.find_first_not_of(' ') > 6) continue;
      if (heading == "Exit status:") statuses.insert(words[0]);
      if (heading == "Environment:") variables.insert(words[0]);
    }
    REQUIRE(statuses.count("0") == 1);
    REQUIRE(statuses.count("2") == 1);
    const std::string man = plain_roff(read_file(root_dir() / "doc/artistfetch.1"));
    const std::set<std::string> man_statuses = man_tags(man_section(man, "EXIT STATUS"), false);
    const std::set<std::string> man_variables = man_tags(man_section(man, "ENVIRONMENT"), false);
    CHECK_MESSAGE(man_statuses == statuses, "man page EXIT STATUS: " << mismatch(statuses, man_statuses));
    CHECK_MESSAGE(man_variables == variables, "man page ENVIRONMENT: " << mismatch(variables, man_variables));
  }

  TEST_CASE("the exit status of a --compare mismatch is documented in --help, the man page and README") {
    const std::string help = help_text();
    const std::string exit_part = help.substr(help.find("Exit status:"));
    CHECK(exit_part.substr(0, exit_part.find("\n  2 ")).find("--compare") != std::string::npos);
    const std::string man = plain_roff(read_file(root_dir() / "doc/artistfetch.1"));
    std::string man_exit;
    for (const std::string &line : man_section(man, "EXIT STATUS")) man_exit += line + "\n";
    CHECK(man_exit.find("--compare") != std::string::npos);
    const std::string readme = read_file(root_dir() / "README.md");
    const std::size_t table = readme.find("### Exit status");
    REQUIRE(table != std::string::npos);
    const std::string row = readme.substr(readme.find("| 1 |", table), 200);
    CHECK(row.find("`--compare`") != std::string::npos);
  }

  TEST_CASE("the completion script offers options, fixed values and nothing after --") {
    // Completes the words `line` (the last one being completed) with the script's function, in plain bash.
    auto complete = [](const std::string &line) {
      const std::string script = (root_dir() / "scripts/artistfetch-completion.bash").string();
      command_result result = test_support::run_command(
          {"/bin/bash", "--norc", "--noprofile", "-c",
           "source \"$1\" || exit 1; read -r -a COMP_WORDS <<<\"$2\"; [[ $2 == *' ' ]] && COMP_WORDS+=('');"
           " COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _artistfetch; printf '%s\\n' \"${COMPREPLY[@]}\"",
           "bash", script, line});
      REQUIRE(result.exit_code == 0);
      std::set<std::string> words;
      for (const std::string &word : lines_of(result.out))
        if (!word.empty()) words.insert(word);
      return words;
    };
    CHECK(complete("artistfetch --form") == std::set<std::string>{"--format"});
    CHECK(complete("artistfetch --format ") == std::set<std::string>{"ndjson", "json", "table"});
    CHECK(complete("artistfetch --format j") == std::set<std::string>{"json"});
    CHECK(complete("artistfetch --limit ").empty());
    CHECK(complete("artistfetch --format=j") == std::set<std::string>{"json"});
    CHECK(complete("artistfetch --color = n") == std::set<std::string>{"never"});  // bash splits at '='
    CHECK(complete("artistfetch --color ").empty());  // a name follows: the value only comes attached
    CHECK(complete("artistfetch Lorde --sy") == std::set<std::string>{"--sync"});
    CHECK(complete("artistfetch -- --sy").empty());
    CHECK(complete("artistfetch Lor").empty());
  }
}
