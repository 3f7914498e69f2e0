// Helpers shared by the tests.
#ifndef DUBAN_TESTS_TEST_UTIL_H_
#define DUBAN_TESTS_TEST_UTIL_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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

inline std::string SourcePath(const std::string& rel) { return std::string(DUBAN_SOURCE_DIR) + "/" + rel; }
inline std::string BinaryPath(const std::string& rel) { return std::string(DUBAN_BINARY_DIR) + "/" + rel; }

}  // namespace duban::testing

#endif  // DUBAN_TESTS_TEST_UTIL_H_
