// libFuzzer target: the rule-file loaders (work calendar, cadences,
// supervision, assessment) and the accounts file on arbitrary YAML. The
// first byte picks the loader.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/accountability/assessment.h"
#include "engine/storage/yaml_util.h"
#include "engine/supervision/supervision.h"
#include "engine/time/cadence.h"
#include "engine/time/work_calendar.h"
#include "services/auth/auth_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 5 == 4) {
    duban::auth::AuthConfig c;
    (void)duban::auth::ParseAccounts("accounts.yaml", text, &c);
    return 0;
  }
  auto doc = duban::yamlx::Parse("rules.yaml", text);
  if (!doc.ok()) return 0;
  switch (data[0] % 5) {
    case 0: (void)duban::WorkCalendar::Load(*doc); break;
    case 1: (void)duban::LoadCadences(*doc); break;
    case 2: (void)duban::LoadSupervision(*doc); break;
    case 3: (void)duban::LoadAssessment(*doc); break;
  }
  return 0;
}
