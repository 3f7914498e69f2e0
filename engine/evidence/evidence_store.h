// Evidence files (佐证材料): content stored on disk by SHA-256 under
// <data_dir>/evidence, records and references in the store.
//
// On disk: <root>/tmp/<random>      an upload in progress (removed when it
//                                   breaks off, and at start-up)
//          <root>/<aa>/<sha256 hex> the content, written to tmp, fsynced,
//                                   then renamed (never half there)
// In the store: the record under entities 'E' <sha256>, and four indexes
// of its attachments (who uploaded it; by file, by task, by unit and
// month), all built in engine/storage/keys.h (keys::Evidence*).
// A file no attachment names is deleted by Sweep once it is older than the
// grace period.
//
// Thread-safe. Upload objects are used by one thread at a time.
#ifndef DUBAN_ENGINE_EVIDENCE_EVIDENCE_STORE_H_
#define DUBAN_ENGINE_EVIDENCE_EVIDENCE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/store.h"
#include "engine/time/clock.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace duban {

struct EvidenceOptions {
  int64_t max_bytes = 20 << 20;                 // per file; default 20 MiB
  absl::Duration grace = absl::Hours(24);        // an unreferenced upload lives this long
  // Content types accepted, judged from the content's first bytes (and, for
  // Office files, which share the zip / OLE container, the name's ending).
  // Default: every type EvidenceTypeOf knows.
  std::vector<std::string> allowed_types = {"image/jpeg", "image/png", "image/webp", "application/pdf",
                                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                            "application/msword", "application/vnd.ms-excel"};
};

// The content type from the first bytes (at least 12 when the file has
// them) and the file name; "" when unknown.
std::string EvidenceTypeOf(absl::string_view head, absl::string_view file_name);

// The files a command's event carries (佐证材料).
using EvidenceRefs = google::protobuf::RepeatedPtrField<v1::EvidenceRef>;

// The attachment of one event of a subject: kind is "task", "obligation",
// "supervision" or "case"; period is at's month in the plan's time zone.
v1::EvidenceAttachment NewEvidenceAttachment(absl::string_view kind, absl::string_view subject_id, uint64_t version,
                                             absl::Time at, absl::string_view actor,
                                             const std::vector<std::string>& unit_ids);

class EvidenceStore;

// One upload: Append the content in order, then Finish. Destroying it
// before Finish succeeds removes everything written.
class EvidenceUpload {
 public:
  ~EvidenceUpload();
  EvidenceUpload(const EvidenceUpload&) = delete;
  EvidenceUpload& operator=(const EvidenceUpload&) = delete;

  // RESOURCE_EXHAUSTED past the size limit; INVALID_ARGUMENT ("file: ...")
  // once the first bytes show a type outside the allow-list.
  absl::Status Append(absl::string_view data);
  // Syncs and stores the content and its record. INVALID_ARGUMENT for an
  // empty file or a type outside the allow-list.
  absl::StatusOr<v1::EvidenceFile> Finish();

 private:
  friend class EvidenceStore;
  EvidenceUpload(EvidenceStore* owner, std::string actor, std::string file_name, std::string tmp_path, int fd);
  absl::Status CheckType(bool final);
  void Discard();

  EvidenceStore* owner_;
  std::string actor_;
  std::string file_name_;
  std::string tmp_path_;
  int fd_;
  int64_t size_ = 0;
  std::string head_;           // the first bytes, for the type check
  std::string content_type_;   // once known
  struct HashState;
  std::unique_ptr<HashState> hash_;
  bool finished_ = false;
  absl::Status failed_;        // the first error; later calls return it
};

class EvidenceStore {
 public:
  EvidenceStore(Store* store, const Clock* clock, std::string root, EvidenceOptions options);
  EvidenceStore(const EvidenceStore&) = delete;
  EvidenceStore& operator=(const EvidenceStore&) = delete;

  // Creates the folders and removes uploads left over from a crash.
  absl::Status Init();

  // INVALID_ARGUMENT when actor or file_name is empty or file_name is too
  // long (255 bytes) or holds a path separator.
  absl::StatusOr<std::unique_ptr<EvidenceUpload>> BeginUpload(absl::string_view actor, absl::string_view file_name);

  // NOT_FOUND ("sha256: ...") when no such file; attachments filled in.
  absl::StatusOr<v1::EvidenceFile> Get(absl::string_view sha256) const;
  bool UploadedBy(absl::string_view sha256, absl::string_view actor) const;
  // Calls fn with the content in chunks until it returns false.
  absl::Status ReadContent(absl::string_view sha256, const std::function<bool(absl::string_view)>& fn) const;

  // For a command: checks that each ref names a stored file the actor
  // uploaded (field names the ref at fault), and fills in name, type and
  // size. The files are then safe from Sweep for a minute, long enough for
  // the command to write its batch.
  absl::Status Resolve(absl::string_view field, absl::string_view actor,
                       google::protobuf::RepeatedPtrField<v1::EvidenceRef>* refs);
  // Writes the attachment of every ref into the command's batch.
  void PutAttachments(rocksdb::WriteBatch* batch, const google::protobuf::RepeatedPtrField<v1::EvidenceRef>& refs,
                      const v1::EvidenceAttachment& attachment) const;

  // Files attached to subjects matching every non-empty filter, newest
  // attachment first; each file once with all its attachments.
  absl::StatusOr<std::vector<v1::EvidenceFile>> List(absl::string_view task_id, absl::string_view unit_id,
                                                     absl::string_view period) const;

  // How many distinct files are attached to the task (any of its events;
  // not those of a supervision item about it).
  absl::StatusOr<int> CountForTask(absl::string_view task_id) const;

  // Deletes every file no attachment names and uploaded before now - grace;
  // returns how many.
  absl::StatusOr<int> Sweep(absl::Time now);

  const EvidenceOptions& options() const { return options_; }
  const std::string& root() const { return root_; }

 private:
  friend class EvidenceUpload;
  std::string ContentPath(absl::string_view sha256) const;
  absl::StatusOr<v1::EvidenceFile> Commit(const std::string& tmp_path, const std::string& sha256, int64_t size,
                                         const std::string& content_type, const std::string& actor,
                                         const std::string& file_name);
  bool IsReferenced(absl::string_view sha256) const;

  // Constant after construction.
  Store* store_;
  const Clock* clock_;
  const std::string root_;
  const EvidenceOptions options_;

  mutable std::mutex mu_;  // records, pins and sweeps
  std::map<std::string, absl::Time> pinned_;  // sha -> when Resolve last named it (guarded by mu_)
};

}  // namespace duban

#endif  // DUBAN_ENGINE_EVIDENCE_EVIDENCE_STORE_H_
