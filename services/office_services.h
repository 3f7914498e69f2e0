// gRPC services of what the office hands out: ledgers as files
// (ExportService) and drafted briefings (BriefingService).
#ifndef DUBAN_SERVICES_OFFICE_SERVICES_H_
#define DUBAN_SERVICES_OFFICE_SERVICES_H_

#include "duban/v1/office.grpc.pb.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ranking.h"
#include "engine/briefings/briefings.h"
#include "engine/engine.h"

namespace duban {

// Streams a ledger as chunks of at most kExportChunkBytes, so no response
// outgrows gRPC's message limit however large the ledger.
inline constexpr size_t kExportChunkBytes = 64 * 1024;

class ExportServiceImpl final : public v1::ExportService::Service {
 public:
  // rankings and accountability may be null (not configured): the rankings
  // ledger is then refused with FAILED_PRECONDITION.
  ExportServiceImpl(const Engine* engine, const Rankings* rankings, const Accountability* accountability)
      : engine_(engine), rankings_(rankings), accountability_(accountability) {}
  grpc::Status ExportLedger(grpc::ServerContext*, const v1::ExportLedgerRequest*,
                            grpc::ServerWriter<v1::FileChunk>*) override;

 private:
  const Engine* engine_;
  const Rankings* rankings_;
  const Accountability* accountability_;
};

class BriefingServiceImpl final : public v1::BriefingService::Service {
 public:
  explicit BriefingServiceImpl(Briefings* briefings) : briefings_(briefings) {}
  grpc::Status GetBriefing(grpc::ServerContext*, const v1::GetBriefingRequest*, v1::BriefingResponse*) override;
  grpc::Status ListBriefings(grpc::ServerContext*, const v1::ListBriefingsRequest*,
                             v1::ListBriefingsResponse*) override;
  grpc::Status EditBriefing(grpc::ServerContext*, const v1::EditBriefingRequest*, v1::Briefing*) override;
  grpc::Status PublishBriefing(grpc::ServerContext*, const v1::PublishBriefingRequest*, v1::Briefing*) override;

 private:
  Briefings* briefings_;
};

}  // namespace duban

#endif  // DUBAN_SERVICES_OFFICE_SERVICES_H_
