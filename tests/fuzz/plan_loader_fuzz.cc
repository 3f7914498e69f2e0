// libFuzzer target: the plan loader on arbitrary YAML, against an empty
// directory and against one that knows a unit "fgj" (name 市发改局).
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/plans/plan_loader.h"
#include "engine/storage/yaml_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = duban::yamlx::Parse("fuzz.yaml", text);
  if (!doc.ok()) return 0;
  auto none = [](absl::string_view) { return std::optional<duban::v1::UnitRef>(); };
  auto no_members = [](absl::string_view) { return std::vector<std::string>(); };
  (void)duban::LoadPlan(*doc, none, no_members);
  auto one = [](absl::string_view name) {
    std::optional<duban::v1::UnitRef> r;
    if (name == "fgj" || name == "市发改局") {
      r.emplace();
      r->set_unit_id("fgj");
    }
    return r;
  };
  (void)duban::LoadPlan(*doc, one, no_members);
  return 0;
}
