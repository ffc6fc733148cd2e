#include "cli/option_table.hpp"

namespace cli {

const std::vector<option_spec> &option_table() {
  using v = value_kind;
  using c = completion_kind;
  // clang-format off
  static const std::vector<option_spec> table = {
      // Input
      {option_id::input, "--input", "", v::required, "FILE", "", c::file, {}, "Input",
       "read more names from FILE, one per line ('-' for standard input)",
       "blank lines and UTF-8 byte order marks are skipped; may be given more than once; FILE must be a regular file (a FIFO or a device "
       "could block: give it as standard input)"},
      {option_id::end_of_options, "--", "", v::none, "", "", c::nothing, {}, "Input",
       "end of options: every later argument is a name",
       ""},

      // Query
      {option_id::base_url, "--base-url", "", v::required, "URL", "", c::nothing, {}, "Query",
       "search endpoint, http:// or https://",
       "with a host and a valid port, no fragment and no term parameter of its own (other query parameters are "
       "kept) (default: $ARTISTFETCH_BASE_URL, else https://itunes.apple.com/search)"},
      {option_id::entity, "--entity", "", v::required, "ENTITY", "", c::nothing, {}, "Query",
       "entity to search for, ASCII letters only, such as album or musicTrack",
       "(default: album)"},
      {option_id::limit, "--limit", "", v::required, "N", "", c::nothing, {}, "Query",
       "results asked for per artist, 1 to 200",
       "(default: 5)"},
      {option_id::sort, "--sort", "", v::required, "ORDER", "", c::nothing, {}, "Query",
       "sort parameter sent to the API; '' sends none",
       "(default: recent)"},
      {option_id::country, "--country", "", v::required, "CC", "", c::nothing, {}, "Query",
       "two-letter store country",
       "(default: none sent, the API uses US)"},
      {option_id::match, "--match", "", v::required, "MODE", "", c::choices,
       {{"exact", "canonically equivalent: both names compared in Unicode NFC, so 'José' typed as e + "
                  "U+0301 (macOS, file names) finds Apple's precomposed 'José'"},
        {"bytes", "byte for byte, as Apple's classic tutorial compares"},
        {"nocase", "NFKC with case folding: 'beyoncé' matches 'BEYONCÉ' and 'Straße' 'STRASSE', a no-break "
                   "space equals a space and zero-width characters are ignored; accents still count "
                   "('beyonce' does not match); the table shows the artist name as Apple wrote it"}},
       "Query",
       "how a result's artist name must equal the NAME",
       "(default: exact)"},

      // Transfers
      {option_id::sync, "--sync", "", v::none, "", "", c::nothing, {}, "Transfers",
       "one request at a time with curl_easy_perform, no event loop",
       ""},
      {option_id::compare, "--compare", "", v::none, "", "", c::nothing, {}, "Transfers",
       "run the lookups both ways (event loop and --sync) and compare them",
       "the report once on standard output, a timing table on standard error; excludes --sync"},
      {option_id::concurrency, "--concurrency", "", v::required, "N", "", c::nothing, {}, "Transfers",
       "requests in flight at once, 1 to 10000",
       "capped, with a warning, at what the open-file limit allows once raised to its hard value (default: "
       "50)"},
      {option_id::threads, "--threads", "", v::required, "N", "", c::nothing, {}, "Transfers",
       "event loops side by side, 1 to 64, each on a thread of its own with its own connections and a share "
       "of --concurrency",
       "at most one per 16 names, and a rate limit always runs on one loop (default: one per CPU core, at "
       "most 4, for an http:// URL; 1 for https://, where HTTP/2 carries every request on one connection)"},
      {option_id::timeout, "--timeout", "", v::required, "SECONDS", "", c::nothing, {}, "Transfers",
       "limit for a whole request, 0.001 to 86400",
       "(default: 30)"},
      {option_id::connect_timeout, "--connect-timeout", "", v::required, "SECONDS", "", c::nothing, {},
       "Transfers",
       "limit for connecting, 0.001 to 86400",
       "(default: 10)"},
      {option_id::stall_timeout, "--stall-timeout", "", v::required, "SECONDS", "", c::nothing, {},
       "Transfers",
       "give up on a transfer slower than 100 bytes/s for this long, 1 to 86400",
       "(default: 10)"},
      {option_id::cacert, "--cacert", "", v::required, "FILE", "", c::file, {}, "Transfers",
       "CA certificates to verify the server with; TLS verification is always on",
       "a regular file, never a FIFO or a device (default: the system's)"},

      // Faults and limits
      {option_id::retries, "--retries", "", v::required, "N", "", c::nothing, {}, "Faults and limits",
       "retries per artist after the first request, 0 to 100",
       "a request the server never processed (it died on a reused connection before any answer, or was "
       "above an HTTP/2 GOAWAY) is sent again at once, up to 16 times, and is not counted (default: 3)"},
      {option_id::retry_on, "--retry-on", "", v::required, "CODES", "", c::nothing, {}, "Faults and limits",
       "HTTP statuses worth a retry, comma-separated, 100 to 599",
       "replaces the default list; '' retries none (default: 408,429,500,502,503,504, plus 403 for "
       "itunes.apple.com)"},
      {option_id::backoff_base, "--backoff-base", "", v::required, "SECONDS", "", c::nothing, {}, "Faults "
                                                                                                  "and "
                                                                                                  "limits",
       "delay before the first retry, doubled for each later one",
       "(default: 0.5)"},
      {option_id::backoff_cap, "--backoff-cap", "", v::required, "SECONDS", "", c::nothing, {}, "Faults and "
                                                                                                "limits",
       "longest delay between retries, at least --backoff-base",
       "(default: 30)"},
      {option_id::max_retry_after, "--max-retry-after", "", v::required, "SECONDS", "", c::nothing, {},
       "Faults and limits",
       "longest Retry-After from the server that is honoured",
       "(default: 60)"},
      {option_id::max_throttled, "--max-throttled", "", v::required, "SECONDS", "", c::nothing, {},
       "Faults and limits",
       "give up once every answer for this long said to slow down, 0 for never",
       "403, 429 or any Retry-After, with no other answer between; the artists not yet done end as errors "
       "saying the server kept throttling (default: 90)"},
      {option_id::rate, "--rate", "", v::required, "RATE", "", c::nothing, {}, "Faults and limits",
       "most requests started per minute: N/min, N/s, or a plain N per minute",
       "0 or 'unlimited' for no limit (default: Apple's ~20/min for itunes.apple.com, else unlimited)"},
      {option_id::max_body, "--max-body", "", v::required, "BYTES", "", c::nothing, {}, "Faults and limits",
       "largest response body accepted, at least 1024",
       "suffixes K, M and G mean KiB, MiB and GiB (default: 8M)"},

      // Cache
      {option_id::cache_dir, "--cache-dir", "", v::required, "DIR", "", c::directory, {}, "Cache",
       "keep successful answers in DIR, created if missing, and answer an artist from a fresh entry without "
       "any request (Apple asks clients to cache)",
       "such a record has \"attempts\":0; throttling answers and errors are never kept; --sync and "
       "--compare never read or write it; as ssh does, a DIR that other users can write is not used and an "
       "entry that is not the user's own regular file is refetched (default: $ARTISTFETCH_CACHE_DIR, else "
       "none)"},
      {option_id::cache_ttl, "--cache-ttl", "", v::required, "DURATION", "", c::nothing, {}, "Cache",
       "how long an entry stays fresh: seconds, or a number with the suffix s, m, h or d",
       "0 refetches every time but still stores (default: 24h)"},
      {option_id::no_cache, "--no-cache", "", v::none, "", "", c::nothing, {}, "Cache",
       "no cache for this run: neither read nor written, whatever $ARTISTFETCH_CACHE_DIR says",
       "the later of --cache-dir and --no-cache wins"},

      // Output
      {option_id::format, "--format", "", v::required, "FORMAT", "", c::choices,
       {{"ndjson", "one JSON object per artist and line, in input order"},
        {"json", "one document: {\"artists\":[...]}"},
        {"table", "aligned columns that fit the kind of results, within the terminal's width"}},
       "Output",
       "output format",
       "every ok record has \"result_count\", the number of results the server sent; an artist whose results "
       "hold no match gets \"suggestions\", the closest artist names ignoring case and accents, and "
       "\"suggestion_notes\", how each differs (\"differs only by U+00A0 NO-BREAK SPACE\"); in the table: no "
       "exact match; did you mean \"...\"?, and when the page was full (as many results as --limit): no "
       "match in the first N results; a larger --limit may find it (default: table on a terminal, else "
       "ndjson)"},
      {option_id::stream, "--stream", "", v::none, "", "", c::nothing, {}, "Output",
       "print each ndjson record as soon as its artist finishes, in completion order",
       "instead of all in input order at the end; ndjson only; excludes --compare"},
      {option_id::color, "--color", "", v::optional, "WHEN", "always", c::choices,
       {{"auto", ""},
        {"always", ""},
        {"never", ""}},
       "Output",
       "colors in the table: auto (only when stdout is a terminal and NO_COLOR is unset or empty), always "
       "or never",
       "--color alone means always; WHEN must be attached: --color=never, since \"--color never\" is refused "
       "rather than read as a name (default: auto)"},

      // Progress and diagnostics
      {option_id::progress, "--progress", "", v::none, "", "", c::nothing, {}, "Progress and diagnostics",
       "a progress bar on stderr (done/total, failures, requests per second, ETA), redrawn in place and "
       "erased at the end",
       "only ever drawn when stderr is a terminal, where it is the default unless --quiet"},
      {option_id::no_progress, "--no-progress", "", v::none, "", "", c::nothing, {}, "Progress and "
                                                                                     "diagnostics",
       "no progress bar",
       ""},
      {option_id::quiet, "--quiet", "-q", v::none, "", "", c::nothing, {}, "Progress and diagnostics",
       "no progress bar (unless --progress), no warnings, no closing count of failed artists",
       "errors, --stats, --timeline and the --compare timing table still print"},
      {option_id::stats, "--stats", "", v::optional, "FORMAT", "text", c::choices,
       {{"text", ""},
        {"json", ""}},
       "Progress and diagnostics",
       "after the run, on stderr: requests, retries, bytes, connections opened and reused, HTTP versions, "
       "latency p50/p90/p99/max of DNS, connect, TLS, first byte and total, the slowest artists",
       "FORMAT is text (the default) or json (one JSON object), attached: --stats=json (\"--stats json\" is "
       "refused rather than read as a name); both runs with --compare; retries are the attempts after an "
       "artist's first, while a request the server never processed and that was sent again is counted apart "
       "(\"N re-sent unprocessed\", json \"resent\"); an artist's time runs from its first request's start to "
       "its record, retries and Retry-After waits included"},
      {option_id::timeline, "--timeline", "", v::none, "", "", c::nothing, {}, "Progress and diagnostics",
       "after the run, on stderr: a waterfall of every request (waiting for the first byte, then "
       "transferring) on one time axis",
       "a retry on a row of its own; with --compare, the sync run above the async run, same scale; after the "
       "bar of a failed request, what went wrong: an HTTP status, or the error of a 200 whose transfer or "
       "body failed"},
      {option_id::timeline_svg, "--timeline-svg", "", v::required, "FILE", "", c::file, {}, "Progress and "
                                                                                            "diagnostics",
       "the same waterfall as an SVG image written to FILE",
       "failed requests in red (class \"request failed\"), with a legend and an axis in seconds since start; "
       "a FILE that cannot be written stops the run before any request"},

      // Other
      {option_id::help, "--help", "-h", v::none, "", "", c::nothing, {}, "Other",
       "print this help and exit",
       ""},
      {option_id::version, "--version", "-V", v::none, "", "", c::nothing, {}, "Other",
       "print the version and exit",
       ""},
  };
  // clang-format on
  return table;
}

const option_spec *find_option(std::string_view name) {
  if (name == "--") return nullptr;
  for (const option_spec &spec : option_table())
    if (spec.name == name || (!spec.short_name.empty() && spec.short_name == name)) return &spec;
  return nullptr;
}

}  // namespace cli
