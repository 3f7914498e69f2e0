// Reading a subject's event stream (a task, an obligation, a supervision
// item, a case): every event stored under keys::EventPrefix(subject), in
// the order they were written. An event that cannot be parsed ends the read
// with DATA_LOSS naming the subject; an I/O error of the scan is returned
// as the store reports it. Never a partial list presented as complete.
#ifndef DUBAN_ENGINE_STORAGE_EVENTS_H_
#define DUBAN_ENGINE_STORAGE_EVENTS_H_

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/store.h"

namespace duban {

// Event: the protobuf message type of the subject's events.
template <typename Event>
absl::StatusOr<std::vector<Event>> ReadEvents(const Store& store, absl::string_view subject) {
  std::vector<Event> out;
  absl::Status bad;
  RETURN_IF_ERROR(store.Scan(Cf::kEvents, keys::EventPrefix(subject), [&](absl::string_view, absl::string_view v) {
    Event e;
    if (!e.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError(absl::StrCat("events of ", subject, ": record cannot be parsed"));
      return false;
    }
    out.push_back(std::move(e));
    return true;
  }));
  RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_EVENTS_H_
