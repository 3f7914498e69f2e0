// Helpers shared by the tests.
#ifndef DUBAN_TESTS_TEST_UTIL_H_
#define DUBAN_TESTS_TEST_UTIL_H_

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace duban::testing {

// A fresh empty folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "duban-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!std::getenv("DUBAN_KEEP_TEST_DIRS")) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// How many times longer than usual a test waits for something to happen:
// DUBAN_TEST_TIME_SCALE, a number from 1 to 100 (1 when unset or not such a
// number). scripts/sanitize.sh sets it, since sanitized code runs several
// times slower. It changes how long a test waits (for duband to start, for
// an RPC to be answered, for a file to appear), never what the test checks.
inline double ParseTimeScale(const char* text) {
  if (text == nullptr) return 1.0;
  char* end = nullptr;
  double v = std::strtod(text, &end);
  return (end != text && *end == '\0' && v >= 1 && v <= 100) ? v : 1.0;
}
inline double TimeScale() {
  static const double scale = ParseTimeScale(std::getenv("DUBAN_TEST_TIME_SCALE"));
  return scale;
}

// A wait of `d`, stretched by TimeScale().
inline std::chrono::milliseconds Scaled(std::chrono::milliseconds d) {
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(d.count() * TimeScale()));
}

// An RPC deadline `d` from now, stretched by TimeScale()
// (for grpc::ClientContext::set_deadline).
inline std::chrono::system_clock::time_point DeadlineIn(std::chrono::milliseconds d) {
  return std::chrono::system_clock::now() + Scaled(d);
}

inline std::string SourcePath(const std::string& rel) { return std::string(DUBAN_SOURCE_DIR) + "/" + rel; }
inline std::string BinaryPath(const std::string& rel) { return std::string(DUBAN_BINARY_DIR) + "/" + rel; }

// The whole content of a file ("" when it cannot be read).
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces a file's content.
inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// How many times `needle` occurs in the file (e.g. a daemon's log).
inline int CountInFile(const std::string& path, const std::string& needle) {
  std::string text = ReadFile(path);
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Runs a shell command line; its exit status (-1 when it did not exit), its
// standard output appended to *out (add 2>&1 to the line for errors too).
inline int RunCommand(const std::string& line, std::string* out) {
  FILE* p = ::popen(line.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace duban::testing

#endif  // DUBAN_TESTS_TEST_UTIL_H_
