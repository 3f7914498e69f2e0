// Command-line parsing for dubanctl: positional words and --flags, given as
// --name=value or --name value, anywhere on the line ("--" ends the flags).
#ifndef DUBAN_CLIENTS_CLI_ARGS_H_
#define DUBAN_CLIENTS_CLI_ARGS_H_

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
  // `booleans` are the flags that take no value (--json, --all, ...); every
  // other flag takes one, from "=value" or from the next word.
  static Args Parse(int argc, char** argv, const std::set<std::string>& booleans);

  const std::vector<std::string>& positional() const { return positional_; }

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

  // UsageError naming the first flag not in `allowed`.
  void CheckAllowed(const std::set<std::string>& allowed) const;
  // Takes a flag out (used for the global flags once they are read).
  void Erase(const std::string& name) { flags_.erase(name); }

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> flags_;
};

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_CLI_ARGS_H_
