// Tests of scripts/fixture-server and of the C++ harness in tests/support.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/fixture_server.hpp"

using test_support::command_result;
using test_support::fixture_server;
using test_support::http_get;
using test_support::http_response;
using test_support::run_command;
using test_support::url_encode;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Every field of album-sample.json's results; "Various Artists" lacks artistViewUrl.
const char *const album_fields[] = {"wrapperType",
                                    "collectionType",
                                    "artistId",
                                    "collectionId",
                                    "artistName",
                                    "collectionName",
                                    "collectionCensoredName",
                                    "artistViewUrl",
                                    "collectionViewUrl",
                                    "artworkUrl60",
                                    "artworkUrl100",
                                    "collectionPrice",
                                    "collectionExplicitness",
                                    "trackCount",
                                    "copyright",
                                    "country",
                                    "currency",
                                    "releaseDate",
                                    "primaryGenreName"};

std::string search_path(const std::string &term, int limit = 50) {
  return "/search?term=" + url_encode(term) + "&entity=album&limit=" + std::to_string(limit) + "&sort=recent";
}

std::string search_url(const fixture_server &server, const std::string &term, int limit = 50) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + search_path(term, limit);
}

rapidjson::Document parse_json(const std::string &body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  return doc;
}

// The artistName of every result (empty for a non-string one); requires a well-formed search body.
std::vector<std::string> artist_names(const std::string &body) {
  rapidjson::Document doc = parse_json(body);
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  REQUIRE(doc["results"].IsArray());
  REQUIRE(doc["resultCount"].GetInt() == static_cast<int>(doc["results"].Size()));
  std::vector<std::string> names;
  for (const auto &result : doc["results"].GetArray()) {
    const auto &name = result["artistName"];
    names.emplace_back(name.IsString() ? std::string(name.GetString(), name.GetStringLength()) : "");
  }
  return names;
}

long count_of(const std::vector<std::string> &names, const std::string &name) {
  long n = 0;
  for (const std::string &each : names) n += each == name;
  return n;
}

bool is_release_date(const std::string &text) {
  static const char pattern[] = "dddd-dd-ddT07:00:00Z";
  if (text.size() != sizeof pattern - 1) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (pattern[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(text[i])) : text[i] != pattern[i])
      return false;
  }
  return true;
}

std::string server_url(const fixture_server &server, const std::string &path) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + path;
}

// A search with any query parameters after the term (e.g. "&entity=song&limit=200").
std::string search_with(const std::string &term, const std::string &params) {
  return "/search?term=" + url_encode(term) + params;
}

std::string string_member(const rapidjson::Value &object, const char *name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) return "";
  return std::string(object[name].GetString(), object[name].GetStringLength());
}

using value_type = rapidjson::Value;

// Whether `object` has a member `name` of the kind `test` checks (e.g. &value_type::IsInt).
bool member_is(const value_type &object, const char *name, bool (value_type::*test)() const) {
  return object.IsObject() && object.HasMember(name) && (object[name].*test)();
}

// The "dropped" counter of /stats (requests closed unanswered by --close-on-reuse).
long dropped_requests(const fixture_server &server) {
  rapidjson::Document stats = parse_json(server.get("/stats"));
  REQUIRE(stats.IsObject());
  REQUIRE(stats.HasMember("dropped"));
  return stats["dropped"].GetInt64();
}

// A raw TCP connection to the server, to see exactly what it sends and when it closes; the timeouts only
// bound a hang, nothing is measured.
class raw_connection {
 public:
  struct answer {
    std::string head;       // status line and headers, up to the blank line
    std::string body;       // what arrived of the body
    bool complete = false;  // the whole body, as long as Content-Length says, arrived
    bool closed = false;    // the server closed (end of file or reset) before or right after it
  };

  explicit raw_connection(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0);
  }
  ~raw_connection() { ::close(fd_); }
  raw_connection(const raw_connection &) = delete;
  raw_connection &operator=(const raw_connection &) = delete;

  void send_get(const std::string &path) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";
    // MSG_NOSIGNAL: a connection the server closed is a failed check, not a SIGPIPE.
    CHECK(::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  }

  // Reads one answer with a Content-Length body, or until the server closes or `timeout_s` passes.
  answer read_answer(double timeout_s = 10) {
    answer got;
    std::string data;
    size_t body_at = std::string::npos, length = 0;
    const auto start = clock_type::now();
    while (!got.complete && !got.closed && seconds_since(start) < timeout_s) {
      if (!wait_readable(timeout_s - seconds_since(start))) break;
      char buffer[65536];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        got.closed = true;
        break;
      }
      data.append(buffer, static_cast<size_t>(n));
      if (body_at == std::string::npos && (body_at = data.find("\r\n\r\n")) != std::string::npos) {
        body_at += 4;
        got.head = data.substr(0, body_at);
        std::string lower = got.head;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        const size_t at = lower.find("\r\ncontent-length:");
        length = at == std::string::npos ? 0 : std::stoul(lower.substr(at + 17));
      }
      if (body_at != std::string::npos) got.complete = data.size() - body_at >= length;
    }
    if (body_at != std::string::npos) got.body = data.substr(body_at);
    return got;
  }

  // True when the server closes the connection (end of file or reset) within `timeout_s` without sending
  // a single byte more.
  bool closes_silently(double timeout_s = 10) {
    if (!wait_readable(timeout_s)) return false;
    char byte;
    ssize_t n;
    do n = ::recv(fd_, &byte, 1, 0);
    while (n < 0 && errno == EINTR);
    return n <= 0;
  }

 private:
  bool wait_readable(double timeout_s) {
    pollfd p{fd_, POLLIN, 0};
    int rc;
    do rc = ::poll(&p, 1, std::max(0, static_cast<int>(timeout_s * 1000)));
    while (rc < 0 && errno == EINTR);
    return rc > 0;
  }

  int fd_;
};

bool has_header(const std::string &head, const std::string &name) {
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("\r\n" + name + ":") != std::string::npos;
}

// What one result of a given shape must look like. "" for wrapper or kind: the field is absent.
struct shape_case {
  const char *params;
  const char *wrapper;
  const char *kind;
  std::vector<const char *> present;
  std::vector<const char *> absent;
};

// The title a table would show (issue 14): trackName, else collectionName, else artistName.
std::string title_of(const rapidjson::Value &result) {
  for (const char *field : {"trackName", "collectionName", "artistName"}) {
    const std::string value = string_member(result, field);
    if (!value.empty()) return value;
  }
  return "";
}

}  // namespace

TEST_SUITE("fixture_server") {
  TEST_CASE("the server prints a port and answers a search like the iTunes API") {
    fixture_server server;
    CHECK(server.port() > 0);
    CHECK(server.base_url() == "http://127.0.0.1:" + std::to_string(server.port()) + "/search");

    http_response response = http_get(search_url(server, "Alice Example"));
    REQUIRE(response.error == "");
    CHECK(response.status == 200);
    CHECK(response.header("Content-Type") == "text/javascript; charset=utf-8");
    CHECK(response.header("content-length") == std::to_string(response.body.size()));
    CHECK(response.body.compare(0, 3, "\n\n\n") == 0);
    std::vector<std::string> names = artist_names(response.body);
    CHECK(names.size() >= 5);
    // One result a line, as Apple sends it.
    size_t lines = 0;
    for (size_t pos = 0; (pos = response.body.find("\n{\"wrapperType\"", pos)) != std::string::npos; ++pos)
      ++lines;
    CHECK(lines == names.size());
  }

  TEST_CASE("the catalog of an arbitrary term has exact matches and every kind of decoy") {
    fixture_server server;
    for (const std::string term : {"Alice Example", "zz top tribute band", "123", "MIXED case"}) {
      CAPTURE(term);
      const std::string body = server.get(search_path(term, 200));
      CHECK(server.get(search_path(term, 200)) == body);  // deterministic
      std::vector<std::string> names = artist_names(body);
      const long exact = count_of(names, term);
      CHECK(exact >= 1);
      CHECK(exact <= 3);
      CHECK(count_of(names, term + " & Friends") == 1);
      CHECK(count_of(names, " " + term) == 1);
      CHECK(count_of(names, term + " ") == 1);
      CHECK(count_of(names, "Various Artists") == 1);
      // "123" has no case variant: upper and lower case are the same string.
      CHECK(names.size() == static_cast<size_t>(exact + (term == "123" ? 4 : 5)));
      if (term == "Alice Example") CHECK(count_of(names, "ALICE EXAMPLE") == 1);
      if (term == "zz top tribute band") CHECK(count_of(names, "ZZ TOP TRIBUTE BAND") == 1);
      if (term == "MIXED case") CHECK(count_of(names, "MIXED CASE") == 1);
      if (term == "MIXED case") CHECK(count_of(names, "MIXED CASE") == 1);

      rapidjson::Document doc = parse_json(body);
      for (const auto &result : doc["results"].GetArray()) {
        const bool compilation = std::strcmp(result["artistName"].GetString(), "Various Artists") == 0;
        for (const char *field : album_fields) {
          CAPTURE(field);
          CHECK(result.HasMember(field) == (!compilation || std::strcmp(field, "artistViewUrl") != 0));
        }
        CHECK(is_release_date(result["releaseDate"].GetString()));
        CHECK(result["trackCount"].IsInt());
        CHECK(result["collectionPrice"].IsNumber());
        if (compilation) CHECK(std::string(result["collectionName"].GetString()) == term + " Tribute");
      }
    }
  }

  TEST_CASE("limit caps the results and limit 5 keeps an exact match and a decoy") {
    fixture_server server;
    for (int i = 0; i < 40; ++i) {
      const std::string term = "Artist Number " + std::to_string(i);
      CAPTURE(term);
      std::vector<std::string> five = artist_names(server.get(search_path(term, 5)));
      CHECK(five.size() == 5);
      CHECK(count_of(five, term) >= 1);
      CHECK(count_of(five, term) < 5);
      std::vector<std::string> one = artist_names(server.get(search_path(term, 1)));
      REQUIRE(one.size() == 1);
      CHECK(one[0] == term);
    }
    CHECK(count_of(artist_names(server.get("/search?term=Dua+Lipa")), "Dua Lipa") == 4);  // '+' is a space
    CHECK(artist_names(server.get("/search?term=Nobody&limit=200")).size() >= 5);
    CHECK(artist_names(server.get("/search?term=")).empty());

    for (const std::string bad : {"/search?term=x&limit=0", "/search?term=x&limit=201",
                                  "/search?term=x&limit=abc", "/search?term=x&limit=-1", "/search?limit=5",
                                  "/search?term=%FF%FE", "/search?term=ok&country=%C3"}) {
      CAPTURE(bad);
      http_response response = http_get("http://127.0.0.1:" + std::to_string(server.port()) + bad);
      CHECK(response.status == 400);
      rapidjson::Document doc = parse_json(response.body);
      CHECK((doc.IsObject() && doc.HasMember("errorMessage")));
    }
  }

  TEST_CASE("non-ASCII terms round-trip as UTF-8") {
    fixture_server server;
    const std::string beyonce = "Beyonc\xc3\xa9";
    const std::string sakamoto = "\xe5\x9d\x82\xe6\x9c\xac\xe9\xbe\x8d\xe4\xb8\x80";  // 坂本龍一
    const std::string olafur = "\xc3\x93lafur Arnalds";                               // generic catalog
    for (const std::string &term : {beyonce, sakamoto, olafur}) {
      CAPTURE(term);
      const std::string body = server.get(search_path(term));
      CHECK(count_of(artist_names(body), term) >= (term == olafur ? 1 : 4));
      CHECK(body.find("\xe2\x84\x97") != std::string::npos);  // ℗ as raw UTF-8
      CHECK(body.find("\\u") == std::string::npos);           // nothing escaped
      CHECK(server.requests_for(term) == 1);
    }
  }

  TEST_CASE("the realistic catalogs hold several albums by the exact artist and decoys") {
    fixture_server server;
    std::vector<std::string> billie = artist_names(server.get(search_path("Billie Eilish")));
    CHECK(billie.size() == 5);
    CHECK(count_of(billie, "Billie Eilish") == 3);
    CHECK(count_of(billie, "Billie Eilish & Khalid") == 1);
    CHECK(count_of(billie, "Various Artists") == 1);
    for (const std::string name : {"Dua Lipa", "Lorde", "Taylor Swift", "Radiohead", "Beyonc\xc3\xa9",
                                   "Sigur R\xc3\xb3s", "\xe5\x9d\x82\xe6\x9c\xac\xe9\xbe\x8d\xe4\xb8\x80"}) {
      CAPTURE(name);
      std::vector<std::string> names = artist_names(server.get(search_path(name)));
      CHECK(count_of(names, name) >= 4);
      CHECK(count_of(names, name) < static_cast<long>(names.size()));
      CHECK(names.size() <= 8);
    }
  }

  TEST_CASE("two hundred concurrent requests with 300 ms latency are answered in parallel") {
    constexpr int transfers = 200;
    fixture_server server({"--latency-ms", "300"});
    REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
    {
      struct multi_deleter {
        void operator()(CURLM *multi) const noexcept { curl_multi_cleanup(multi); }
      };
      struct easy_deleter {
        void operator()(CURL *easy) const noexcept { curl_easy_cleanup(easy); }
      };
      std::unique_ptr<CURLM, multi_deleter> multi(curl_multi_init());
      REQUIRE(multi);
      std::vector<std::unique_ptr<CURL, easy_deleter>> easies;
      std::vector<std::string> bodies(transfers);
      auto append = +[](char *data, size_t size, size_t count, void *user) -> size_t {
        static_cast<std::string *>(user)->append(data, size * count);
        return size * count;
      };
      for (int i = 0; i < transfers; ++i) {
        easies.emplace_back(curl_easy_init());
        CURL *easy = easies.back().get();
        REQUIRE(easy);
        const std::string url = search_url(server, "Concurrent " + std::to_string(i % 10), 5);
        curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(easy, CURLOPT_PROXY, "");
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 20000L);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &bodies[i]);
        curl_multi_add_handle(multi.get(), easy);
      }
      const auto start = clock_type::now();
      int running = 1;
      CURLMcode multi_rc = CURLM_OK;
      while (running > 0 && multi_rc == CURLM_OK) {
        multi_rc = curl_multi_perform(multi.get(), &running);
        if (running > 0 && multi_rc == CURLM_OK)
          multi_rc = curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
      }
      const double elapsed = seconds_since(start);
      REQUIRE(multi_rc == CURLM_OK);
      int succeeded = 0, messages = 0;
      while (CURLMsg *message = curl_multi_info_read(multi.get(), &messages)) {
        long status = 0;
        curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        succeeded += message->msg == CURLMSG_DONE && message->data.result == CURLE_OK && status == 200;
      }
      for (auto &easy : easies) curl_multi_remove_handle(multi.get(), easy.get());
      CHECK(succeeded == transfers);
      CHECK(elapsed >= 0.3);
      CHECK(elapsed < 2.0);  // serialized, it would take a minute
      MESSAGE("200 transfers with 300 ms latency took " << elapsed << " s");
      CHECK(server.total_requests() == transfers);
      CHECK(server.connections() >= transfers);
      CHECK(server.requests_for("Concurrent 3") == transfers / 10);
    }
    curl_global_cleanup();
  }

  TEST_CASE("stats count requests per term and connections, and reset zeroes them") {
    fixture_server server;
    CHECK(server.total_requests() == 0);
    server.get(search_path("One"));
    server.get(search_path("One"));
    server.get(search_path("Two"));
    server.get("/search?limit=5");  // no term: counted in the total only
    CHECK(server.requests_for("One") == 2);
    CHECK(server.requests_for("Two") == 1);
    CHECK(server.requests_for("Three") == 0);
    CHECK(server.total_requests() == 4);
    CHECK(server.connections() >= 4);
    server.reset();
    CHECK(server.connections() == 1);  // each query is a new connection: this one
    CHECK(server.requests_for("One") == 0);
    CHECK(server.total_requests() == 0);
  }

  TEST_CASE("403xN answers 403 with an empty body N times, then the catalog of the whole term") {
    fixture_server server;
    const std::string term = "@403x2 Alice";
    const std::string url = search_url(server, term);
    for (int i = 0; i < 2; ++i) {
      http_response refused = http_get(url);
      CHECK(refused.status == 403);
      CHECK(refused.body.empty());
      CHECK(refused.header("Retry-After").empty());
    }
    http_response accepted = http_get(url);
    CHECK(accepted.status == 200);
    CHECK(count_of(artist_names(accepted.body), term) >= 1);
    CHECK(server.requests_for(term) == 3);
    server.reset();  // rearms the fault
    CHECK(http_get(url).status == 403);
  }

  TEST_CASE("one-shot 503 and 429 faults say when to retry, then clear") {
    fixture_server server;
    http_response first = http_get(search_url(server, "@503once Alice"));
    CHECK(first.status == 503);
    CHECK(first.header("Retry-After") == "1");
    http_response second = http_get(search_url(server, "@503once Alice"));
    CHECK(second.status == 200);
    CHECK(count_of(artist_names(second.body), "@503once Alice") >= 1);

    http_response dated = http_get(search_url(server, "@503date Bob"));
    CHECK(dated.status == 503);
    const std::string when = dated.header("Retry-After");
    CHECK(when.size() > 20);
    const time_t at = curl_getdate(when.c_str(), nullptr);
    const time_t now = std::time(nullptr);
    CHECK(at >= now);
    CHECK(at <= now + 3);
    CHECK(http_get(search_url(server, "@503date Bob")).status == 200);

    CHECK(http_get(search_url(server, "@429once Carol")).status == 429);
    CHECK(http_get(search_url(server, "@429once Carol")).status == 200);
  }

  TEST_CASE("a hanging request gets no answer within a short timeout and does not delay shutdown") {
    std::optional<fixture_server> server;
    server.emplace();
    http_response response = http_get(search_url(*server, "@hang Alice"), 0.5);
    CHECK(response.status == 0);
    CHECK(response.error.find("imeout") != std::string::npos);
    CHECK(response.seconds < 3);
    http_response second = http_get(search_url(*server, "@hang Alice"), 0.3);  // still hanging
    CHECK(second.status == 0);
    // A trickle sends a byte every 500 ms.
    http_response trickle = http_get(search_url(*server, "@trickle Alice"), 2.0);
    CHECK(trickle.status == 200);
    CHECK(trickle.error != "");
    CHECK(trickle.body.size() >= 1);
    CHECK(trickle.body.size() <= 6);
    http_response slow = http_get(search_url(*server, "@slow400 Alice"));
    CHECK(slow.status == 200);
    CHECK(slow.seconds >= 0.4);
    // Another @hang connection is still open on the server's side when it is told to stop.
    const auto start = clock_type::now();
    server.reset();
    CHECK(seconds_since(start) < 2.0);
  }

  TEST_CASE("broken transfers fail on the client side") {
    fixture_server server;
    http_response shortened = http_get(search_url(server, "@short Alice"));
    CHECK(shortened.status == 200);
    CHECK(shortened.error != "");
    http_response reset = http_get(search_url(server, "@reset Alice"));
    CHECK(reset.error != "");
    for (const std::string mode : {"@huge-cl", "@huge-chunked", "@huge-close"}) {
      CAPTURE(mode);
      http_response huge = http_get(search_url(server, mode + " Alice"), 30, 1 << 20);
      CHECK(huge.status == 200);
      CHECK(huge.error.find("body larger") != std::string::npos);
      if (mode == "@huge-cl") CHECK(huge.header("Content-Length") == std::to_string(64 << 20));
      if (mode == "@huge-chunked") CHECK(huge.header("Transfer-Encoding") == "chunked");
      if (mode == "@huge-close") CHECK(huge.header("Connection") == "close");
    }
    http_response whole = http_get(search_url(server, "@huge-chunked Bob"), 60);
    CHECK(whole.error == "");
    CHECK(whole.body.size() == (64u << 20));
    CHECK_FALSE(parse_json(whole.body).HasParseError());

    http_response ftp = http_get(search_url(server, "@redirect-ftp Alice"));
    CHECK(ftp.status == 302);
    CHECK(ftp.header("Location") == "ftp://127.0.0.1/x");
    const std::string loop_url = search_url(server, "@redirect-loop Alice");
    http_response loop = http_get(loop_url);
    CHECK(loop.status == 302);
    CHECK(loop.header("Location") == loop_url);
  }

  TEST_CASE("malformed-body modes answer with the promised defect") {
    fixture_server server;
    auto fetch = [&](const std::string &mode) { return http_get(search_url(server, mode + " Alice")); };

    http_response bad = fetch("@badjson");
    CHECK(bad.status == 200);
    CHECK(parse_json(bad.body).HasParseError());

    rapidjson::Document not_array = parse_json(fetch("@results-not-array").body);
    REQUIRE(not_array.IsObject());
    CHECK(not_array["results"].IsObject());

    rapidjson::Document mixed = parse_json(fetch("@element-not-object").body);
    REQUIRE(mixed.IsObject());
    const auto &elements = mixed["results"];
    REQUIRE(elements.Size() == 4);
    CHECK(elements[0].IsNumber());
    CHECK(elements[1].IsString());
    CHECK(elements[2].IsNull());
    CHECK(std::string(elements[3]["artistName"].GetString()) == "@element-not-object Alice");

    rapidjson::Document names = parse_json(fetch("@artistname-not-string").body);
    REQUIRE(names.IsObject());
    REQUIRE(names["results"].Size() == 3);
    CHECK(names["results"][0]["artistName"].IsNumber());
    CHECK(names["results"][1]["artistName"].IsObject());
    CHECK(std::string(names["results"][2]["artistName"].GetString()) == "@artistname-not-string Alice");

    const std::string nul = fetch("@nul").body;
    CHECK(nul.find('\0') != std::string::npos);
    CHECK(fetch("@badutf8").body.find("\xff\xc3\x28") != std::string::npos);
    const std::string lone = fetch("@lone-surrogates").body;
    CHECK(lone.find(R"("collectionName":"\udc00)") != std::string::npos);
    CHECK(lone.find(R"( \ud800\u00e9 \ud83d\ude00 \ud800", )") != std::string::npos);
    CHECK(lone.find(R"("artistName":"@lone-surrogates Alice", )") != std::string::npos);
    const std::string replaced = http_get(search_url(server, "@lone-surrogates Bj\xEF\xBF\xBDrk")).body;
    CHECK(replaced.find(R"("artistName":"@lone-surrogates Bj\ud800rk", )") != std::string::npos);
    CHECK(replaced.find("\"artistName\":\"@lone-surrogates Bj\xEF\xBF\xBD") == std::string::npos);
    const std::string deep = fetch("@deep").body;
    CHECK(deep.size() > 400000);
    CHECK(deep.find(std::string(200000, '[')) != std::string::npos);
    const std::string huge_number = fetch("@hugenumber").body;
    CHECK(huge_number.find("\"trackCount\":1e999999") != std::string::npos);
    CHECK(huge_number.find("\"collectionPrice\":-0.0000e-99999999") != std::string::npos);

    http_response html = fetch("@html200");
    CHECK(html.status == 200);
    CHECK(html.header("Content-Type").rfind("text/html", 0) == 0);
    http_response empty = fetch("@empty200");
    CHECK(empty.status == 200);
    CHECK(empty.body.empty());
    CHECK(artist_names(fetch("@none").body).empty());
    CHECK(fetch("@500").status == 500);
    CHECK(fetch("@500").status == 500);
    CHECK(fetch("@404").status == 404);
    CHECK(fetch("@no-such-mode").status == 400);
    CHECK(fetch("@403xmany").status == 400);
  }

  TEST_CASE("entity and media choose the shape of the results, as in Apple's recorded bodies") {
    fixture_server server;
    const std::vector<const char *> song_fields = {"artistId",       "collectionId", "trackId",
                                                   "collectionName", "trackName",    "trackTimeMillis",
                                                   "trackNumber",    "trackPrice"};
    const std::vector<const char *> movie_fields = {
        "trackId",          "trackName",  "trackTimeMillis", "trackPrice", "contentAdvisoryRating",
        "primaryGenreName", "releaseDate"};
    const std::vector<const char *> no_collection = {"artistId", "collectionId", "collectionName",
                                                     "trackCount"};
    const std::vector<shape_case> cases = {
        {"&entity=song", "track", "song", song_fields, {"collectionType"}},
        {"&entity=musicTrack", "track", "song", song_fields, {"collectionType"}},
        {"&media=music", "track", "song", song_fields, {"collectionType"}},
        {"&entity=musicArtist",
         "artist",
         "",
         {"artistType", "artistLinkUrl", "artistId", "primaryGenreName", "primaryGenreId"},
         {"collectionName", "trackName", "releaseDate", "trackCount", "artistViewUrl"}},
        {"&entity=movie", "track", "feature-movie", movie_fields, no_collection},
        {"&media=movie", "track", "feature-movie", movie_fields, no_collection},
        {"&entity=shortFilm", "track", "feature-movie", movie_fields, no_collection},
        {"&entity=tvEpisode", "track", "tv-episode", song_fields, {"collectionType"}},
        {"&media=tvShow", "track", "tv-episode", song_fields, {"collectionType"}},
        {"&media=tvShow&entity=tvSeason",
         "collection",
         "",
         {"collectionType", "collectionName"},
         {"trackName"}},
        {"&entity=podcast",
         "track",
         "podcast",
         {"collectionId", "trackName", "collectionName", "feedUrl", "genres", "genreIds", "artworkUrl600"},
         {"artistId", "artistViewUrl"}},
        {"&entity=audiobook",
         "audiobook",
         "",
         {"artistId", "collectionId", "collectionName", "collectionPrice", "description"},
         {"trackName", "trackId"}},
        {"&entity=ebook",
         "",
         "ebook",
         {"trackId", "trackName", "price", "formattedPrice", "genres", "artistIds", "fileSizeBytes"},
         {"collectionName"}},
        {"&media=ebook", "", "ebook", {"trackName", "price", "formattedPrice", "genres"}, {"collectionName"}},
        {"&entity=software",
         "software",
         "software",
         {"trackId", "trackName", "price", "formattedPrice", "genres", "bundleId", "fileSizeBytes",
          "version"},
         {"collectionName"}},
        {"&entity=macSoftware", "software", "mac-software", {"trackName", "price", "formattedPrice"}, {}},
        {"&entity=musicVideo", "track", "music-video", {"trackName", "trackTimeMillis"}, {"collectionName"}},
    };
    for (const shape_case &expected : cases) {
      for (const std::string term :
           {"Alice Example", "Lorde", "\xe5\x9d\x82\xe6\x9c\xac\xe9\xbe\x8d\xe4\xb8\x80"}) {
        const std::string params = expected.params;
        CAPTURE(params);
        CAPTURE(term);
        const std::string body = server.get(search_with(term, expected.params + std::string("&limit=200")));
        CHECK(body.compare(0, 3, "\n\n\n") == 0);
        std::vector<std::string> names = artist_names(body);
        CHECK(count_of(names, term) >= 1);
        if (std::strcmp(expected.wrapper, "artist") != 0 || term == "Alice Example")
          CHECK(names.size() > static_cast<size_t>(count_of(names, term)));  // decoys too
        rapidjson::Document doc = parse_json(body);
        for (const auto &result : doc["results"].GetArray()) {
          CHECK(result.HasMember("wrapperType") == (*expected.wrapper != '\0'));
          CHECK(string_member(result, "wrapperType") == expected.wrapper);
          CHECK(result.HasMember("kind") == (*expected.kind != '\0'));
          CHECK(string_member(result, "kind") == expected.kind);
          for (const char *field : expected.present) {
            CAPTURE(field);
            CHECK(result.HasMember(field));
          }
          for (const char *field : expected.absent) {
            CAPTURE(field);
            CHECK_FALSE(result.HasMember(field));
          }
          CHECK_FALSE(title_of(result).empty());
          // Value types as Apple writes them.
          if (result.HasMember("price")) CHECK(member_is(result, "price", &value_type::IsNumber));
          if (result.HasMember("formattedPrice"))
            CHECK(member_is(result, "formattedPrice", &value_type::IsString));
          if (result.HasMember("genres")) {
            REQUIRE(result["genres"].IsArray());
            CHECK(result["genres"].Size() >= 1);
            for (const auto &genre : result["genres"].GetArray()) CHECK(genre.IsString());
          }
          if (std::strcmp(expected.kind, "song") == 0)
            CHECK(member_is(result, "trackTimeMillis", &value_type::IsInt));
          if (std::strcmp(expected.kind, "feature-movie") == 0 ||
              std::strcmp(expected.kind, "tv-episode") == 0)
            CHECK(member_is(result, "trackTimeMillis", &value_type::IsDouble));
          if (std::strcmp(expected.wrapper, "software") == 0)
            CHECK(member_is(result, "fileSizeBytes", &value_type::IsString));
          if (std::strcmp(expected.kind, "ebook") == 0)
            CHECK(member_is(result, "fileSizeBytes", &value_type::IsInt));
          if (std::strcmp(expected.wrapper, "artist") == 0) CHECK(string_member(result, "artistType") != "");
          if (std::strcmp(expected.params, "&entity=shortFilm") == 0)
            CHECK(string_member(result, "primaryGenreName") == "Short Films");
        }
      }
    }
  }

  TEST_CASE("two songs of one album share collectionName and differ in trackName") {
    fixture_server server;
    rapidjson::Document doc = parse_json(server.get(search_with("Lorde", "&entity=song&limit=200")));
    REQUIRE(doc.IsObject());
    bool pair = false;
    const auto &results = doc["results"];
    for (rapidjson::SizeType i = 0; i + 1 < results.Size(); ++i) {
      pair = pair || (string_member(results[i], "collectionName") ==
                          string_member(results[i + 1], "collectionName") &&
                      string_member(results[i], "trackName") != string_member(results[i + 1], "trackName"));
    }
    CHECK(pair);
    // Artist records: one per distinct artist, none for "Various Artists", and the artist's type by entity.
    std::vector<std::string> artists = artist_names(server.get(search_with("Lorde", "&entity=musicArtist")));
    CHECK(artists == std::vector<std::string>{"Lorde"});
    rapidjson::Document authors =
        parse_json(server.get(search_with("Alice Example", "&entity=audiobookAuthor")));
    REQUIRE(authors["results"].Size() >= 1);
    CHECK(string_member(authors["results"][0], "artistType") == "Author");
  }

  TEST_CASE("media=all mixes every shape; no entity and entity=album keep the album answer") {
    fixture_server server;
    rapidjson::Document mixed = parse_json(server.get(search_with("Radiohead", "&media=all&limit=200")));
    REQUIRE(mixed.IsObject());
    std::set<std::string> shapes;
    for (const auto &result : mixed["results"].GetArray())
      shapes.insert(string_member(result, "wrapperType") + "/" + string_member(result, "kind"));
    CHECK(shapes == std::set<std::string>{"track/song", "track/feature-movie", "track/tv-episode",
                                          "track/podcast", "audiobook/", "/ebook", "software/software",
                                          "track/music-video"});

    const std::string albums = server.get(search_path("Radiohead", 10));
    CHECK(count_of(artist_names(albums), "Radiohead") >= 4);
    CHECK(server.get("/search?term=Radiohead&limit=10&sort=recent") == albums);
    CHECK(server.get("/search?term=Radiohead&media=music&entity=album&limit=10&sort=recent") == albums);
    rapidjson::Document doc = parse_json(albums);
    for (const auto &result : doc["results"].GetArray())
      CHECK(string_member(result, "wrapperType") == "collection");
  }

  TEST_CASE("an unknown media or an entity its media does not list is a 400 naming the key") {
    fixture_server server;
    const std::pair<const char *, const char *> bad[] = {
        {"&entity=albums", "[resultEntity]"},
        {"&media=music&entity=movie", "[resultEntity]"},
        {"&media=ebook&entity=song", "[resultEntity]"},
        {"&media=films", "[mediaType]"},
    };
    for (const auto &[params, key] : bad) {
      CAPTURE(params);
      http_response response = http_get(server_url(server, search_with("Lorde", params)));
      CHECK(response.status == 400);
      rapidjson::Document doc = parse_json(response.body);
      CHECK(string_member(doc, "errorMessage").find(key) != std::string::npos);
    }
  }

  TEST_CASE("names that differ only in what a person cannot see") {
    fixture_server server;
    struct invisible {
      std::string term, stored;
    };
    const invisible cases[] = {
        {"Jos\xc3\xa9 James", "Jose\xcc\x81 James"},  // NFC term, NFD name
        {"Lewis Carroll",
         "Lewis\xc2\xa0"
         "Carroll"},  // U+00A0 NO-BREAK SPACE
        {"Mitski",
         "Mit\xe2\x80\x8b"
         "ski"},                                  // U+200B ZERO WIDTH SPACE
        {"Phoebe Bridgers", "Phoebe Bridgers "},  // a trailing space
        {"Beyonce\xcc\x81", "Beyonc\xc3\xa9"},    // NFD term, NFC name
    };
    for (const invisible &each : cases) {
      CAPTURE(each.term);
      for (const std::string params :
           {"&entity=album", "&entity=song", "&entity=musicArtist", "&entity=ebook"}) {
        CAPTURE(params);
        const std::string body = server.get(search_with(each.term, params + "&limit=200"));
        std::vector<std::string> names = artist_names(body);
        CHECK(count_of(names, each.term) == 0);
        CHECK(count_of(names, each.stored) >= 1);
        if (params != "&entity=musicArtist") {
          CHECK(count_of(names, each.stored) >= 3);
          CHECK(names.size() > static_cast<size_t>(count_of(names, each.stored)));  // decoys too
        }
        CHECK(body.find(each.stored) != std::string::npos);  // raw UTF-8, not \u escapes
      }
    }
  }

  TEST_CASE("a full page of 5 without the artist, who is found at a larger limit") {
    fixture_server server;
    for (const std::string params : {"&entity=album", "&entity=song", "&entity=movie"}) {
      CAPTURE(params);
      std::vector<std::string> five =
          artist_names(server.get(search_with("The National", params + "&limit=5")));
      CHECK(five.size() == 5);
      CHECK(count_of(five, "The National") == 0);
      std::vector<std::string> more =
          artist_names(server.get(search_with("The National", params + "&limit=50")));
      CHECK(count_of(more, "The National") >= 5);
    }
    std::vector<std::string> albums = artist_names(server.get(search_path("The National", 7)));
    REQUIRE(albums.size() == 7);
    CHECK(albums[6] == "The National");
    CHECK(count_of(albums, "The National") == 1);
  }

  TEST_CASE("reset-after-headers sends the 200 header block, then resets before any body byte") {
    fixture_server server;
    http_response response = http_get(search_url(server, "@reset-after-headers Alice"));
    CHECK(response.status == 200);
    CHECK(response.error != "");
    CHECK(response.body.empty());
    CHECK(std::atol(response.header("Content-Length").c_str()) > 100);

    raw_connection raw(server.port());
    raw.send_get(search_path("@reset-after-headers Bob"));
    raw_connection::answer answer = raw.read_answer();
    CHECK(answer.head.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(answer.body.empty());
    CHECK_FALSE(answer.complete);
    CHECK(answer.closed);
  }

  TEST_CASE("503 with Retry-After on every request: @503alwaysN for one term, --always-503 N for all") {
    {
      fixture_server server;
      for (int i = 0; i < 3; ++i) {
        http_response response = http_get(search_url(server, "@503always2 Alice"));
        CHECK(response.status == 503);
        CHECK(response.header("Retry-After") == "2");
      }
      CHECK(server.requests_for("@503always2 Alice") == 3);
      CHECK(http_get(search_url(server, "Alice")).status == 200);
    }
    fixture_server throttled({"--always-503", "3"});
    for (const std::string term : {"Lorde", "Alice Example", "@none Bob", "Lorde"}) {
      CAPTURE(term);
      http_response response = http_get(search_url(throttled, term));
      CHECK(response.status == 503);
      CHECK(response.header("Retry-After") == "3");
    }
    CHECK(throttled.requests_for("Lorde") == 2);
    CHECK(throttled.total_requests() == 4);
    CHECK(http_get(server_url(throttled, "/search?term=x&limit=0")).status == 400);  // still a bad request
    CHECK_THROWS_AS(fixture_server({"--always-503", "-1"}), std::runtime_error);
  }

  TEST_CASE("close-after-answer closes each connection after one answer without saying so") {
    {  // Without the option the connection serves a second request.
      fixture_server server;
      raw_connection raw(server.port());
      for (int i = 0; i < 2; ++i) {
        raw.send_get(search_path("Alice"));
        raw_connection::answer answer = raw.read_answer();
        CHECK(answer.complete);
        CHECK_FALSE(answer.closed);
      }
    }
    fixture_server server({"--close-after-answer"});
    raw_connection raw(server.port());
    raw.send_get(search_path("Alice"));
    raw_connection::answer answer = raw.read_answer();
    CHECK(answer.head.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(answer.complete);
    CHECK_FALSE(has_header(answer.head, "connection"));
    CHECK(count_of(artist_names(answer.body), "Alice") >= 1);
    CHECK((answer.closed || raw.closes_silently()));
    CHECK(server.requests_for("Alice") == 1);
  }

  TEST_CASE("close-on-reuse answers a connection's first request and drops the next one unanswered") {
    fixture_server server({"--close-on-reuse"});
    {
      raw_connection raw(server.port());
      raw.send_get(search_path("Alice"));
      raw_connection::answer first = raw.read_answer();
      CHECK(first.complete);
      CHECK_FALSE(first.closed);
      CHECK_FALSE(has_header(first.head, "connection"));
      raw.send_get(search_path("Bob"));
      CHECK(raw.closes_silently());
    }
    CHECK(server.requests_for("Alice") == 1);
    CHECK(server.requests_for("Bob") == 0);
    CHECK(dropped_requests(server) == 1);

    // libcurl reuses the connection, finds it dead and retries on a new one, out of its per-handle budget.
    server.reset();
    REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
    CURL *easy = curl_easy_init();
    REQUIRE(easy);
    auto discard = +[](char *, size_t size, size_t count, void *) -> size_t { return size * count; };
    for (int i = 0; i < 3; ++i) {
      const std::string url = search_url(server, "Reuse " + std::to_string(i));
      curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
      curl_easy_setopt(easy, CURLOPT_PROXY, "");
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 20000L);
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
      CHECK(curl_easy_perform(easy) == CURLE_OK);
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      CHECK(status == 200);
    }
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    CHECK(server.total_requests() == 3);
    CHECK(dropped_requests(server) == 2);  // the 2nd and 3rd transfers first went to a dead connection
  }

  TEST_CASE("the server exits when its stdin reaches end of file") {
    const std::string script = test_support::project_root() + "/scripts/fixture-server";
    command_result result = run_command({script}, "", 10);
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == 0);
    CHECK(result.out.size() >= 2);
    CHECK(result.out.back() == '\n');
    CHECK(std::atoi(result.out.c_str()) > 0);
    CHECK(result.err == "");

    command_result help = run_command({script, "--help"}, "", 10);
    CHECK(help.exit_code == 0);
    for (const char *documented :
         {"@redirect-loop", "@reset-after-headers", "@lone-surrogates", "@503alwaysN", "@503once",
          "--always-503", "--close-after-answer", "--close-on-reuse", "\"dropped\"", "entity", "media",
          "musicArtist", "shortFilm", "Lewis\\u00a0Carroll", "Jose\\u0301 James", "Mit\\u200bski",
          "Phoebe Bridgers ", "The National"}) {
      const std::string text = documented;
      CAPTURE(text);
      CHECK(help.out.find(documented) != std::string::npos);
    }
  }

  TEST_CASE("a server that cannot start makes the constructor throw") {
    CHECK_THROWS_AS(fixture_server({"--no-such-option"}), std::runtime_error);
    const char *root = std::getenv("ARTISTFETCH_ROOT");
    const std::string saved = root ? root : "";
    ::setenv("ARTISTFETCH_ROOT", "/nonexistent", 1);
    CHECK_THROWS_AS(fixture_server(), std::runtime_error);  // no script to execute
    if (root)
      ::setenv("ARTISTFETCH_ROOT", saved.c_str(), 1);
    else
      ::unsetenv("ARTISTFETCH_ROOT");
  }

  TEST_CASE("run_command captures stdout, stderr and the exit code") {
    command_result result = run_command({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
    CHECK(result.exit_code == 3);
    CHECK(result.out == "out\n");
    CHECK(result.err == "err\n");
    CHECK_FALSE(result.timed_out);
    CHECK(run_command({"/bin/sh", "-c", "kill -TERM $$"}).exit_code == 128 + 15);
    CHECK(run_command({"/bin/true"}).exit_code == 0);
  }

  TEST_CASE("run_command feeds stdin and copes with large outputs on both streams") {
    std::string input;
    for (int i = 0; input.size() < (4u << 20); ++i) input += "line " + std::to_string(i) + "\n";
    command_result echoed = run_command({"/bin/cat"}, input);
    CHECK(echoed.exit_code == 0);
    CHECK(echoed.out == input);
    // Both pipes fill up while stdin is still being written.
    command_result both =
        run_command({"/bin/sh", "-c", "head -c 3000000 /dev/zero >&2; cat; head -c 10 /dev/zero"}, input);
    CHECK(both.exit_code == 0);
    CHECK(both.err.size() == 3000000);
    CHECK(both.out.size() == input.size() + 10);
    // A child that does not read its stdin.
    command_result deaf = run_command({"/bin/sh", "-c", "exec 0<&-; echo done"}, input);
    CHECK(deaf.exit_code == 0);
    CHECK(deaf.out == "done\n");
  }

  TEST_CASE("run_command kills the whole process group after the timeout") {
    const auto start = clock_type::now();
    command_result result =
        run_command({"/bin/sh", "-c", "sleep 30 & echo started; sleep 30; wait"}, "", 0.5);
    CHECK(result.timed_out);
    CHECK(result.exit_code == 128 + 9);
    CHECK(result.out == "started\n");
    CHECK(seconds_since(start) < 5);
  }

  TEST_CASE("run_command passes extra environment variables and reports exec failures") {
    ::setenv("FIXTURE_TEST_REMOVED", "present", 1);
    command_result env = run_command(
        {"/bin/sh", "-c", "printf '%s|%s' \"$FIXTURE_TEST_ADDED\" \"${FIXTURE_TEST_REMOVED-unset}\""}, "", 10,
        {"FIXTURE_TEST_ADDED=a=b", "FIXTURE_TEST_REMOVED"});
    ::unsetenv("FIXTURE_TEST_REMOVED");
    CHECK(env.out == "a=b|unset");
    command_result missing = run_command({"/nonexistent/program"});
    CHECK(missing.exit_code == 127);
    CHECK(missing.err.find("/nonexistent/program") != std::string::npos);
  }

  TEST_CASE("project_root and program_path follow their environment variables") {
    const char *root = std::getenv("ARTISTFETCH_ROOT");
    const char *bin = std::getenv("ARTISTFETCH_BIN");
    const std::optional<std::string> saved_root = root ? std::optional<std::string>(root) : std::nullopt;
    const std::optional<std::string> saved_bin = bin ? std::optional<std::string>(bin) : std::nullopt;

    ::setenv("ARTISTFETCH_ROOT", "/some/root", 1);
    ::unsetenv("ARTISTFETCH_BIN");
    CHECK(test_support::project_root() == "/some/root");
    CHECK(test_support::program_path() == "/some/root/build/artistfetch");
    ::setenv("ARTISTFETCH_BIN", "/other/artistfetch", 1);
    CHECK(test_support::program_path() == "/other/artistfetch");
    ::unsetenv("ARTISTFETCH_ROOT");
    char cwd[4096];
    REQUIRE(::getcwd(cwd, sizeof cwd) != nullptr);
    CHECK(test_support::project_root() == cwd);

    if (saved_root) ::setenv("ARTISTFETCH_ROOT", saved_root->c_str(), 1);
    if (saved_bin)
      ::setenv("ARTISTFETCH_BIN", saved_bin->c_str(), 1);
    else
      ::unsetenv("ARTISTFETCH_BIN");
  }
}
