// dubanctl audit ...: list, export, verify, prune and head of the audit
// trail. Verification runs here, in the client, and trusts nothing the
// daemon says: it recomputes every hash and checks the chain against the
// checkpoints the caller holds, with the caller's copy of the public key.
#ifndef DUBAN_CLIENTS_DUBANCTL_AUDIT_H_
#define DUBAN_CLIENTS_DUBANCTL_AUDIT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "flags.h"

namespace dubanctl {

struct AuditCallOptions {
  std::string addr;
  std::shared_ptr<grpc::Channel> channel;  // dubanctl's (TLS when --ca is given)
  std::string token;                       // the session's bearer token; empty: none
  bool json = false;
  absl::Duration timeout = absl::Seconds(10);
};

// Runs `audit <verb>`; returns the exit status (0 ok, 1 refused / failed /
// verification failed, 3 unreachable). Throws UsageError for bad flags.
int RunAuditCommand(const std::string& verb, const AuditCallOptions& opts, const Args& args,
                    const std::vector<std::string>& operands);

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_DUBANCTL_AUDIT_H_
