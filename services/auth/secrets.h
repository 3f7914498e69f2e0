// Secrets in requests (passwords, TOTP codes and secrets, tokens) are
// overwritten once used, so no copy of them outlives the handler that
// needed it, and nothing derived from them (an audit digest, a log line)
// is made from them.
#ifndef DUBAN_SERVICES_AUTH_SECRETS_H_
#define DUBAN_SERVICES_AUTH_SECRETS_H_

#include "google/protobuf/message.h"

namespace duban::auth {

// True for the string fields that carry a secret: password, old_password,
// new_password, initial_password, totp_code, code, token, secret_base32,
// totp_secret, pending_totp_secret, password_hash.
bool IsSecretField(const google::protobuf::FieldDescriptor& f);

// Overwrites the bytes of every secret string field of m, at any depth, with
// zeros and then clears the field. Returns how many fields it wiped.
int WipeSecrets(google::protobuf::Message* m);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_SECRETS_H_
