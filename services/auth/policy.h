// Who may call what, on which objects: the one table of duban's RPCs.
//
// Every RPC served by duband is a row of RpcTable(), keyed by its full
// method name ("/duban.v1.TaskService/AcceptTask"), with the permission it
// needs and a check of the request's object against the caller. The Guard
// (guard.h) runs Authorize before every handler; an RPC without a row is
// denied. List requests are narrowed here to what the caller may see (a
// unit contact's ListTasks is limited to its unit).
#ifndef DUBAN_SERVICES_AUTH_POLICY_H_
#define DUBAN_SERVICES_AUTH_POLICY_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "duban/v1/duban.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/auth/principal.h"

namespace duban::auth {

// The objects a check needs, read from the engine. NOT_FOUND when absent.
class Objects {
 public:
  virtual ~Objects() = default;
  virtual absl::StatusOr<v1::Task> Task(const std::string& id) = 0;
  virtual absl::StatusOr<v1::Obligation> Obligation(const std::string& id) = 0;
  virtual absl::StatusOr<v1::SupervisionItem> Supervision(const std::string& id) = 0;
  virtual absl::StatusOr<v1::AccountabilityCase> Case(const std::string& id) = 0;
  // A unit id from an id, name or alias (one unit, not a group); a person's
  // id from a person id or name; NOT_FOUND otherwise.
  virtual absl::StatusOr<std::string> UnitId(const std::string& name) = 0;
  virtual absl::StatusOr<std::string> PersonId(const std::string& name) = 0;
};

// Policy settings (auth.yaml "board_owners"): the role that enters each
// entered ranking board; boards not listed belong to the leading-group office.
struct PolicyOptions {
  std::map<std::string, std::string> board_owners;
};

enum class Access {
  kPublic,      // no credential needed (Login)
  kSelf,        // any authenticated account, also a restricted session
  kRole,        // the row's check decides
};

struct Rule {
  std::string permission;                        // e.g. "task.review"; for docs and logs
  Access access = Access::kRole;
  // The request type; nullptr for a method whose requests stream in (the
  // check then sees no request and judges the caller alone).
  const google::protobuf::Descriptor* request = nullptr;
  std::function<absl::Status(const Principal&, google::protobuf::Message*, Objects&, const PolicyOptions&)> check;
};

// Whether p may see the task (its units, its campaign's offices and
// leaders, and the roles that read everything): the rule GetTask applies,
// also used to filter lists.
bool MaySeeTask(const Principal& p, const v1::Task& task);
// The same for GetObligation, GetSupervision and GetCase.
bool MaySeeObligation(const Principal& p, const v1::Obligation& ob);
bool MaySeeSupervision(const Principal& p, const v1::SupervisionItem& item);
bool MaySeeCase(const Principal& p, const v1::AccountabilityCase& c);

// The table. Built once; never changes afterwards.
const std::map<std::string, Rule>& RpcTable();

// OK, or PERMISSION_DENIED naming the permission and the object, or
// NOT_FOUND for an object that does not exist. principal is null for an
// unauthenticated caller (UNAUTHENTICATED unless the rule is public).
// `request` must be of the row's request type; it may be narrowed.
absl::Status Authorize(const std::string& method, const Principal* principal, google::protobuf::Message* request,
                       Objects& objects, const PolicyOptions& options);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_POLICY_H_
