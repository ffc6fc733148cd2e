// What the engine needs to know about a URL, read by libcurl's own parser (curl_url) so that it agrees with
// the transfers about every corner of the syntax.
#pragma once

#include <string>

namespace engine {

// The host of an http(s) URL, lowercased, without port, credentials or a final dot; an IPv6 literal keeps
// its brackets. Empty when `url` does not parse or has no host.
std::string url_host(const std::string &url);

// The scheme, lowercased ("http", "https"); empty when `url` does not parse.
std::string url_scheme(const std::string &url);

// Whether `url` is https (the scheme in any case, as --base-url accepts it).
bool is_https_url(const std::string &url);

// Empty when `url` can serve as the search endpoint, else why not, for "--base-url: 'URL' " to precede:
// "is not a valid URL (Port number was not a decimal number between 0 and 65535)", "has no host", "has a
// fragment (#...), which is never sent", "already has a term parameter (artistfetch adds the name as term)",
// "has unbalanced brackets". Other query parameters are fine: they are kept before term.
std::string search_endpoint_problem(const std::string &url);

// `url` without a user name, password or login options ("https://user:pass@host/x" gives
// "https://host/x"); `url` itself when it has none. For what is written to disk (the cache).
std::string without_credentials(const std::string &url);

// True for the real API's host, whose documented throttling changes the defaults (403 retried, 20 calls/min).
bool is_itunes_host(const std::string &url);

}  // namespace engine
