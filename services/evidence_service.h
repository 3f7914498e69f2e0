// EvidenceService: uploads, downloads and lists of evidence files. Reads
// check that the caller may see a subject the file is attached to
// (services/visibility.h).
#ifndef DUBAN_SERVICES_EVIDENCE_SERVICE_H_
#define DUBAN_SERVICES_EVIDENCE_SERVICE_H_

#include "duban/v1/evidence.grpc.pb.h"
#include "engine/engine.h"
#include "services/auth/policy.h"
#include "services/auth/principal.h"

namespace duban {

class EvidenceServiceImpl final : public v1::EvidenceService::Service {
 public:
  // objects: the subjects files are attached to (tasks, obligations,
  // supervision items, cases), read for the permission check; outlives this.
  EvidenceServiceImpl(Engine* engine, auth::Objects* objects) : engine_(engine), objects_(objects) {}
  grpc::Status Upload(grpc::ServerContext*, grpc::ServerReader<v1::UploadEvidenceRequest>*,
                      v1::EvidenceFile*) override;
  grpc::Status Download(grpc::ServerContext*, const v1::DownloadEvidenceRequest*,
                        grpc::ServerWriter<v1::DownloadEvidenceResponse>*) override;
  grpc::Status ListEvidence(grpc::ServerContext*, const v1::ListEvidenceRequest*, v1::ListEvidenceResponse*) override;

 private:
  // The file when the caller may see it: PERMISSION_DENIED otherwise.
  absl::StatusOr<v1::EvidenceFile> Visible(const auth::Principal& caller, const std::string& sha256) const;
  Engine* engine_;
  auth::Objects* objects_;
};

}  // namespace duban

#endif  // DUBAN_SERVICES_EVIDENCE_SERVICE_H_
