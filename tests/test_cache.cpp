// Tests of the response cache (src/cli/response_cache.cpp) on a temporary directory: round trips, atomic
// writes, every kind of damaged entry, the time to live and the run hooks.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cache/response_cache.hpp"
#include "cli/run_plan.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::temp_dir;
using test_support::files_in;
using test_support::read_file;

void write_file(const std::string &path, const std::string &content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

const std::string url_a = "http://127.0.0.1:8080/search?term=Lorde&entity=album&limit=5&sort=recent";
const std::string url_b = "http://127.0.0.1:8080/search?term=Dua+Lipa&entity=album&limit=5&sort=recent";
const std::string body = "\n\n\n{\"resultCount\":1,\"results\":[{\"artistName\":\"Lorde\"}]}\n";
constexpr std::time_t now = 1700000000;

itunes::artist_record ok_record(const std::string &artist) {
  itunes::artist_record record;
  record.artist = artist;
  record.ok = true;
  record.http_status = 200;
  record.attempts = 1;
  return record;
}

}  // namespace

TEST_SUITE("cache") {
  TEST_CASE("an entry stored is loaded back byte for byte while fresh") {
    temp_dir dir;
    cache::response_cache cache(dir.path(), 3600);
    CHECK(cache.prepare().empty());
    std::string loaded = "unchanged";
    CHECK_FALSE(cache.load(url_a, loaded, now));
    CHECK(loaded == "unchanged");
    CHECK(cache.store(url_a, body, now).empty());
    CHECK(cache.load(url_a, loaded, now + 10));
    CHECK(loaded == body);
    CHECK_FALSE(cache.load(url_b, loaded, now + 10));  // another URL, another entry

    const std::string binary("a\0b\n\xff", 5);  // any bytes survive
    CHECK(cache.store(url_b, binary, now).empty());
    CHECK(cache.load(url_b, loaded, now));
    CHECK(loaded == binary);
    CHECK(cache.store(url_a, "", now).empty());
    CHECK(cache.load(url_a, loaded, now));
    CHECK(loaded.empty());
  }

  TEST_CASE("a write leaves exactly one file per URL and no temporary file") {
    temp_dir dir;
    cache::response_cache cache(dir.path() + "/", 3600);  // a trailing slash is fine
    CHECK(cache.store(url_a, body, now).empty());
    CHECK(cache.store(url_a, body + "second", now + 1).empty());  // replaced, not added
    CHECK(cache.store(url_b, body, now).empty());
    const std::vector<std::string> files = files_in(dir.path());
    REQUIRE(files.size() == 2);
    for (const std::string &name : files) {
      CAPTURE(name);
      CHECK(name.size() == 16 + 6);
      CHECK(name.find(".entry") == 16);
      CHECK(name.find("tmp") == std::string::npos);
    }
    const std::string entry_a = cache.entry_path(url_a);
    CHECK(std::count(files.begin(), files.end(), entry_a.substr(entry_a.rfind('/') + 1)) == 1);
    std::string loaded;
    CHECK(cache.load(url_a, loaded, now + 1));
    CHECK(loaded == body + "second");
  }

  TEST_CASE("the entry file holds a readable header and the body") {
    temp_dir dir;
    cache::response_cache cache(dir.path(), 3600);
    CHECK(cache.store(url_a, body, now).empty());
    const std::string entry = read_file(cache.entry_path(url_a));
    const std::string header =
        "artistfetch-cache 1\n" + url_a + "\n1700000000\n" + std::to_string(body.size()) + "\n";
    CHECK(entry.rfind(header, 0) == 0);
    CHECK(entry.size() == header.size() + 17 + body.size());
    CHECK(entry.substr(entry.size() - body.size()) == body);
  }

  TEST_CASE("damaged entries are misses") {
    temp_dir dir;
    cache::response_cache cache(dir.path(), 3600);
    REQUIRE(cache.store(url_a, body, now).empty());
    const std::string path = cache.entry_path(url_a);
    const std::string good = read_file(path);
    std::string loaded;
    REQUIRE(cache.load(url_a, loaded, now));

    struct damage {
      const char *what;
      std::string content;
    };
    std::string flipped = good;
    flipped[flipped.size() - 5] ^= 0x20;  // one bit in the body
    std::string bad_time = good;
    bad_time.replace(bad_time.find("1700000000"), 10, "17000x0000");
    const std::vector<damage> damages = {
        {"empty", ""},
        {"magic only", "artistfetch-cache 1\n"},
        {"bad magic", "artistfetch-cache 2" + good.substr(19)},
        {"garbage",
         "\x7f"
         "ELF\x02\x01\x01 not an entry at all"},
        {"truncated body", good.substr(0, good.size() - 3)},
        {"truncated header", good.substr(0, good.find(url_a) + 10)},
        {"longer than announced", good + "extra"},
        {"body bit flipped", flipped},
        {"bad time", bad_time},
    };
    for (const damage &each : damages) {
      CAPTURE(each.what);
      write_file(path, each.content);
      loaded = "unchanged";
      CHECK_FALSE(cache.load(url_a, loaded, now));
      CHECK(loaded == "unchanged");
    }
    // A corrupt entry is simply overwritten by the next store.
    CHECK(cache.store(url_a, body, now).empty());
    CHECK(cache.load(url_a, loaded, now));

    // A directory where the entry should be is a miss too.
    std::remove(path.c_str());
    REQUIRE(mkdir(path.c_str(), 0700) == 0);
    CHECK_FALSE(cache.load(url_a, loaded, now));
    CHECK_FALSE(cache.store(url_a, body, now).empty());  // cannot replace a directory
    CHECK(files_in(dir.path()).size() == 1);             // and the temporary file is gone
    rmdir(path.c_str());
  }

  TEST_CASE("an entry for another URL in the same file is a miss") {
    temp_dir dir;
    cache::response_cache cache(dir.path(), 3600);
    REQUIRE(cache.store(url_b, body, now).empty());
    // Pretend url_a hashed to url_b's file: the URL stored inside tells them apart.
    REQUIRE(std::rename(cache.entry_path(url_b).c_str(), cache.entry_path(url_a).c_str()) == 0);
    std::string loaded;
    CHECK_FALSE(cache.load(url_a, loaded, now));
    CHECK_FALSE(cache.load(url_b, loaded, now));
  }

  TEST_CASE("entries expire after the time to live, and ttl 0 never serves") {
    temp_dir dir;
    cache::response_cache cache(dir.path(), 100);
    REQUIRE(cache.store(url_a, body, now).empty());
    std::string loaded;
    CHECK(cache.load(url_a, loaded, now));
    CHECK(cache.load(url_a, loaded, now + 99));
    CHECK_FALSE(cache.load(url_a, loaded, now + 100));
    CHECK_FALSE(cache.load(url_a, loaded, now + 100000));
    CHECK_FALSE(cache.load(url_a, loaded, now - 1));  // stored "in the future": the clock went back

    cache::response_cache never_fresh(dir.path(), 0);
    CHECK(never_fresh.store(url_b, body, now).empty());  // still stored
    CHECK_FALSE(never_fresh.load(url_b, loaded, now));
    CHECK(cache.load(url_b, loaded, now));  // the entry itself is fine
  }

  TEST_CASE("prepare creates missing directories and refuses unusable ones") {
    temp_dir dir;
    const std::string nested = dir.path() + "/a/b";
    cache::response_cache cache(nested, 60);
    CHECK(cache.prepare().empty());
    struct stat info {};
    CHECK(stat(nested.c_str(), &info) == 0);
    CHECK(S_ISDIR(info.st_mode));
    CHECK(cache.prepare().empty());  // already there
    CHECK(cache.store(url_a, body, now).empty());

    const std::string file = dir.path() + "/file";
    write_file(file, "x");
    const std::string under_file = cache::response_cache(file + "/cache", 60).prepare();
    CHECK(under_file.find(file) != std::string::npos);
    CHECK(under_file.find("cannot create") != std::string::npos);
    const std::string is_file = cache::response_cache(file, 60).prepare();
    CHECK(is_file.find("not a directory") != std::string::npos);
    std::remove((nested + "/" + files_in(nested)[0]).c_str());
    rmdir(nested.c_str());
  }

  TEST_CASE("fnv1a_64 matches the published test vectors") {
    CHECK(cache::fnv1a_64("") == 0xcbf29ce484222325ULL);
    CHECK(cache::fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(cache::fnv1a_64("foobar") == 0x85944171f73967e8ULL);
  }
}

TEST_SUITE("cache hooks") {
  TEST_CASE("the cached answers serve fresh entries and store new ok answers only") {
    temp_dir dir;
    const std::vector<std::string> urls = {url_a, url_b, url_a + "&x=3"};
    cache::response_cache cache(dir.path(), 3600);
    REQUIRE(cache.store(url_a, body, std::time(nullptr)).empty());
    cache::cached_answers answers(cache, urls);

    std::string served;
    CHECK(answers.load(0, served));
    CHECK(served == body);
    CHECK_FALSE(answers.load(1, served));
    CHECK_FALSE(answers.load(2, served));
    CHECK_FALSE(answers.load(7, served));  // out of range: no cache

    // The served artist completes with its cached body: it must not be written again (its age stays).
    const std::string entry_before = read_file(cache.entry_path(url_a));
    answers.artist_finished(0, ok_record("Lorde"), body);
    CHECK(read_file(cache.entry_path(url_a)) == entry_before);

    // A new ok answer is stored; an error record (empty body) is not.
    answers.artist_finished(1, ok_record("Dua Lipa"), "{\"results\":[]}");
    itunes::artist_record failed;
    failed.artist = "x";
    failed.error = "HTTP 403, the API may be throttling";
    failed.http_status = 403;
    answers.artist_finished(2, failed, "");
    std::string loaded;
    CHECK(cache.load(url_b, loaded, std::time(nullptr)));
    CHECK(loaded == "{\"results\":[]}");
    CHECK_FALSE(cache.load(urls[2], loaded, std::time(nullptr)));
    CHECK(files_in(dir.path()).size() == 2);
    CHECK(answers.problem().empty());
  }

  TEST_CASE("a failed write is kept as the cached answers' problem instead of being printed") {
    temp_dir dir;
    cache::response_cache cache(dir.path() + "/missing", 3600);  // never prepared: every write fails
    cache::cached_answers answers(cache, {url_a, url_b});
    answers.artist_finished(0, ok_record("Lorde"), body);
    answers.artist_finished(1, ok_record("Dua Lipa"), body);
    CHECK(answers.problem().find("cannot write in the cache directory") != std::string::npos);
  }

  TEST_CASE("open_configured_cache prefers --cache-dir, falls back to the environment, else none") {
    temp_dir dir;
    cli::options opts;
    opts.artists = {"Lorde"};
    opts.base_url = "http://127.0.0.1:1/search";
    std::string problem;

    CHECK(cli::open_configured_cache(opts, cli::make_run_plan(opts), nullptr, problem) == nullptr);
    CHECK(problem.empty());
    CHECK(cli::open_configured_cache(opts, cli::make_run_plan(opts), "", problem) == nullptr);
    CHECK(problem.empty());

    CHECK(cli::open_configured_cache(opts, cli::make_run_plan(opts), (dir.path() + "/env").c_str(), problem));
    CHECK(problem.empty());
    CHECK(files_in(dir.path()) == std::vector<std::string>{"env"});

    opts.cache_dir = dir.path() + "/flag";
    CHECK(cli::open_configured_cache(opts, cli::make_run_plan(opts), (dir.path() + "/env").c_str(), problem));
    CHECK(files_in(dir.path()) == std::vector<std::string>{"env", "flag"});

    write_file(dir.path() + "/file", "x");
    opts.cache_dir = dir.path() + "/file/cache";
    CHECK(cli::open_configured_cache(opts, cli::make_run_plan(opts), nullptr, problem) == nullptr);
    CHECK_FALSE(problem.empty());
  }
}
