#include "services/rule_reload.h"

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

// A rule file that does not load: INVALID_ARGUMENT whatever the cause.
absl::Status FileError(const absl::Status& s) {
  if (s.ok() || absl::IsInvalidArgument(s)) return s;
  return absl::InvalidArgumentError(s.message());
}

}  // namespace

absl::StatusOr<v1::ReloadRulesResponse> RuleReloader::Reload() {
  std::lock_guard<std::mutex> lock(mu_);
  // Load everything first: all or nothing.
  std::shared_ptr<const CadenceConfig> cadences;
  if (!config_.cadences_file.empty() && engine_->cadences()) {
    auto c = LoadCadencesFile(config_.cadences_file);
    if (!c.ok()) return FileError(c.status());
    cadences = std::make_shared<const CadenceConfig>(std::move(*c));
  }
  std::shared_ptr<const AccountabilityConfig> acct;
  if (!config_.accountability_file.empty() && rankings_ && accountability_) {
    auto a = LoadAccountabilityConfigFile(config_.accountability_file, engine_->directory());
    if (!a.ok()) return FileError(a.status());
    acct = std::make_shared<const AccountabilityConfig>(std::move(*a));
  }
  v1::ReloadRulesResponse out;
  if (cadences) {
    ASSIGN_OR_RETURN(CadenceReload r, engine_->ReloadCadences(cadences));
    out.set_cadences_file(config_.cadences_file);
    for (const auto& id : r.added) out.add_cadences_added(id);
    for (const auto& id : r.removed) out.add_cadences_removed(id);
    for (const auto& id : r.changed) out.add_cadences_changed(id);
    out.set_deadlines_moved(r.obligations_moved);
  }
  if (acct) {
    out.set_accountability_file(config_.accountability_file);
    out.set_ladders(static_cast<int>(acct->ladders.size()));
    out.set_boards(static_cast<int>(acct->boards.size()));
    rankings_->SetConfig(acct);
    accountability_->SetConfig(acct);
  }
  spdlog::info("rules reloaded: cadences {} ({} added, {} removed, {} changed, {} deadlines moved), ladders {}",
               out.cadences_file().empty() ? "-" : out.cadences_file(), out.cadences_added_size(),
               out.cadences_removed_size(), out.cadences_changed_size(), out.deadlines_moved(), out.ladders());
  return out;
}

absl::StatusOr<std::vector<int>> NotifyMissingCalendarYears(Engine* engine) {
  std::vector<int> notified;
  if (!engine->options().calendar) return notified;
  absl::Time now = engine->clock().Now();
  absl::CivilDay today = absl::ToCivilDay(now, PlanTimeZone());
  rocksdb::WriteBatch batch;
  std::vector<v1::Notification> notes;
  for (int year : MissingCalendarYears(*engine->options().calendar, today)) {
    std::string marker = keys::CalendarMissingNotified(year);
    ASSIGN_OR_RETURN(bool done, engine->store().Exists(Cf::kMeta, marker));
    if (done) continue;
    engine->store().Put(&batch, Cf::kMeta, marker, validate::FormatDate(today));
    v1::Notification n;
    n.set_recipient(kAdminRecipient);
    n.set_kind(v1::NOTIFICATION_KIND_CALENDAR_MISSING);
    n.set_subject_id(absl::StrCat("calendar:", year));
    n.set_title(absl::StrCat(year, "年工作日历未配置"));
    n.set_body(absl::StrCat("The work calendar has no entry for ", year,
                            ". Until one is added (config/calendar, then restart duband), working days in ", year,
                            " are counted Monday to Friday and every deadline so counted says so in its note."));
    *n.mutable_created_at() = Ts(now);
    notes.push_back(std::move(n));
    notified.push_back(year);
  }
  if (notes.empty()) return notified;
  RETURN_IF_ERROR(engine->pipeline().Commit(&batch, &notes));
  return notified;
}

}  // namespace duban
