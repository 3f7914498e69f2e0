// The organisation directory names are resolved against.
#include <algorithm>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/plans/draft/internal.h"
#include "engine/plans/draft/plan_draft.h"
#include "engine/plans/draft/rules.h"
#include "yaml-cpp/yaml.h"

namespace duban::plandraft {
namespace {

std::string Key(const std::string& s) { return internal::RemoveBlanks(internal::NormalizeText(s)); }

// The short forms of a name: "市发改局" -> "发改局"; "宁乡市发改局" -> "发改局".
std::vector<std::string> ShortForms(const std::string& key, const std::string& jurisdiction) {
  std::vector<std::string> prefixes = GetRules().short_name_prefixes;
  if (!jurisdiction.empty()) {
    prefixes.insert(prefixes.begin(), Key(jurisdiction));
    // "宁乡市" -> also "宁乡"
    if (absl::EndsWith(Key(jurisdiction), "市") || absl::EndsWith(Key(jurisdiction), "县") ||
        absl::EndsWith(Key(jurisdiction), "区")) {
      std::string j = Key(jurisdiction);
      prefixes.insert(prefixes.begin() + 1, j.substr(0, j.size() - 3));
    }
  }
  std::vector<std::string> out = {key};
  for (const auto& p : prefixes) {
    if (!p.empty() && absl::StartsWith(key, p) && key.size() > p.size() + 3) out.push_back(key.substr(p.size()));
  }
  return out;
}

}  // namespace

absl::StatusOr<Directory> Directory::FromPlanYaml(absl::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("directory: not YAML: ", e.what()));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError("directory: not a plan file (no top-level map)");
  Directory d;
  try {
    if (root["jurisdiction"] && root["jurisdiction"].IsMap()) {
      d.set_jurisdiction(root["jurisdiction"]["id"].as<std::string>(""), root["jurisdiction"]["name"].as<std::string>(""));
    }
    if (root["units"] && root["units"].IsSequence()) {
      for (const auto& u : root["units"]) {
        DirectoryEntry e;
        e.id = u["id"].as<std::string>("");
        e.name = u["name"].as<std::string>("");
        e.category = u["category"].as<std::string>("other");
        if (u["aliases"] && u["aliases"].IsSequence()) {
          for (const auto& a : u["aliases"]) e.aliases.push_back(a.as<std::string>(""));
        }
        if (u["sectors"] && u["sectors"].IsSequence()) {
          for (const auto& s : u["sectors"]) e.sectors.push_back(s.as<std::string>(""));
        }
        if (e.id.empty() || e.name.empty()) return absl::InvalidArgumentError("directory: units: a unit without id or name");
        d.Add(std::move(e));
      }
    }
    if (root["unit_groups"] && root["unit_groups"].IsSequence()) {
      for (const auto& g : root["unit_groups"]) {
        DirectoryEntry e;
        e.name = g["name"].as<std::string>("");
        e.id = e.name;
        e.group = true;
        if (g["aliases"] && g["aliases"].IsSequence()) {
          for (const auto& a : g["aliases"]) e.aliases.push_back(a.as<std::string>(""));
        }
        if (e.name.empty()) return absl::InvalidArgumentError("directory: unit_groups: a group without a name");
        d.Add(std::move(e));
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("directory: ", e.what()));
  }
  if (d.entries().empty()) return absl::InvalidArgumentError("directory: units: none in the file");
  return d;
}

void Directory::Add(DirectoryEntry e) {
  size_t idx = entries_.size();
  entries_.push_back(std::move(e));
  const DirectoryEntry& en = entries_.back();
  std::vector<std::string> names = {en.name};
  names.insert(names.end(), en.aliases.begin(), en.aliases.end());
  exact_.emplace(en.id, idx);
  for (const auto& n : names) {
    std::string k = Key(n);
    if (k.empty()) continue;
    exact_.emplace(k, idx);
    auto forms = ShortForms(k, jurisdiction_name_);
    for (size_t i = 1; i < forms.size(); ++i) short_[forms[i]].push_back(idx);
  }
}

const DirectoryEntry* Directory::ById(const std::string& id) const {
  for (const auto& e : entries_) {
    if (e.id == id) return &e;
  }
  for (const auto& e : fetched_) {
    if (e->id == id) return e.get();
  }
  return nullptr;
}

Directory::Match Directory::Resolve(const std::string& name) const {
  Match m;
  std::string k = Key(name);
  if (k.empty()) return m;
  if (auto it = exact_.find(k); it != exact_.end()) {
    m.entry = &entries_[it->second];
    return m;
  }
  // "发改局" for "市发改局", "宁乡市发改局" for "市发改局".
  auto forms = ShortForms(k, jurisdiction_name_);
  for (const auto& f : forms) {
    for (const auto& p : GetRules().short_name_prefixes) {
      if (auto it = exact_.find(p + f); it != exact_.end()) {
        m.entry = &entries_[it->second];
        return m;
      }
    }
  }
  for (const auto& f : forms) {
    auto it = short_.find(f);
    if (it == short_.end()) continue;
    std::set<size_t> distinct(it->second.begin(), it->second.end());
    if (distinct.size() == 1) {
      m.entry = &entries_[*distinct.begin()];
      return m;
    }
    m.ambiguous = true;
    for (size_t i : distinct) m.candidates.push_back(entries_[i].id);
    return m;
  }
  if (fallback_) {
    for (const auto& e : fetched_) {
      if (Key(e->name) == k) {
        m.entry = e.get();
        return m;
      }
    }
    if (auto e = fallback_(name); e.has_value()) {
      fetched_.push_back(std::make_shared<DirectoryEntry>(*e));
      m.entry = fetched_.back().get();
    }
  }
  return m;
}

std::vector<Directory::SectorMatch> Directory::SectorsIn(const std::string& text) const {
  std::string t = Key(text);
  // Declared sector (normalised) -> the units declaring it, in directory order.
  std::map<std::string, std::vector<std::string>> declared;
  for (const auto& e : entries_) {
    for (const auto& s : e.sectors) {
      std::string k = Key(s);
      if (k.empty()) continue;
      auto& ids = declared[k];
      if (std::find(ids.begin(), ids.end(), e.id) == ids.end()) ids.push_back(e.id);
    }
  }
  struct Hit {
    size_t at, len;
    const std::string* sector;
  };
  std::vector<Hit> hits;
  for (const auto& [k, ids] : declared) {
    for (size_t at = t.find(k); at != std::string::npos; at = t.find(k, at + 1)) hits.push_back({at, k.size(), &k});
  }
  // Longest first, then leftmost.
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.len != b.len ? a.len > b.len : a.at < b.at;
  });
  std::vector<SectorMatch> out;
  std::vector<std::pair<size_t, size_t>> spans;  // of out, byte ranges
  for (const Hit& h : hits) {
    bool taken = false;
    for (size_t i = 0; i < out.size(); ++i) {
      auto [b, e] = spans[i];
      if (h.at >= e || h.at + h.len <= b) continue;
      taken = true;
      // The same length over the same words: two readings, both kept as candidates.
      if (e - b == h.len && *h.sector != out[i].sector) {
        for (const auto& id : declared[*h.sector]) {
          if (std::find(out[i].unit_ids.begin(), out[i].unit_ids.end(), id) == out[i].unit_ids.end()) {
            out[i].unit_ids.push_back(id);
          }
        }
        absl::StrAppend(&out[i].sector, "/", *h.sector);
      }
      break;
    }
    if (taken) continue;
    out.push_back({*h.sector, declared[*h.sector], h.at});
    spans.push_back({h.at, h.at + h.len});
  }
  std::sort(out.begin(), out.end(), [](const SectorMatch& a, const SectorMatch& b) { return a.at < b.at; });
  return out;
}

}  // namespace duban::plandraft
