// Small helpers for reading duban's YAML files with errors that name the
// file, the line and the reason.
#ifndef DUBAN_ENGINE_STORAGE_YAML_UTIL_H_
#define DUBAN_ENGINE_STORAGE_YAML_UTIL_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace duban::yamlx {

// A parsed document and the file name to cite.
struct Doc {
  std::string file;
  YAML::Node root;
};

absl::StatusOr<Doc> Parse(absl::string_view file, absl::string_view text);
absl::StatusOr<Doc> ParseFile(const std::string& path);

// "<file>:<line>: <what>" as INVALID_ARGUMENT. line is 1-based.
absl::Status Error(const Doc& doc, const YAML::Node& at, absl::string_view what);

// Field readers: `path` is the dotted location used in messages.
absl::StatusOr<std::string> String(const Doc& doc, const YAML::Node& map, absl::string_view key,
                                   absl::string_view path, bool required);
absl::StatusOr<double> Number(const Doc& doc, const YAML::Node& map, absl::string_view key,
                              absl::string_view path, bool required, double fallback = 0);
absl::StatusOr<int> Int(const Doc& doc, const YAML::Node& map, absl::string_view key,
                        absl::string_view path, bool required, int fallback = 0);
absl::StatusOr<bool> Bool(const Doc& doc, const YAML::Node& map, absl::string_view key,
                          absl::string_view path, bool fallback);
absl::StatusOr<std::vector<std::string>> StringList(const Doc& doc, const YAML::Node& map,
                                                    absl::string_view key, absl::string_view path);
// The node under key, which must be a sequence (empty when absent and not required).
absl::StatusOr<YAML::Node> Seq(const Doc& doc, const YAML::Node& map, absl::string_view key,
                               absl::string_view path, bool required);
absl::StatusOr<YAML::Node> Map(const Doc& doc, const YAML::Node& map, absl::string_view key,
                               absl::string_view path, bool required);
// Fails on keys that are not in `known`, to catch misspellings.
absl::Status OnlyKeys(const Doc& doc, const YAML::Node& map, absl::string_view path,
                      const std::vector<absl::string_view>& known);

}  // namespace duban::yamlx

#endif  // DUBAN_ENGINE_STORAGE_YAML_UTIL_H_
