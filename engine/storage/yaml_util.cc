#include "engine/storage/yaml_util.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace duban::yamlx {

namespace {

// The first map key that appears twice in one mapping (yaml-cpp keeps both
// pairs and lookups see only the first), or a nesting deeper than any
// duban file needs.
absl::Status CheckKeys(const Doc& doc, const YAML::Node& node, int depth) {
  if (depth > 64) return Error(doc, node, "nested too deeply");
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second) {
        return Error(doc, kv.first, absl::StrCat("duplicate key '", kv.first.Scalar(), "'"));
      }
      absl::Status s = CheckKeys(doc, kv.second, depth + 1);
      if (!s.ok()) return s;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      absl::Status s = CheckKeys(doc, item, depth + 1);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Doc> Parse(absl::string_view file, absl::string_view text) {
  Doc doc{std::string(file), {}};
  try {
    doc.root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  if (!doc.root.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ":1: the document must be a mapping"));
  }
  absl::Status keys = CheckKeys(doc, doc.root, 0);
  if (!keys.ok()) return keys;
  return doc;
}

absl::StatusOr<Doc> ParseFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(path, ss.str());
}

absl::Status Error(const Doc& doc, const YAML::Node& at, absl::string_view what) {
  int line = at.IsDefined() ? at.Mark().line + 1 : 0;
  if (line <= 0) line = 1;
  return absl::InvalidArgumentError(absl::StrCat(doc.file, ":", line, ": ", what));
}

static std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

absl::StatusOr<std::string> String(const Doc& doc, const YAML::Node& map, absl::string_view key,
                                   absl::string_view path, bool required) {
  YAML::Node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) return Error(doc, map, absl::StrCat(Join(path, key), ": required"));
    return std::string();
  }
  if (!n.IsScalar()) return Error(doc, n, absl::StrCat(Join(path, key), ": must be a string"));
  return n.Scalar();
}

absl::StatusOr<double> Number(const Doc& doc, const YAML::Node& map, absl::string_view key,
                              absl::string_view path, bool required, double fallback) {
  YAML::Node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) return Error(doc, map, absl::StrCat(Join(path, key), ": required"));
    return fallback;
  }
  try {
    return n.as<double>();
  } catch (const YAML::Exception&) {
    return Error(doc, n, absl::StrCat(Join(path, key), ": '", n.IsScalar() ? n.Scalar() : "",
                                      "' is not a number"));
  }
}

absl::StatusOr<int> Int(const Doc& doc, const YAML::Node& map, absl::string_view key,
                        absl::string_view path, bool required, int fallback) {
  YAML::Node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) return Error(doc, map, absl::StrCat(Join(path, key), ": required"));
    return fallback;
  }
  try {
    return n.as<int>();
  } catch (const YAML::Exception&) {
    return Error(doc, n, absl::StrCat(Join(path, key), ": '", n.IsScalar() ? n.Scalar() : "",
                                      "' is not a whole number"));
  }
}

absl::StatusOr<bool> Bool(const Doc& doc, const YAML::Node& map, absl::string_view key,
                          absl::string_view path, bool fallback) {
  YAML::Node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) return fallback;
  try {
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    return Error(doc, n, absl::StrCat(Join(path, key), ": must be true or false"));
  }
}

absl::StatusOr<std::vector<std::string>> StringList(const Doc& doc, const YAML::Node& map,
                                                    absl::string_view key, absl::string_view path) {
  std::vector<std::string> out;
  YAML::Node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) return Error(doc, n, absl::StrCat(Join(path, key), ": must be a list"));
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      return Error(doc, n[i], absl::StrCat(Join(path, key), "[", i, "]: must be a string"));
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

absl::StatusOr<YAML::Node> Seq(const Doc& doc, const YAML::Node& map, absl::string_view key,
                               absl::string_view path, bool required) {
  YAML::Node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) return Error(doc, map, absl::StrCat(Join(path, key), ": required"));
    return YAML::Node(YAML::NodeType::Sequence);
  }
  if (!n.IsSequence()) return Error(doc, n, absl::StrCat(Join(path, key), ": must be a list"));
  return n;
}

absl::StatusOr<YAML::Node> Map(const Doc& doc, const YAML::Node& map, absl::string_view key,
                               absl::string_view path, bool required) {
  YAML::Node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) return Error(doc, map, absl::StrCat(Join(path, key), ": required"));
    return YAML::Node(YAML::NodeType::Map);
  }
  if (!n.IsMap()) return Error(doc, n, absl::StrCat(Join(path, key), ": must be a mapping"));
  return n;
}

absl::Status OnlyKeys(const Doc& doc, const YAML::Node& map, absl::string_view path,
                      const std::vector<absl::string_view>& known) {
  if (!map.IsMap()) return Error(doc, map, absl::StrCat(path, ": must be a mapping"));
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string& k = it->first.Scalar();
    bool ok = false;
    for (auto kk : known) ok = ok || kk == k;
    if (!ok) return Error(doc, it->first, absl::StrCat(Join(path, k), ": unknown field"));
  }
  return absl::OkStatus();
}

}  // namespace duban::yamlx
