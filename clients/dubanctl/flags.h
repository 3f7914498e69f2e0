// The flags given to one dubanctl command, as CLI11 parsed them (every value
// of every flag, by name without the dashes), and their typed reading.
#ifndef DUBAN_CLIENTS_DUBANCTL_FLAGS_H_
#define DUBAN_CLIENTS_DUBANCTL_FLAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace dubanctl {

// A mistake on the command line: reported with the usage hint, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  Args() = default;
  // `flags`: name -> every value given, in order ("true"/"false" for a flag
  // that takes no value).
  explicit Args(std::map<std::string, std::vector<std::string>> flags) : flags_(std::move(flags)) {}

  bool Has(const std::string& name) const { return flags_.count(name) > 0; }
  // The value of a single-valued flag; UsageError when it is given twice.
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  // UsageError "--name: required" when absent or empty.
  std::string Require(const std::string& name) const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> All(const std::string& name) const;
  // Every value, each split at commas (and the Chinese 、), blanks dropped.
  std::vector<std::string> List(const std::string& name) const;
  // One word split as List splits a flag's value.
  static std::vector<std::string> SplitList(const std::string& v);
  bool Bool(const std::string& name) const;
  std::optional<uint64_t> Uint(const std::string& name) const;
  std::optional<int32_t> Int(const std::string& name) const;

 private:
  std::map<std::string, std::vector<std::string>> flags_;
};

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_DUBANCTL_FLAGS_H_
