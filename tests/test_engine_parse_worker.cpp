// The parse worker: answers handed over in batches become the same records the loop thread would make, each
// exactly once, with hooks that never run concurrently; past its backlog the submitting thread parses itself.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/parse_worker.hpp"
#include "engine/completion_relay.hpp"
#include "itunes/aggregator.hpp"

namespace {

std::string body_for(const std::string &artist, int albums) {
  std::string body = R"({"resultCount":)" + std::to_string(albums) + R"(,"results":[)";
  for (int i = 0; i < albums; ++i) {
    if (i > 0) body += ",";
    body += R"({"artistName":")" + artist + R"(","collectionName":"Album )" + std::to_string(i) + R"("})";
  }
  return body + "]}";
}

// Counts artist_finished calls and fails if two observer calls ever overlap.
struct finish_watch : engine::run_observer {
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<int> calls;
  std::vector<std::size_t> body_sizes;

  engine::run_hooks hooks(std::size_t artists) {
    calls.assign(artists, 0);
    body_sizes.assign(artists, 0);
    engine::run_hooks made;
    made.observers.push_back(this);
    return made;
  }

  void artist_finished(std::size_t index, const itunes::artist_record &, std::string_view body) override {
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
    ++calls[index];
    body_sizes[index] = body.size();
    std::this_thread::yield();  // widen the window a second caller would hit
    inside.fetch_sub(1);
  }

  void request_started(std::size_t) override {
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
    std::this_thread::yield();
    inside.fetch_sub(1);
  }
};

}  // namespace

TEST_SUITE("parse worker") {
  TEST_CASE("every answer becomes the record the aggregator itself would make, once, with its body") {
    std::vector<std::string> artists;
    for (int i = 0; i < 300; ++i) artists.push_back("Artist " + std::to_string(i));
    itunes::aggregator report(artists);
    itunes::aggregator expected(artists);
    finish_watch watch;
    const engine::run_hooks hooks = watch.hooks(artists.size());
    engine::completion_relay relay(report, hooks);
    {
      engine::parse_worker worker(relay, 1000);
      for (std::size_t i = 0; i < artists.size(); ++i) {
        std::string body = body_for(i % 3 == 0 ? "Someone Else" : artists[i], static_cast<int>(i % 4));
        expected.complete_with_response(i, 200, body, 1);
        worker.submit(i, 1, body);
        CHECK(body.empty());  // taken, not copied
        relay.request_started(i);  // the loop thread keeps calling hooks meanwhile
        if (i % 25 == 24) worker.flush();
      }
      worker.finish();
      worker.finish();  // idempotent
    }
    CHECK(watch.overlaps.load() == 0);
    const std::vector<itunes::artist_record> got = report.take_report().to_vector();
    const std::vector<itunes::artist_record> want = expected.take_report().to_vector();
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CAPTURE(i);
      CHECK(watch.calls[i] == 1);
      CHECK(watch.body_sizes[i] > 0);
      CHECK(got[i].ok);
      CHECK(got[i].artist == want[i].artist);
      CHECK(got[i].results.size() == want[i].results.size());
      CHECK(got[i].suggestions == want[i].suggestions);
    }
  }

  TEST_CASE("past the backlog the submitting thread records the answer itself, before any flush") {
    const std::vector<std::string> artists{"A", "B", "C", "D"};
    itunes::aggregator report(artists);
    const engine::run_hooks hooks;
    engine::completion_relay relay(report, hooks);
    engine::parse_worker worker(relay, 2);
    for (std::size_t i = 0; i < artists.size(); ++i) {
      std::string body = body_for(artists[i], 1);
      worker.submit(i, 2, body);
    }
    // Nothing was flushed: the first two wait in the queue, the last two were parsed on this thread.
    CHECK_FALSE(report.is_complete(0));
    CHECK_FALSE(report.is_complete(1));
    CHECK(report.is_complete(2));
    CHECK(report.is_complete(3));
    worker.finish();
    for (std::size_t i = 0; i < artists.size(); ++i) {
      CHECK(report.is_complete(i));
      CHECK(report.record(i).results.size() == 1);
      CHECK(report.record(i).attempts == 2);
    }
  }

  TEST_CASE("a body that does not parse gives that artist an error record and no other") {
    const std::vector<std::string> artists{"Good", "Bad"};
    itunes::aggregator report(artists);
    const engine::run_hooks hooks;
    engine::completion_relay relay(report, hooks);
    engine::parse_worker worker(relay, 10);
    std::string good = body_for("Good", 2);
    std::string bad = "<html>not json</html>";
    worker.submit(0, 1, good);
    worker.submit(1, 1, bad);
    worker.finish();
    CHECK(report.record(0).ok);
    CHECK(report.record(0).results.size() == 2);
    CHECK_FALSE(report.record(1).ok);
    CHECK_FALSE(report.record(1).error.empty());
  }
}
