#include "flags.h"

#include <charconv>
#include <limits>

namespace dubanctl {

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return std::nullopt;
  if (it->second.size() > 1) throw UsageError("--" + name + ": given more than once");
  return it->second.front();
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  auto v = Get(name);
  return v ? *v : fallback;
}

std::string Args::Require(const std::string& name) const {
  auto v = Get(name);
  if (!v || v->empty()) throw UsageError("--" + name + ": required");
  return *v;
}

std::vector<std::string> Args::All(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return {};
  return it->second;
}

std::vector<std::string> Args::SplitList(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    size_t b = cur.find_first_not_of(" \t");
    size_t e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == ',') {
      flush();
    } else if (v.compare(i, 3, "\xE3\x80\x81") == 0) {  // 、
      flush();
      i += 2;
    } else if (v.compare(i, 3, "\xEF\xBC\x8C") == 0) {  // ，
      flush();
      i += 2;
    } else {
      cur.push_back(v[i]);
    }
  }
  flush();
  return out;
}

std::vector<std::string> Args::List(const std::string& name) const {
  std::vector<std::string> out;
  for (const std::string& v : All(name)) {
    for (auto& w : SplitList(v)) out.push_back(std::move(w));
  }
  return out;
}

bool Args::Bool(const std::string& name) const {
  auto v = Get(name);
  if (!v) return false;
  if (*v == "true" || *v == "1" || *v == "yes" || v->empty()) return true;
  if (*v == "false" || *v == "0" || *v == "no") return false;
  throw UsageError("--" + name + ": '" + *v + "' is not true or false");
}

std::optional<uint64_t> Args::Uint(const std::string& name) const {
  auto v = Get(name);
  if (!v) return std::nullopt;
  uint64_t n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || r.ec != std::errc() || r.ptr != v->data() + v->size()) {
    throw UsageError("--" + name + ": '" + *v + "' is not a non-negative whole number");
  }
  return n;
}

std::optional<int32_t> Args::Int(const std::string& name) const {
  auto n = Uint(name);
  if (!n) return std::nullopt;
  if (*n > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    throw UsageError("--" + name + ": " + std::to_string(*n) + " is too large");
  }
  return static_cast<int32_t>(*n);
}

}  // namespace dubanctl
