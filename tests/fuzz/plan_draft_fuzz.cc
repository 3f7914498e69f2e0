// libFuzzer target for the plan-draft parser: any bytes give either an
// error status or a draft whose plan file, cadence file and report are
// written, and whose YAML parses. A crash, a sanitizer report or a YAML
// error is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/plans/draft/plan_draft.h"
#include "yaml-cpp/yaml.h"

namespace {

const duban::plandraft::Directory& Dir() {
  static const duban::plandraft::Directory* d = [] {
    auto* dir = new duban::plandraft::Directory();
    dir->set_jurisdiction("ningxiang", "宁乡市");
    dir->Add({"fgj", "市发改局", "department", {"发改局"}, false});
    dir->Add({"swj", "市商务局", "department", {"商务局"}, false});
    dir->Add({"yjj", "市应急管理局", "department", {}, false, {"危险化学品", "工矿"}});
    // Sectors, two units sharing one: the sector-heading rule and its ambiguity.
    dir->Add({"zjj", "市住建局", "department", {}, false, {"建筑施工", "自建房", "城镇燃气"}});
    dir->Add({"cgj", "市城管局", "department", {}, false, {"城镇燃气", "燃气"}});
    dir->Add({"zzb", "市委组织部", "department", {"市委组织部（人才服务中心）"}, false});
    dir->Add({"jkq", "宁乡经开区", "park", {}, false});
    dir->Add({"各乡镇（街道）", "各乡镇（街道）", "", {"各乡镇街道"}, true});
    dir->Add({"各园区", "各园区", "", {}, true});
    return dir;
  }();
  return *d;
}

void MustParse(const std::string& yaml) {
  try {
    (void)YAML::Load(yaml);
  } catch (const YAML::Exception&) {
    std::abort();  // the writer produced YAML that does not parse
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto d = duban::plandraft::ParsePlanText(text, Dir(), {.plan_id = "fuzz"});
  if (!d.ok()) return 0;
  MustParse(duban::plandraft::WritePlanYaml(*d, Dir()));
  MustParse(duban::plandraft::WriteCadencesYaml(*d));
  (void)duban::plandraft::WriteReport(*d);
  return 0;
}
