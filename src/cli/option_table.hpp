// The one description of every command-line option. The parser, --help, the man page's OPTIONS section
// and the bash completion are all made from this table (src/cli/option_docs.hpp, `make docs`), so an option
// is added, renamed or explained here and nowhere else.
#pragma once

#include <string_view>
#include <vector>

namespace cli {

enum class option_id {
  input,
  end_of_options,
  base_url,
  entity,
  limit,
  sort,
  country,
  match,
  sync,
  compare,
  concurrency,
  threads,
  timeout,
  connect_timeout,
  stall_timeout,
  cacert,
  retries,
  retry_on,
  backoff_base,
  backoff_cap,
  max_retry_after,
  max_throttled,
  rate,
  max_body,
  cache_dir,
  cache_ttl,
  no_cache,
  format,
  stream,
  color,
  progress,
  no_progress,
  quiet,
  stats,
  timeline,
  timeline_svg,
  help,
  version,
};

enum class value_kind {
  none,      // a switch: --sync
  required,  // --limit N or --limit=N
  optional,  // attached only: --color or --color=never; "--color never" is refused, never read as a name
};

// What the shell may offer as the value.
enum class completion_kind { nothing, choices, file, directory };

struct option_choice {
  std::string_view value;
  std::string_view help;  // empty: the choice is only listed
};

struct option_spec {
  option_id id;
  std::string_view name;        // "--limit"; "--" for the end of options
  std::string_view short_name;  // "-q", or empty
  value_kind value;
  std::string_view metavar;  // "N", "FILE"; empty for a switch
  std::string_view implied;  // value_kind::optional: the value meant when none is attached
  completion_kind completion;
  std::vector<option_choice> choices;  // the accepted values, when they are a fixed list
  std::string_view category;           // the --help heading and the man page subsection
  std::string_view summary;            // one line: what the option does
  std::string_view details;            // more sentences, or empty; the default last, as "(default: ...)"
};

// Every option, in the order --help lists them; the categories follow one another.
const std::vector<option_spec> &option_table();

// The option called `name` ("--limit" or "-q"), or null.
const option_spec *find_option(std::string_view name);

}  // namespace cli
