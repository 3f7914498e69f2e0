// Helpers for end-to-end tests that talk to a running duband: its HTTP/JSON
// gateway, and evidence uploads. Header-only; the test links cpp-httplib.
#ifndef DUBAN_TESTS_GATEWAY_CLIENT_H_
#define DUBAN_TESTS_GATEWAY_CLIENT_H_

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "duban/v1/evidence.grpc.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace duban::testing {

// The port duband wrote to port_file, waiting up to 10 s (times
// TimeScale()); 0 when none came.
inline int ReadPortFile(const std::string& port_file) {
  int port = 0;
  const auto deadline = std::chrono::steady_clock::now() + Scaled(std::chrono::seconds(10));
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    if (!(in >> port)) {
      port = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return port;
}

// POSTs req as JSON to /duban.v1.<method> with the bearer token and parses
// a 200 answer into out. Returns the HTTP status (0: no answer).
inline int PostJson(int port, const std::string& token, const std::string& method,
                    const google::protobuf::Message& req, google::protobuf::Message* out) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(Scaled(std::chrono::seconds(60)));
  httplib::Headers h{{"Authorization", "Bearer " + token}};
  std::string body;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(req, &body).ok());
  auto r = client.Post("/duban.v1." + method, h, body, "application/json");
  if (!r) return 0;
  if (r->status == 200) {
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, out).ok()) << r->body;
  }
  return r->status;
}

// Uploads a small PNG called `name` over channel; its reference.
inline v1::EvidenceRef UploadSmallPng(const std::shared_ptr<grpc::Channel>& channel, const std::string& name) {
  auto stub = v1::EvidenceService::NewStub(channel);
  grpc::ClientContext ctx;
  v1::EvidenceFile file;
  auto w = stub->Upload(&ctx, &file);
  v1::UploadEvidenceRequest head;
  head.mutable_header()->set_file_name(name);
  w->Write(head);
  v1::UploadEvidenceRequest chunk;
  chunk.set_chunk(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + name + std::string(300, 'p'));
  w->Write(chunk);
  w->WritesDone();
  grpc::Status s = w->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  v1::EvidenceRef r;
  r.set_sha256(file.sha256());
  return r;
}

}  // namespace duban::testing

#endif  // DUBAN_TESTS_GATEWAY_CLIENT_H_
