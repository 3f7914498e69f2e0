#include "services/http_gateway.h"

#include <httplib.h>

#include <chrono>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace pb = google::protobuf;

namespace {

constexpr absl::Duration kUnaryDeadline = absl::Seconds(60);
constexpr absl::Duration kStreamPoll = absl::Seconds(1);
constexpr int kHeartbeatPolls = 15;

std::string JsonEscape(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

std::string ErrorJson(int code, absl::string_view message) {
  return absl::StrCat("{\"code\":\"", ConnectCodeName(code), "\",\"message\":\"", JsonEscape(message), "\"}");
}

void SendError(httplib::Response& res, int code, absl::string_view message) {
  res.status = HttpStatusOf(code);
  res.set_content(ErrorJson(code, message), "application/json");
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool FromBuffer(const grpc::ByteBuffer& bb, pb::Message* msg) {
  std::vector<grpc::Slice> slices;
  if (!bb.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return msg->ParseFromString(bytes);
}

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* d) {
  const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(d);
  if (proto == nullptr) return nullptr;
  return std::unique_ptr<pb::Message>(proto->New());
}

std::string ToJson(const pb::Message& m) {
  pb::util::JsonPrintOptions o;
  o.always_print_primitive_fields = true;
  std::string out;
  auto s = pb::util::MessageToJsonString(m, &out, o);
  if (!s.ok()) return "{}";
  return out;
}

std::string PercentEncode(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

// The cookie's value, or "".
std::string CookieValue(const httplib::Request& req, absl::string_view name) {
  for (auto it = req.headers.lower_bound("Cookie"); it != req.headers.end() && it->first == "Cookie"; ++it) {
    for (absl::string_view part : absl::StrSplit(it->second, ';')) {
      part = absl::StripAsciiWhitespace(part);
      if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) return std::string(part);
    }
  }
  return "";
}

// One call on the in-process channel: a generic bidi call used for every
// method kind, with blocking steps that can wait with a timeout.
class Call {
 public:
  Call(grpc::Channel* channel, const std::string& method, const httplib::Request& req, bool unary)
      : stub_(std::shared_ptr<grpc::Channel>(channel, [](grpc::Channel*) {})) {
    std::string auth = req.get_header_value("Authorization");
    if (auth.empty()) {
      std::string token = CookieValue(req, "duban_token");
      if (!token.empty()) auth = "Bearer " + token;
    }
    if (!auth.empty()) ctx_.AddMetadata("authorization", auth);
    ctx_.AddMetadata("x-forwarded-for", req.remote_addr);
    if (unary) ctx_.set_deadline(std::chrono::system_clock::now() + absl::ToChronoSeconds(kUnaryDeadline));
    call_ = stub_.PrepareCall(&ctx_, method, &cq_);
    call_->StartCall(Tag(kStart));
    started_ = Wait(kStart);
  }

  ~Call() {
    // Finish writes the status when its tag comes out of the queue below,
    // so the status must live until the queue is drained.
    grpc::Status ignored;
    if (!finished_) {
      ctx_.TryCancel();
      call_->Finish(&ignored, Tag(kFinish));
      ++pending_;
    }
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  bool Write(const std::string& bytes) {
    if (!started_) return false;
    call_->Write(ToBuffer(bytes), Tag(kWrite));
    return Wait(kWrite);
  }
  bool WritesDone() {
    if (!started_) return false;
    call_->WritesDone(Tag(kWritesDone));
    return Wait(kWritesDone);
  }

  enum class ReadResult { kMessage, kEnd, kTimeout };
  // With timeout: kTimeout leaves the read pending; the next Read waits for it.
  ReadResult Read(std::string* bytes, absl::Duration timeout = absl::InfiniteDuration()) {
    if (!started_) return ReadResult::kEnd;
    if (!read_pending_) {
      call_->Read(&read_buf_, Tag(kRead));
      read_pending_ = true;
    }
    auto r = WaitFor(kRead, timeout);
    if (r == Outcome::kTimeout) return ReadResult::kTimeout;
    read_pending_ = false;
    if (r == Outcome::kFailed) return ReadResult::kEnd;
    std::vector<grpc::Slice> slices;
    bytes->clear();
    if (read_buf_.Dump(&slices).ok()) {
      for (const auto& s : slices) bytes->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return ReadResult::kMessage;
  }

  grpc::Status Finish() {
    grpc::Status status;
    if (read_pending_) {  // a read must complete before Finish
      WaitFor(kRead, absl::InfiniteDuration());
      read_pending_ = false;
    }
    call_->Finish(&status, Tag(kFinish));
    Wait(kFinish);
    finished_ = true;
    return status;
  }

  void Cancel() { ctx_.TryCancel(); }

 private:
  enum Op { kStart, kWrite, kWritesDone, kRead, kFinish, kOps };
  enum class Outcome { kOk, kFailed, kTimeout };
  void* Tag(Op op) { return &tags_[op]; }
  bool Wait(Op op) { return WaitFor(op, absl::InfiniteDuration()) == Outcome::kOk; }
  Outcome WaitFor(Op op, absl::Duration timeout) {
    if (done_[op]) {
      done_[op] = false;
      return ok_[op] ? Outcome::kOk : Outcome::kFailed;
    }
    auto deadline = timeout == absl::InfiniteDuration()
                        ? gpr_inf_future(GPR_CLOCK_REALTIME)
                        : gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                       gpr_time_from_millis(absl::ToInt64Milliseconds(timeout), GPR_TIMESPAN));
    while (true) {
      void* tag;
      bool ok;
      auto r = cq_.AsyncNext(&tag, &ok, deadline);
      if (r == grpc::CompletionQueue::TIMEOUT) return Outcome::kTimeout;
      if (r == grpc::CompletionQueue::SHUTDOWN) return Outcome::kFailed;
      int got = static_cast<int>(static_cast<char*>(tag) - tags_);
      if (got == op) return ok ? Outcome::kOk : Outcome::kFailed;
      done_[got] = true;
      ok_[got] = ok;
    }
  }

  grpc::GenericStub stub_;
  grpc::CompletionQueue cq_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  grpc::ByteBuffer read_buf_;
  char tags_[kOps] = {};
  bool done_[kOps] = {};
  bool ok_[kOps] = {};
  bool started_ = false;
  bool read_pending_ = false;
  bool finished_ = false;
  int pending_ = 0;
};

struct Route {
  const pb::MethodDescriptor* method = nullptr;
  std::string path;  // "/pkg.Service/Method"
};

// The method named by the path, or an error already written to res.
std::optional<Route> FindRoute(const httplib::Request& req, httplib::Response& res) {
  std::string service = req.matches[1];
  std::string name = req.matches[2];
  const pb::ServiceDescriptor* sd = nullptr;
  if (absl::StartsWith(service, "duban.")) sd = pb::DescriptorPool::generated_pool()->FindServiceByName(service);
  const pb::MethodDescriptor* md = sd ? sd->FindMethodByName(name) : nullptr;
  if (md == nullptr) {
    res.status = 404;
    res.set_content(ErrorJson(12, absl::StrCat("path: no method ", service, "/", name)), "application/json");
    return std::nullopt;
  }
  return Route{md, absl::StrCat("/", service, "/", name)};
}

// Parses a JSON request body into the method's input message, serialized.
std::optional<std::string> ParseRequest(const pb::MethodDescriptor* md, absl::string_view json,
                                        httplib::Response& res) {
  auto msg = NewMessage(md->input_type());
  if (!msg) {
    SendError(res, 13, absl::StrCat("no message type ", md->input_type()->full_name()));
    return std::nullopt;
  }
  std::string body = json.empty() ? "{}" : std::string(json);
  pb::util::JsonParseOptions o;
  auto s = pb::util::JsonStringToMessage(body, msg.get(), o);
  if (!s.ok()) {
    SendError(res, 3, absl::StrCat("body: not a ", md->input_type()->full_name(), " in JSON: ", s.ToString()));
    return std::nullopt;
  }
  return msg->SerializeAsString();
}

std::string MessageJson(const pb::Descriptor* d, const std::string& bytes) {
  auto msg = NewMessage(d);
  if (!msg || !msg->ParseFromString(bytes)) return "{}";
  return ToJson(*msg);
}

}  // namespace

HttpGateway::HttpGateway(std::shared_ptr<grpc::Channel> channel, HttpGatewayOptions options)
    : channel_(std::move(channel)), options_(std::move(options)) {}

HttpGateway::~HttpGateway() { Stop(); }

absl::Status HttpGateway::Start() {
  std::string host;
  int port = 0;
  {
    auto colon = options_.listen.rfind(':');
    if (colon == std::string::npos || !absl::SimpleAtoi(options_.listen.substr(colon + 1), &port) || port < 0 ||
        port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("http_listen: '", options_.listen, "' is not host:port"));
    }
    host = options_.listen.substr(0, colon);
    if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) host = host.substr(1, host.size() - 2);
  }
  bool tls = !options_.tls_cert_file.empty() || !options_.tls_key_file.empty();
  if (tls) {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return absl::InvalidArgumentError("http TLS: give both the certificate and the key file");
    }
    auto s = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(), options_.tls_key_file.c_str());
    if (!s->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("http TLS: cannot use ", options_.tls_cert_file, " and ",
                                                     options_.tls_key_file));
    }
    server_ = std::move(s);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  server_->set_payload_max_length(static_cast<size_t>(options_.max_body_bytes));
  server_->set_read_timeout(30, 0);
  Routes();
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    port_ = 0;
    return absl::UnavailableError(absl::StrCat("http_listen: cannot listen on ", options_.listen));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  spdlog::info("http: serving {} on {} (port {}){}", options_.web_dir.empty() ? "the API" : "the API and the web app",
               options_.listen, port_, tls ? " over TLS" : "");
  return absl::OkStatus();
}

void HttpGateway::Stop() {
  if (!server_) return;
  stopping_.store(true);
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void HttpGateway::Routes() {
  httplib::Server& svr = *server_;
  const std::string kMethodPath = R"(/([A-Za-z_][A-Za-z0-9_.]*)/([A-Za-z_][A-Za-z0-9_]*))";

  svr.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "same-origin"}});
  if (!options_.web_dir.empty()) {
    if (!svr.set_mount_point("/", options_.web_dir)) {
      spdlog::warn("http: web_dir {} is not a folder; the web app is not served", options_.web_dir);
    }
  }

  // Server-streaming answer: the call is written as server-sent events
  // until it ends, the client goes away or duband stops.
  auto stream_events = [this](std::shared_ptr<Call> call, const pb::MethodDescriptor* md, httplib::Response& res) {
    // Wait for the first message or the end, so that an error that comes
    // at once is an ordinary error response.
    std::string first;
    Call::ReadResult r;
    while ((r = call->Read(&first, kStreamPoll)) == Call::ReadResult::kTimeout) {
      if (stopping_.load()) {
        SendError(res, 14, "duband is stopping");
        return;
      }
      break;  // nothing yet: start the stream, keep the read pending
    }
    if (r == Call::ReadResult::kEnd) {
      grpc::Status st = call->Finish();
      if (!st.ok()) {
        SendError(res, st.error_code(), st.error_message());
        return;
      }
    }
    auto pending = std::make_shared<std::string>(r == Call::ReadResult::kMessage ? first : "");
    auto has_pending = std::make_shared<bool>(r == Call::ReadResult::kMessage);
    auto ended = std::make_shared<bool>(r == Call::ReadResult::kEnd);
    const pb::Descriptor* out_type = md->output_type();
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, call, pending, has_pending, ended, out_type, idle = 0](size_t, httplib::DataSink& sink) mutable {
          auto send = [&](const std::string& text) { return sink.write(text.data(), text.size()); };
          if (*has_pending) {
            *has_pending = false;
            if (!send(absl::StrCat("data: ", MessageJson(out_type, *pending), "\n\n"))) return false;
            return true;
          }
          if (*ended) {
            send("event: end\ndata: {}\n\n");
            sink.done();
            return true;
          }
          if (stopping_.load() || !sink.is_writable()) return false;
          std::string bytes;
          switch (call->Read(&bytes, kStreamPoll)) {
            case Call::ReadResult::kMessage:
              idle = 0;
              return send(absl::StrCat("data: ", MessageJson(out_type, bytes), "\n\n"));
            case Call::ReadResult::kTimeout:
              if (++idle >= kHeartbeatPolls) {
                idle = 0;
                return send(": keep-alive\n\n");
              }
              return true;
            case Call::ReadResult::kEnd: {
              grpc::Status st = call->Finish();
              *ended = true;
              if (!st.ok()) {
                send(absl::StrCat("event: error\ndata: ", ErrorJson(st.error_code(), st.error_message()), "\n\n"));
                sink.done();
              }
              return true;
            }
          }
          return false;
        },
        [call](bool) { call->Cancel(); });
  };

  // Unary and server-streaming calls from a serialized request.
  auto invoke = [this, stream_events](const Route& route, const std::string& request, const httplib::Request& req,
                                      httplib::Response& res) {
    const pb::MethodDescriptor* md = route.method;
    bool unary = !md->server_streaming();
    auto call = std::make_shared<Call>(channel_.get(), route.path, req, unary);
    if (!call->Write(request) || !call->WritesDone()) {
      grpc::Status st = call->Finish();
      SendError(res, st.ok() ? 14 : st.error_code(), st.ok() ? "call: could not be sent" : st.error_message());
      return;
    }
    if (md->server_streaming()) {
      stream_events(call, md, res);
      return;
    }
    std::string bytes;
    bool got = call->Read(&bytes) == Call::ReadResult::kMessage;
    grpc::Status st = call->Finish();
    if (!st.ok()) {
      SendError(res, st.error_code(), st.error_message());
      return;
    }
    if (!got) {
      SendError(res, 13, "call: no response");
      return;
    }
    std::string json = MessageJson(md->output_type(), bytes);
    if (md->full_name() == "duban.v1.AuthService.Login") {
      // The session token also goes into an HttpOnly cookie, so that the
      // web app's requests (and EventSource, file links) carry it.
      auto msg = NewMessage(md->output_type());
      const pb::FieldDescriptor* f = msg ? msg->GetDescriptor()->FindFieldByName("token") : nullptr;
      if (f && f->type() == pb::FieldDescriptor::TYPE_STRING && msg->ParseFromString(bytes)) {
        std::string token = msg->GetReflection()->GetString(*msg, f);
        bool tls = !options_.tls_cert_file.empty();
        res.set_header("Set-Cookie", absl::StrCat("duban_token=", token, "; Path=/; HttpOnly; SameSite=Strict",
                                                  tls ? "; Secure" : ""));
      }
    }
    res.set_content(json, "application/json");
  };

  svr.Post("/logout", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Set-Cookie", "duban_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    res.set_content("{}", "application/json");
  });

  // Evidence content, for links and <img>: EvidenceService.Download.
  svr.Get(R"(/evidence/([0-9a-f]{64}))", [this](const httplib::Request& req, httplib::Response& res) {
    const pb::MethodDescriptor* md = nullptr;
    if (auto* sd = pb::DescriptorPool::generated_pool()->FindServiceByName("duban.v1.EvidenceService")) {
      md = sd->FindMethodByName("Download");
    }
    if (md == nullptr) {
      SendError(res, 12, "evidence: not served");
      return;
    }
    auto msg = NewMessage(md->input_type());
    msg->GetReflection()->SetString(msg.get(), md->input_type()->FindFieldByName("sha256"), req.matches[1]);
    Call call(channel_.get(), "/duban.v1.EvidenceService/Download", req, /*unary=*/true);
    if (!call.Write(msg->SerializeAsString()) || !call.WritesDone()) {
      grpc::Status st = call.Finish();
      SendError(res, st.ok() ? 14 : st.error_code(), st.error_message());
      return;
    }
    std::string bytes, content;
    auto out = NewMessage(md->output_type());
    const pb::FieldDescriptor* file_f = md->output_type()->FindFieldByName("file");
    const pb::FieldDescriptor* chunk_f = md->output_type()->FindFieldByName("chunk");
    std::string content_type = "application/octet-stream", file_name;
    while (call.Read(&bytes) == Call::ReadResult::kMessage) {
      if (!out->ParseFromString(bytes)) break;
      const pb::Reflection* r = out->GetReflection();
      if (r->HasField(*out, file_f)) {
        const pb::Message& f = r->GetMessage(*out, file_f);
        const pb::Descriptor* fd = f.GetDescriptor();
        content_type = f.GetReflection()->GetString(f, fd->FindFieldByName("content_type"));
        file_name = f.GetReflection()->GetString(f, fd->FindFieldByName("file_name"));
      }
      content += r->GetString(*out, chunk_f);
    }
    grpc::Status st = call.Finish();
    if (!st.ok()) {
      SendError(res, st.error_code(), st.error_message());
      return;
    }
    res.set_header("Content-Disposition",
                   absl::StrCat("inline; filename*=UTF-8''", PercentEncode(file_name)));
    res.set_header("Cache-Control", "private, no-store");
    res.set_content(std::move(content), content_type);
  });

  // GET (registered after /evidence/, which its pattern would also match): server-streaming methods, the request in ?message=.
  svr.Get(kMethodPath, [invoke](const httplib::Request& req, httplib::Response& res) {
    auto route = FindRoute(req, res);
    if (!route) return;
    if (!route->method->server_streaming() || route->method->client_streaming()) {
      res.status = 405;
      res.set_content(ErrorJson(3, absl::StrCat("method: ", route->path, " is called with POST")),
                      "application/json");
      return;
    }
    auto request = ParseRequest(route->method, req.get_param_value("message"), res);
    if (!request) return;
    invoke(*route, *request, req, res);
  });

  // POST: every method; multipart/form-data for client-streaming uploads.
  svr.Post(kMethodPath, [this, invoke](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) {
    auto route = FindRoute(req, res);
    if (!route) return;
    const pb::MethodDescriptor* md = route->method;
    if (md->client_streaming()) {
      if (md->server_streaming() || !req.is_multipart_form_data()) {
        SendError(res, 3, absl::StrCat("method: ", route->path, " takes multipart/form-data with a part 'file'"));
        return;
      }
      // The input is a oneof of a header message and bytes chunks: the
      // header's fields from the form's text fields (file_name from the
      // file part's name), then the file's bytes.
      const pb::Descriptor* in = md->input_type();
      const pb::FieldDescriptor* header_f = nullptr;
      const pb::FieldDescriptor* chunk_f = nullptr;
      for (int i = 0; i < in->field_count(); ++i) {
        const pb::FieldDescriptor* f = in->field(i);
        if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE && !header_f) header_f = f;
        if (f->type() == pb::FieldDescriptor::TYPE_BYTES && !chunk_f) chunk_f = f;
      }
      if (!header_f || !chunk_f) {
        SendError(res, 12, absl::StrCat("method: ", route->path, " cannot be called over HTTP"));
        return;
      }
      std::shared_ptr<Call> call;
      std::map<std::string, std::string> fields;
      std::string current;  // the part being read
      bool in_file = false, call_failed = false;
      auto start_call = [&](const std::string& file_name) {
        call = std::make_shared<Call>(channel_.get(), route->path, req, /*unary=*/false);
        auto msg = NewMessage(in);
        pb::Message* header = msg->GetReflection()->MutableMessage(msg.get(), header_f);
        const pb::Descriptor* hd = header_f->message_type();
        for (int i = 0; i < hd->field_count(); ++i) {
          const pb::FieldDescriptor* f = hd->field(i);
          if (f->type() != pb::FieldDescriptor::TYPE_STRING || f->is_repeated()) continue;
          std::string v = f->name() == "file_name" ? file_name : fields[f->name()];
          if (!v.empty()) header->GetReflection()->SetString(header, f, v);
        }
        if (!call->Write(msg->SerializeAsString())) call_failed = true;
      };
      auto chunk_message = [&](const char* data, size_t len) {
        auto msg = NewMessage(in);
        msg->GetReflection()->SetString(msg.get(), chunk_f, std::string(data, len));
        return msg->SerializeAsString();
      };
      bool read_ok = reader(
          [&](const httplib::MultipartFormData& part) {
            in_file = !part.filename.empty() && !call;
            current = part.name;
            if (in_file) start_call(part.filename);
            return !call_failed;
          },
          [&](const char* data, size_t len) {
            if (!in_file) {
              if (fields[current].size() + len > 4096) return false;
              fields[current].append(data, len);
              return true;
            }
            if (!call->Write(chunk_message(data, len))) call_failed = true;
            return !call_failed;
          });
      if (!call) {
        SendError(res, 3, "file: no file part in the form");
        return;
      }
      if (!read_ok && !call_failed) {
        // The upload broke off: cancel, so the server keeps nothing.
        call->Cancel();
        grpc::Status st = call->Finish();
        (void)st;
        SendError(res, 1, "upload: the request body ended early");
        return;
      }
      if (!call_failed) call->WritesDone();
      std::string bytes;
      bool got = call->Read(&bytes) == Call::ReadResult::kMessage;
      grpc::Status st = call->Finish();
      if (!st.ok()) {
        SendError(res, st.error_code(), st.error_message());
        return;
      }
      if (!got) {
        SendError(res, 13, "call: no response");
        return;
      }
      res.set_content(MessageJson(md->output_type(), bytes), "application/json");
      return;
    }
    std::string content_type = req.get_header_value("Content-Type");
    if (!absl::StartsWith(content_type, "application/json")) {
      res.status = 415;
      res.set_content(ErrorJson(3, "Content-Type: application/json expected"), "application/json");
      return;
    }
    std::string body;
    if (!reader([&](const char* data, size_t len) {
          body.append(data, len);
          return true;
        })) {
      SendError(res, 3, "body: could not be read");
      return;
    }
    auto request = ParseRequest(md, body, res);
    if (!request) return;
    invoke(*route, *request, req, res);
  });

}

}  // namespace duban
