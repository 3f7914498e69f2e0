// AuditService: the audit trail for its administrators (list, filter,
// export, prune) and its head for anyone.
#ifndef DUBAN_SERVICES_AUDIT_SERVICE_H_
#define DUBAN_SERVICES_AUDIT_SERVICE_H_

#include "duban/v1/audit_service.grpc.pb.h"
#include "engine/engine.h"
#include "services/audit_config.h"

namespace duban {

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  AuditServiceImpl(Engine* engine, AuditConfig config) : engine_(engine), config_(std::move(config)) {}
  grpc::Status ListAuditEntries(grpc::ServerContext*, const v1::ListAuditEntriesRequest*,
                                v1::ListAuditEntriesResponse*) override;
  grpc::Status ExportAudit(grpc::ServerContext*, const v1::ExportAuditRequest*,
                           grpc::ServerWriter<v1::AuditTrailLine>*) override;
  grpc::Status GetAuditHead(grpc::ServerContext*, const v1::GetAuditHeadRequest*, v1::GetAuditHeadResponse*) override;
  grpc::Status ListAuditCheckpoints(grpc::ServerContext*, const v1::ListAuditCheckpointsRequest*,
                                    v1::ListAuditCheckpointsResponse*) override;
  grpc::Status PruneAudit(grpc::ServerContext*, const v1::PruneAuditRequest*, v1::PruneAuditResponse*) override;

 private:
  // PERMISSION_DENIED unless the caller holds the audit administrator role.
  absl::Status CheckAdministrator(const grpc::ServerContext& ctx, const google::protobuf::Message& request) const;

  Engine* engine_;
  const AuditConfig config_;
};

}  // namespace duban

#endif  // DUBAN_SERVICES_AUDIT_SERVICE_H_
