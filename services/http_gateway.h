// duband's HTTP side: every RPC of the duban.* services over HTTP/JSON, the
// notification stream as server-sent events, evidence uploads and downloads,
// and the web app's static files.
//
//   POST /<package>.<Service>/<Method>   body: the request in protobuf's JSON
//        mapping; 200 with the response in JSON, or an error status with
//        {"code": "not_found", "message": "..."} (the Connect protocol's
//        codes). A server-streaming method answers text/event-stream: one
//        "data:" line per message, then "event: end" (or "event: error").
//   GET  the same path with ?message=<JSON, URL-encoded>: server-streaming
//        methods only (for EventSource).
//   POST /duban.v1.EvidenceService/Upload   multipart/form-data, one part
//        named "file": the client-streaming Upload, streamed.
//   GET  /evidence/<sha256>   the file's content (EvidenceService.Download).
//   GET  /  and other paths: the files of web_dir.
//
// Methods are found by name in the generated descriptor pool and called on
// an in-process channel to duband's own gRPC server (grpc::GenericStub), so
// an RPC added to the protos is reachable without changes here, and
// authentication and permissions are exactly those of the gRPC API. Passed
// on as metadata: the Authorization header (or else the duban_token cookie,
// as "authorization: Bearer <token>") and the client's address as
// x-forwarded-for. A call without a valid token is UNAUTHENTICATED (401).
//
// Thread-safe; Start once, Stop once.
#ifndef DUBAN_SERVICES_HTTP_GATEWAY_H_
#define DUBAN_SERVICES_HTTP_GATEWAY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "grpcpp/channel.h"
#include "services/http_status.h"

namespace httplib {
class Server;
}

namespace duban {

struct HttpGatewayOptions {
  std::string listen;         // host:port; port 0 picks one
  std::string web_dir;        // static files of the web app; empty: none
  std::string tls_cert_file;  // PEM; with tls_key_file, serve HTTPS
  std::string tls_key_file;
  int64_t max_body_bytes = 64 << 20;  // largest request body (an upload plus its framing)
};

class HttpGateway {
 public:
  HttpGateway(std::shared_ptr<grpc::Channel> channel, HttpGatewayOptions options);
  ~HttpGateway();
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  // Binds and starts serving on a thread of its own. UNAVAILABLE when the
  // address cannot be bound, INVALID_ARGUMENT for a bad address or TLS files.
  absl::Status Start();
  // The port bound (after Start).
  int port() const { return port_; }
  // Ends open event streams and stops serving.
  void Stop();

 private:
  void Routes();

  std::shared_ptr<grpc::Channel> channel_;
  const HttpGatewayOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace duban

#endif  // DUBAN_SERVICES_HTTP_GATEWAY_H_
