#include "run_output.hpp"

#include <dirent.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace test_support {

std::vector<std::string> lines_of(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

rapidjson::Document parse_line(const std::string &line) {
  rapidjson::Document record;
  record.Parse(line.c_str(), line.size());
  REQUIRE_MESSAGE(!record.HasParseError(), line);
  REQUIRE(record.IsObject());
  return record;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> files_in(const std::string &directory) {
  std::vector<std::string> names;
  if (DIR *dir = opendir(directory.c_str())) {
    while (const dirent *entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

void remove_tree(const std::string &path) {
  if (DIR *dir = opendir(path.c_str())) {
    while (const dirent *entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      const std::string child = path + "/" + name;
      struct stat info {};
      if (lstat(child.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
        remove_tree(child);
      else
        std::remove(child.c_str());
    }
    closedir(dir);
  }
  rmdir(path.c_str());
}

}  // namespace

temp_dir::temp_dir(const std::string &prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

temp_dir::~temp_dir() {
  remove_tree(path_);
}

std::string read_fixture(const std::string &name) {
  std::string path = "tests/fixtures/" + name;
  if (const char *root = std::getenv("ARTISTFETCH_ROOT"); root != nullptr && *root != '\0') {
    path = std::string(root) + "/" + path;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(),
                  "cannot open " << path << " (run from the repository root or set ARTISTFETCH_ROOT)");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace test_support
