// PartContext: the shared ground every part of the engine stands on, handed
// to each part when the Engine builds it.
//
// Owns: nothing. Every pointer is non-owning; the Engine owns what they
// point at and outlives every part that holds a context.
// Reads: the cadences through one slot that ReloadCadences swaps
// atomically (cadences() below); everything else is constant after Open.
// Thread-safety: a filled context is immutable and may be read from any
// thread; what it points at states its own contract (Store, Pipeline,
// TimerRunner and EvidenceStore are thread-safe; Directory is told of
// imports under the pipeline's "directory" lock and read concurrently).
#ifndef DUBAN_ENGINE_CORE_CONTEXT_H_
#define DUBAN_ENGINE_CORE_CONTEXT_H_

#include <atomic>
#include <memory>

#include "engine/audit/audit_log.h"
#include "engine/evidence/evidence_store.h"
#include "engine/plans/directory.h"
#include "engine/storage/outbox.h"
#include "engine/storage/pipeline.h"
#include "engine/storage/store.h"
#include "engine/tasks/task_machine.h"
#include "engine/time/cadence.h"
#include "engine/time/clock.h"
#include "engine/time/timer_runner.h"
#include "engine/time/work_calendar.h"

namespace duban {

struct SupervisionConfig;  // engine/supervision/supervision.h

struct PartContext {
  Store* store = nullptr;
  Pipeline* pipeline = nullptr;
  Outbox* outbox = nullptr;
  audit::AuditLog* audit = nullptr;
  EvidenceStore* evidence = nullptr;
  Clock* clock = nullptr;
  // The organisation directory, read by every command, told of imports.
  Directory* directory = nullptr;
  TimerRunner* timers = nullptr;
  // Who may give which task command, and the review steps.
  const WorkflowOptions* workflow = nullptr;
  // The work calendar (nullptr: none; then no obligations are generated and
  // tasks get no warning levels). Constant after Open.
  std::shared_ptr<const WorkCalendar> calendar;
  // Supervision levels, supervisors and escalation rules (nullptr: the
  // supervision commands are refused). Constant after Open.
  std::shared_ptr<const SupervisionConfig> supervision;
  // The slot of the cadences in force; a reload (the obligations' part)
  // swaps it with std::atomic_store. Read it through cadences() only.
  std::shared_ptr<const CadenceConfig>* cadences_slot = nullptr;

  // The cadences in force (nullptr: none), read with one atomic load. A
  // computation takes this pointer once and holds it to its end, so that a
  // reload during it can neither free the rules it reads nor mix old rules
  // with new ones.
  std::shared_ptr<const CadenceConfig> cadences() const {
    return cadences_slot == nullptr ? nullptr : std::atomic_load(cadences_slot);
  }
};

}  // namespace duban

#endif  // DUBAN_ENGINE_CORE_CONTEXT_H_
