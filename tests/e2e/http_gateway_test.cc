// duband's HTTP/JSON gateway end to end: every RPC the server lists answers
// over HTTP with its JSON mapping and the gRPC status mapped to HTTP; the
// notification stream as server-sent events; evidence uploads (complete,
// broken off, too large, of a forbidden type) and downloads checked against
// the downloader's unit.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/http_status.h"
#include "tests/daemon_harness.h"
#include "tests/test_util.h"

namespace duban {
namespace {

namespace pb = google::protobuf;
namespace fs = std::filesystem;
using testing::Daemon;
using testing::DeadlineIn;
using testing::Scaled;
using testing::TempDir;

const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00", 14) + std::string(5000, 'x');
constexpr int kMaxBytes = 100000;

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out += absl::StrCat("%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

struct Json {
  int status = 0;
  std::string body;
};

class HttpGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http_port_file_ = dir_.sub("http.port");
    daemon_ = std::make_unique<Daemon>(
        dir_.sub("data"), std::vector<std::string>{"--http_port_file=" + http_port_file_,
                                                   "--evidence_max_bytes=" + std::to_string(kMaxBytes)});
    ASSERT_TRUE(daemon_->Start()) << "duband did not start; see " << daemon_->log_path();
    const auto deadline = std::chrono::steady_clock::now() + Scaled(std::chrono::seconds(10));
    while (http_port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(http_port_file_);
      if (!(in >> http_port_)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(http_port_, 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", http_port_);
    client_->set_read_timeout(Scaled(std::chrono::seconds(60)));
  }

  // "Authorization: Bearer <token>" of the account (logged in once); none
  // for "".
  httplib::Headers As(const std::string& account) {
    httplib::Headers h;
    if (!account.empty()) h.emplace("Authorization", "Bearer " + daemon_->Login(account));
    return h;
  }

  Json Post(const std::string& path, const std::string& body, const std::string& account = "") {
    httplib::Headers h = As(account);
    auto r = client_->Post(path, h, body, "application/json");
    if (!r) return {};
    return {r->status, r->body};
  }

  // Uploads content as multipart/form-data, as a browser does.
  Json Upload(const std::string& account, const std::string& name, const std::string& content) {
    httplib::MultipartFormDataItems items = {{"file", content, name, "application/octet-stream"}};
    httplib::Headers h = As(account);
    auto r = client_->Post("/duban.v1.EvidenceService/Upload", h, items);
    if (!r) return {};
    return {r->status, r->body};
  }

  std::string Field(const std::string& json, const std::string& name) {
    auto p = json.find("\"" + name + "\":\"");
    if (p == std::string::npos) return "";
    p += name.size() + 4;
    return json.substr(p, json.find('"', p) - p);
  }

  int StoredEvidence() {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir_.sub("data") + "/evidence", ec)) {
      if (e.is_regular_file()) ++n;
    }
    return n;
  }

  // The services the server lists, with their files as the server serves
  // them (so the test knows every RPC without being linked with its code).
  std::vector<std::string> ListedServices(pb::SimpleDescriptorDatabase* db) {
    auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(daemon_->channel());
    grpc::ClientContext ctx;
    auto stream = reflection->ServerReflectionInfo(&ctx);
    grpc::reflection::v1alpha::ServerReflectionRequest req;
    req.set_list_services("");
    stream->Write(req);
    grpc::reflection::v1alpha::ServerReflectionResponse res;
    std::vector<std::string> out;
    if (stream->Read(&res)) {
      for (const auto& s : res.list_services_response().service()) out.push_back(s.name());
    }
    std::set<std::string> added;
    for (const auto& name : out) {
      grpc::reflection::v1alpha::ServerReflectionRequest file;
      file.set_file_containing_symbol(name);
      if (!stream->Write(file) || !stream->Read(&res)) break;
      for (const auto& bytes : res.file_descriptor_response().file_descriptor_proto()) {
        pb::FileDescriptorProto fd;
        if (fd.ParseFromString(bytes) && added.insert(fd.name()).second) db->Add(fd);
      }
    }
    stream->WritesDone();
    stream->Finish();
    return out;
  }

  TempDir dir_;
  std::string http_port_file_;
  int http_port_ = 0;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<httplib::Client> client_;
};

TEST(HttpStatusTest, MapsEveryCanonicalCode) {
  EXPECT_EQ(HttpStatusOf(0), 200);
  EXPECT_EQ(HttpStatusOf(3), 400);
  EXPECT_EQ(HttpStatusOf(5), 404);
  EXPECT_EQ(HttpStatusOf(6), 409);
  EXPECT_EQ(HttpStatusOf(7), 403);
  EXPECT_EQ(HttpStatusOf(8), 429);
  EXPECT_EQ(HttpStatusOf(9), 400);
  EXPECT_EQ(HttpStatusOf(10), 409);
  EXPECT_EQ(HttpStatusOf(12), 501);
  EXPECT_EQ(HttpStatusOf(14), 503);
  EXPECT_EQ(HttpStatusOf(16), 401);
  EXPECT_STREQ(ConnectCodeName(9), "failed_precondition");
}

// Every method of every duban service the server lists (found through
// reflection and the descriptor pool, so new RPCs are covered) is reachable
// over HTTP: an empty request gets the same status as over gRPC, as an HTTP
// status and a JSON error body, or a JSON response of the output type; a
// field the message does not have is refused as INVALID_ARGUMENT. Both
// sides call as the leading group's office.
TEST_F(HttpGatewayTest, EveryRpcAnswersWithItsJsonMappingAndStatus) {
  grpc::GenericStub stub(daemon_->ChannelAs("office"));
  pb::SimpleDescriptorDatabase db;
  std::vector<std::string> services = ListedServices(&db);
  pb::DescriptorPool pool(&db);
  pb::DynamicMessageFactory factory(&pool);
  int methods = 0;
  for (const std::string& name : services) {
    if (!absl::StartsWith(name, "duban.")) continue;
    const pb::ServiceDescriptor* sd = pool.FindServiceByName(name);
    ASSERT_NE(sd, nullptr) << name;
    for (int i = 0; i < sd->method_count(); ++i) {
      const pb::MethodDescriptor* md = sd->method(i);
      std::string path = absl::StrCat("/", name, "/", md->name());
      SCOPED_TRACE(path);
      ++methods;
      Json bogus = Post(path, "{\"noSuchField\": 1}", "office");
      EXPECT_EQ(bogus.status, 400) << bogus.body;
      EXPECT_TRUE(absl::StrContains(bogus.body, "\"code\":\"invalid_argument\"")) << bogus.body;
      if (md->client_streaming()) {
        // Over HTTP an upload is multipart/form-data; JSON is refused.
        Json j = Post(path, "{}", "office");
        EXPECT_EQ(j.status, 400) << j.body;
        continue;
      }
      if (md->name() == "AdvanceClock" || md->name() == "Watch") continue;  // below
      if (md->name() == "Logout") continue;  // would end the session both sides use
      Json j = Post(path, "{}", "office");
      // The same call over gRPC.
      grpc::ClientContext ctx;
      ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
      grpc::CompletionQueue cq;
      grpc::Slice empty("");
      grpc::ByteBuffer req(&empty, 1), resp;
      grpc::Status st;
      auto call = stub.PrepareUnaryCall(&ctx, path, req, &cq);
      call->StartCall();
      call->Finish(&resp, &st, reinterpret_cast<void*>(1));
      void* tag;
      bool ok;
      ASSERT_TRUE(cq.Next(&tag, &ok));
      EXPECT_EQ(j.status, HttpStatusOf(st.error_code())) << j.body << " vs gRPC " << st.error_message();
      if (st.ok()) {
        std::unique_ptr<pb::Message> out(factory.GetPrototype(md->output_type())->New());
        EXPECT_TRUE(pb::util::JsonStringToMessage(j.body, out.get()).ok()) << j.body;
      } else {
        EXPECT_TRUE(absl::StrContains(j.body, absl::StrCat("\"code\":\"", ConnectCodeName(st.error_code()), "\"")))
            << j.body;
        EXPECT_TRUE(absl::StrContains(j.body, "\"message\":\"")) << j.body;
      }
    }
  }
  EXPECT_GE(methods, 60);
}

TEST_F(HttpGatewayTest, ErrorsMapToHttpStatuses) {
  EXPECT_EQ(Post("/duban.v1.TaskService/NoSuchMethod", "{}").status, 404);
  EXPECT_EQ(Post("/grpc.health.v1.Health/Check", "{}").status, 404);  // only duban's services
  EXPECT_EQ(Post("/duban.v1.TaskService/GetTask", "{not json").status, 400);
  auto form = client_->Post("/duban.v1.TaskService/GetTask", "task_id=T1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);

  // A file path whose hash starts with a letter is a file, not a method.
  auto no_file = client_->Get("/evidence/" + std::string(64, 'a'), As("swj"));
  ASSERT_TRUE(no_file);
  EXPECT_EQ(no_file->status, 404);
  EXPECT_TRUE(absl::StrContains(no_file->body, "sha256: no evidence file")) << no_file->body;

  Json missing = Post("/duban.v1.TaskService/GetTask", R"({"taskId":"T99999"})", "office");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(absl::StrContains(missing.body, "\"code\":\"not_found\"")) << missing.body;

  Json accepted = Post("/duban.v1.TaskService/AcceptTask", R"({"taskId":"T1"})", "swj");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_TRUE(absl::StrContains(accepted.body, "\"state\":\"TASK_STATE_ACCEPTED\"")) << accepted.body;
  // snake_case field names are read too.
  Json again = Post("/duban.v1.TaskService/AcceptTask", R"({"task_id":"T1"})", "swj");
  EXPECT_EQ(again.status, 400) << again.body;
  EXPECT_TRUE(absl::StrContains(again.body, "failed_precondition")) << again.body;
  Json stale = Post("/duban.v1.TaskService/RequestCompletion", R"({"taskId":"T1","meta":{"expectedVersion":"1"}})",
                    "swj");
  EXPECT_EQ(stale.status, 409) << stale.body;
  Json mismatch = Post("/duban.v1.TaskService/RequestCompletion", R"({"taskId":"T1","meta":{"actor":"fgj"}})", "swj");
  EXPECT_EQ(mismatch.status, 403) << mismatch.body;
  // Without a token: 401, whatever the request names.
  Json no_token = Post("/duban.v1.TaskService/RequestCompletion", R"({"taskId":"T1","meta":{"actor":"swj"}})");
  EXPECT_EQ(no_token.status, 401) << no_token.body;
  EXPECT_TRUE(absl::StrContains(no_token.body, "\"code\":\"unauthenticated\"")) << no_token.body;
  auto forged = client_->Post("/duban.v1.TaskService/GetTask", httplib::Headers{{"Authorization", "Bearer forged"}},
                              R"({"taskId":"T1"})", "application/json");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401) << forged->body;
}

TEST_F(HttpGatewayTest, NotificationsStreamAsServerSentEvents) {
  // Listing T1 for supervision notifies its lead unit.
  Json listed = Post("/duban.v1.SupervisionService/Escalate", R"({"taskId":"T1","reason":"逾期未完成"})", "supervisor");
  ASSERT_EQ(listed.status, 200) << listed.body;
  httplib::Client sse("127.0.0.1", http_port_);
  sse.set_read_timeout(Scaled(std::chrono::seconds(30)));
  std::string got;
  auto r = sse.Get("/duban.v1.NotificationService/Watch?message=" +
                       UrlEncode(R"({"recipient":"swj"})"),
                   As("swj"), [&](const char* data, size_t len) {
                     got.append(data, len);
                     return got.find("\n\n") == std::string::npos;  // stop after the first event
                   });
  EXPECT_TRUE(absl::StartsWith(got, "data: {")) << got;
  EXPECT_TRUE(absl::StrContains(got, "\"recipient\"")) << got;
  // An error before the stream starts is an ordinary error response.
  auto bad = sse.Get("/duban.v1.NotificationService/Watch?message=" +
                     UrlEncode(R"({"recipient":"没有这个单位"})"), As("office"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
  // Unary methods are not served by GET.
  auto get = sse.Get("/duban.v1.TaskService/GetTask");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
}

TEST_F(HttpGatewayTest, UploadReportAndDownloadChecksTheUnit) {
  ASSERT_EQ(Post("/duban.v1.TaskService/AcceptTask", R"({"taskId":"T1"})", "swj").status, 200);
  Json up = Upload("swj", "现场照片.jpg", kJpeg);
  ASSERT_EQ(up.status, 200) << up.body;
  std::string sha = Field(up.body, "sha256");
  ASSERT_EQ(sha.size(), 64u) << up.body;
  EXPECT_EQ(Field(up.body, "contentType"), "image/jpeg");
  Json rep = Post("/duban.v1.TaskService/ReportProgress",
                  absl::StrCat(R"({"taskId":"T1","report":{"workDone":"开展促消费活动12场","evidence":[{"sha256":")",
                               sha, R"("}]}})"),
                  "swj");
  ASSERT_EQ(rep.status, 200) << rep.body;
  EXPECT_TRUE(absl::StrContains(rep.body, "现场照片.jpg")) << rep.body;

  auto get = [&](const std::string& account) { return client_->Get("/evidence/" + sha, As(account)); };
  auto mine = get("swj");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, 200);
  EXPECT_EQ(mine->body, kJpeg);
  EXPECT_EQ(mine->get_header_value("Content-Type"), "image/jpeg");
  auto office = get("office");  // the leading group's office sees every task
  ASSERT_TRUE(office);
  EXPECT_EQ(office->status, 200);
  auto other = get("jyj");  // a unit with no part in T1
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403) << other->body;
  EXPECT_TRUE(absl::StrContains(other->body, "permission_denied")) << other->body;

  Json listed = Post("/duban.v1.EvidenceService/ListEvidence", R"({"taskId":"T1"})", "swj");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(absl::StrContains(listed.body, sha)) << listed.body;
  Json by_unit = Post("/duban.v1.EvidenceService/ListEvidence", R"({"unit":"swj","period":"2023-03"})", "swj");
  EXPECT_TRUE(absl::StrContains(by_unit.body, sha)) << by_unit.body;
  EXPECT_EQ(Post("/duban.v1.EvidenceService/ListEvidence", R"({"taskId":"T1"})", "jyj").status, 403);
  Json none = Post("/duban.v1.EvidenceService/ListEvidence", R"({"unit":"swj"})", "jyj");
  EXPECT_FALSE(absl::StrContains(none.body, sha)) << none.body;
  // The file is in the task's history.
  Json hist = Post("/duban.v1.TaskService/History", R"({"taskId":"T1"})", "swj");
  EXPECT_TRUE(absl::StrContains(hist.body, sha)) << hist.body;
}

TEST_F(HttpGatewayTest, TooLargeAndForbiddenUploadsAreRefusedAndNotKept) {
  Json big = Upload("swj", "大照片.jpg", kJpeg + std::string(kMaxBytes, 'y'));
  EXPECT_EQ(big.status, 429) << big.body;
  EXPECT_TRUE(absl::StrContains(big.body, "resource_exhausted")) << big.body;
  Json exe = Upload("swj", "photo.jpg", std::string("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00", 12) + "program");
  EXPECT_EQ(exe.status, 400) << exe.body;
  EXPECT_TRUE(absl::StrContains(exe.body, "file: ")) << exe.body;
  EXPECT_EQ(StoredEvidence(), 0);
}

TEST_F(HttpGatewayTest, AnUploadThatBreaksOffKeepsNothing) {
  // A multipart body that promises more bytes than it sends, then the
  // connection closes.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(http_port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string part = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"半截.jpg\"\r\n"
                     "Content-Type: image/jpeg\r\n\r\n" + kJpeg;
  std::string head = absl::StrCat("POST /duban.v1.EvidenceService/Upload HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                                  "Authorization: Bearer ", daemon_->Login("swj"),
                                  "\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n",
                                  "Content-Length: ", part.size() + 50000, "\r\n\r\n");
  std::string all = head + part;
  ASSERT_EQ(::send(fd, all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::close(fd);
  // Once duband has seen the close, nothing is stored, not even a temp file.
  bool clean = false;
  for (int i = 0; i < 200 && !clean; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    clean = StoredEvidence() == 0;
  }
  EXPECT_TRUE(clean);
  // And duband still serves.
  EXPECT_EQ(Upload("swj", "完整.jpg", kJpeg).status, 200);
  EXPECT_EQ(StoredEvidence(), 1);
}

TEST_F(HttpGatewayTest, UnreferencedUploadIsSweptAfterTheGracePeriod) {
  Json up = Upload("swj", "没用上.jpg", kJpeg);
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(StoredEvidence(), 1);
  ASSERT_EQ(Post("/duban.v1.AdminService/AdvanceClock", R"({"by":"25h"})", "sysadmin").status, 200);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gone = StoredEvidence() == 0;
  }
  EXPECT_TRUE(gone);
  auto r = client_->Get("/evidence/" + Field(up.body, "sha256"), As("swj"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(HttpGatewayTest, ALoggedInUnitReadsOnlyWhatItMaySee) {
  // T2 is led by 市住建局 (zjj), not by swj: to swj it does not exist.
  EXPECT_EQ(Post("/duban.v1.TaskService/GetTask", R"({"taskId":"T2"})", "swj").status, 404);
  EXPECT_EQ(Post("/duban.v1.TaskService/History", R"({"taskId":"T2"})", "swj").status, 404);
  EXPECT_EQ(Post("/duban.v1.TaskService/GetTask", R"({"taskId":"T2"})", "zjj").status, 200);
  EXPECT_EQ(Post("/duban.v1.TaskService/GetTask", R"({"taskId":"T2"})", "office").status, 200);
  Json mine = Post("/duban.v1.TaskService/ListTasks", R"({"pageSize":500})", "swj");
  ASSERT_EQ(mine.status, 200);
  EXPECT_TRUE(absl::StrContains(mine.body, "\"id\":\"T1\"")) << mine.body;
  EXPECT_FALSE(absl::StrContains(mine.body, "\"id\":\"T2\""));
  EXPECT_EQ(Post("/duban.v1.NotificationService/ListNotifications", R"({"recipient":"zjj"})", "swj").status, 403);
  EXPECT_EQ(Post("/duban.v1.NotificationService/ListNotifications", R"({"recipient":"swj"})", "swj").status, 200);
  EXPECT_EQ(Post("/duban.v1.NotificationService/ListNotifications", R"({"recipient":"zjj"})", "office").status, 200);
}

TEST_F(HttpGatewayTest, ServesTheWebApp) {
  auto r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(absl::StrContains(r->body, "督办")) << r->body;
}

}  // namespace
}  // namespace duban
