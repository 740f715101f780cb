// The fake Kubernetes API server, driven by real clients (curl, and the tests' own TLS client
// for streams): pagination against one resourceVersion, watch events and their endings, auth,
// availability, injected failures, and the fake-kube-api program.
#include "support/fake_kube_api.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <csignal>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "support/https_client.hpp"
#include "support/raw_connection.hpp"
#include "support/run_process.hpp"
#include "support/scratch_dir.hpp"
#include "support/webhook_process.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace http = boost::beast::http;

constexpr const char* kRoleArn = "eks.amazonaws.com/role-arn";

// A server pair for 127.0.0.1 and localhost, as client-go checks them.
struct ServerFiles {
  explicit ServerFiles(const std::string& prefix) : dir(prefix) {
    const auto problem =
        make_self_signed_pair(dir, "server",
                              {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                               "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    EXPECT_EQ(problem, "");
    cert = dir.path("server.crt");
    key = dir.path("server.key");
  }
  [[nodiscard]] FakeKubeApiOptions options(std::vector<std::string> tokens = {}) const {
    FakeKubeApiOptions result;
    result.cert_file = cert;
    result.key_file = key;
    result.tokens = std::move(tokens);
    return result;
  }
  ScratchDir dir;
  std::string cert, key;
};

// A CA of its own and a client certificate it signed, made with the openssl command line.
void make_client_pair(const ScratchDir& dir, const std::string& name) {
  const std::string openssl = "/usr/bin/openssl";
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"};
  auto with = [](std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  auto ca = run_process(
      openssl, with({"req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=" + name + "-ca",
                     "-keyout", dir.path(name + "-ca.key"), "-out", dir.path(name + "-ca.crt")},
                    ec));
  ASSERT_EQ(ca.exit_code, 0) << ca.err;
  auto request = run_process(
      openssl, with({"req", "-new", "-nodes", "-subj", "/O=system:masters/CN=" + name + "-user",
                     "-keyout", dir.path(name + ".key"), "-out", dir.path(name + ".csr")},
                    ec));
  ASSERT_EQ(request.exit_code, 0) << request.err;
  auto sign =
      run_process(openssl, {"x509", "-req", "-days", "1", "-in", dir.path(name + ".csr"), "-CA",
                            dir.path(name + "-ca.crt"), "-CAkey", dir.path(name + "-ca.key"),
                            "-CAcreateserial", "-out", dir.path(name + ".crt")});
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
}

struct CurlResult {
  int exit_code = -1;
  int status = 0;
  std::string body;
  std::string err;
};

// curl verifying the fake's certificate; extra arguments go before the URL.
CurlResult curl(const ServerFiles& files, const std::string& url,
                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"-sS", "--max-time",    "20", "--cacert", files.cert,
                                   "-w",  "\n%{http_code}"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  const auto ran = run_process("/usr/bin/curl", args);
  CurlResult result;
  result.exit_code = ran.exit_code;
  result.err = ran.err;
  const auto newline = ran.out.rfind('\n');
  if (newline != std::string::npos) {
    result.body = ran.out.substr(0, newline);
    result.status = std::atoi(ran.out.c_str() + newline + 1);
  }
  return result;
}

json parse(const std::string& text) {
  return json::parse(text, nullptr, false);
}

std::vector<std::string> names_of(const json& list) {
  std::vector<std::string> names;
  for (const auto& item : list["items"]) {
    names.push_back(item["metadata"]["namespace"].get<std::string>() + "/" +
                    item["metadata"]["name"].get<std::string>());
  }
  return names;
}

std::uint64_t rv_of(const json& list) {
  return std::stoull(list["metadata"]["resourceVersion"].get<std::string>());
}

// One TLS connection carrying requests whose responses are read as they stream in: the
// chunked body goes through Beast's parser, and complete lines come out one by one.
class StreamingClient {
 public:
  StreamingClient(unsigned short port, const std::string& ca) : connection_(port) {
    handshaken_ = connection_.handshake(ca);
  }

  [[nodiscard]] bool connected() const { return handshaken_; }

  bool send_get(const std::string& target, const std::string& token = {}) {
    parser_.emplace();
    parser_->eager(true);
    parser_->body_limit(boost::none);
    consumed_ = 0;
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "Accept: application/json\r\n\r\n";
    return connection_.send(request);
  }

  // The status once the header has arrived (0 if it did not).
  int status(std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!parser_->is_header_done() && pump(deadline)) {
    }
    return parser_->is_header_done() ? static_cast<int>(parser_->get().result_int()) : 0;
  }

  // The next complete line of the body, parsed.
  std::optional<json> next_line(std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
      const std::string& body = parser_->get().body();
      const auto newline = body.find('\n', consumed_);
      if (newline != std::string::npos) {
        const std::string line = body.substr(consumed_, newline - consumed_);
        consumed_ = newline + 1;
        return parse(line);
      }
      if (!pump(deadline)) return std::nullopt;
    }
  }

  // Whether the response ended properly (the final chunk) within the time.
  bool ended(std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!parser_->is_done() && pump(deadline)) {
    }
    return parser_->is_done();
  }

  // Waits until the server closes the connection; true if it did.
  bool wait_closed(std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!closed_ && pump(deadline)) {
    }
    return closed_;
  }

  // Body bytes after the last complete line.
  [[nodiscard]] std::string unfinished() const { return parser_->get().body().substr(consumed_); }
  [[nodiscard]] bool closed() const { return closed_; }
  [[nodiscard]] bool done() const { return parser_->is_done(); }
  void reset() { connection_.reset(); }

 private:
  // Reads what arrives and feeds the parser; false when nothing came in time or the server
  // closed.
  bool pump(std::chrono::steady_clock::time_point deadline) {
    if (closed_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    bool closed = false;
    pending_ += connection_.read_some(left, &closed);
    if (closed) closed_ = true;
    while (!pending_.empty() && !parser_->is_done()) {
      boost::beast::error_code error;
      const std::size_t used = parser_->put(boost::asio::buffer(pending_), error);
      pending_.erase(0, used);
      if (error == http::error::need_more || used == 0) break;
      if (error) {
        ADD_FAILURE() << "the response does not parse: " << error.message();
        closed_ = true;
        return false;
      }
    }
    return !closed_;
  }

  RawConnection connection_;
  bool handshaken_ = false;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string pending_;
  std::size_t consumed_ = 0;
  bool closed_ = false;
};

// A watch opened on a fresh connection, ready once the fake has registered it.
std::unique_ptr<StreamingClient> open_watch(FakeKubeApi& api, const ServerFiles& files,
                                            const std::string& target, std::size_t open_after = 1) {
  auto client = std::make_unique<StreamingClient>(api.port(), files.cert);
  EXPECT_TRUE(client->connected());
  EXPECT_TRUE(client->send_get(target));
  EXPECT_EQ(client->status(), 200) << target;
  EXPECT_TRUE(eventually([&] { return api.open_watches() == open_after; }, 5s));
  return client;
}

// --- LIST -------------------------------------------------------------------------------------

TEST(FakeKubeApi, PagesShowOneResourceVersionWhileAccountsChange) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.add_service_accounts(1234, 10);
  HttpClient client(api.port(), files.cert);

  auto first = client.get("/api/v1/serviceaccounts?limit=500");
  ASSERT_EQ(first.status, 200) << first.error;
  EXPECT_EQ(first.headers["content-type"], "application/json");
  const auto page1 = parse(first.body);
  EXPECT_EQ(page1["kind"], "ServiceAccountList");
  EXPECT_EQ(page1["apiVersion"], "v1");
  ASSERT_EQ(page1["items"].size(), 500u);
  EXPECT_EQ(page1["metadata"]["remainingItemCount"], 734);
  const std::string token1 = page1["metadata"]["continue"];
  ASSERT_FALSE(token1.empty());

  // Changes after the first page do not show on the later ones.
  api.delete_service_account("ns-0020", "sa-1000");
  api.put_service_account("ns-0022", "sa-1100", {{"changed", "yes"}});
  api.put_service_account("ns-0024", "zz-new");

  auto second = client.get("/api/v1/serviceaccounts?limit=500&continue=" + token1);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_FALSE(second.new_connection);  // keep-alive honoured
  const auto page2 = parse(second.body);
  EXPECT_EQ(page2["items"].size(), 500u);
  EXPECT_EQ(page2["metadata"]["remainingItemCount"], 234);
  auto third = client.get("/api/v1/serviceaccounts?resourceVersion=0&limit=500&continue=" +
                          page2["metadata"]["continue"].get<std::string>());
  ASSERT_EQ(third.status, 200) << third.body;
  const auto page3 = parse(third.body);
  EXPECT_EQ(page3["items"].size(), 234u);
  EXPECT_FALSE(page3["metadata"].contains("continue"));
  EXPECT_FALSE(page3["metadata"].contains("remainingItemCount"));
  EXPECT_EQ(rv_of(page2), rv_of(page1));
  EXPECT_EQ(rv_of(page3), rv_of(page1));

  std::vector<std::string> all;
  for (const auto* page : {&page1, &page2, &page3}) {
    for (const auto& name : names_of(*page)) all.push_back(name);
    for (const auto& item : (*page)["items"]) {
      if (item["metadata"]["name"] == "sa-1100") {
        EXPECT_EQ(item["metadata"]["annotations"][kRoleArn],
                  "arn:aws:iam::111122223333:role/r-1100");
      }
    }
  }
  EXPECT_EQ(all.size(), 1234u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 1234u);
  EXPECT_NE(std::find(all.begin(), all.end(), "ns-0020/sa-1000"), all.end());
  EXPECT_EQ(std::find(all.begin(), all.end(), "ns-0024/zz-new"), all.end());

  // A new list sees the present.
  const auto now = parse(client.get("/api/v1/serviceaccounts").body);
  EXPECT_EQ(rv_of(now), rv_of(page1) + 3);
  const auto names = names_of(now);
  EXPECT_EQ(names.size(), 1234u);
  EXPECT_EQ(std::find(names.begin(), names.end(), "ns-0020/sa-1000"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "ns-0024/zz-new"), names.end());
  EXPECT_EQ(api.counts().lists, 4);
  EXPECT_EQ(api.requests().front(), "GET /api/v1/serviceaccounts?limit=500");
}

TEST(FakeKubeApi, ListItemsLookLikeTheApiServers) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_service_account("apps", "web", {{kRoleArn, "arn:aws:iam::111122223333:role/web"}});
  api.put_service_account("apps", "plain");
  api.add_service_accounts(120, 50);
  HttpClient client(api.port(), files.cert);

  const auto list = parse(client.get("/api/v1/serviceaccounts").body);
  ASSERT_EQ(list["items"].size(), 122u);
  EXPECT_FALSE(list["metadata"].contains("continue"));
  const auto& plain = list["items"][0];
  const auto& web = list["items"][1];
  EXPECT_FALSE(plain.contains("kind"));
  EXPECT_FALSE(plain.contains("apiVersion"));
  EXPECT_EQ(plain["metadata"]["namespace"], "apps");
  EXPECT_EQ(plain["metadata"]["name"], "plain");
  EXPECT_EQ(plain["metadata"]["resourceVersion"], "102");
  EXPECT_EQ(plain["metadata"]["creationTimestamp"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(plain["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_FALSE(plain["metadata"].contains("annotations"));
  EXPECT_EQ(web["metadata"]["annotations"][kRoleArn], "arn:aws:iam::111122223333:role/web");
  EXPECT_NE(web["metadata"]["uid"], plain["metadata"]["uid"]);
  // The bulk load: ns-0000, ns-0001, ns-0002; every 50th account annotated.
  int annotated = 0;
  std::set<std::string> namespaces;
  for (const auto& item : list["items"]) {
    namespaces.insert(item["metadata"]["namespace"].get<std::string>());
    if (item["metadata"].contains("annotations")) ++annotated;
  }
  EXPECT_EQ(namespaces, (std::set<std::string>{"apps", "ns-0000", "ns-0001", "ns-0002"}));
  EXPECT_EQ(annotated, 4);  // web, sa-0, sa-50, sa-100
  EXPECT_EQ(rv_of(list), 103u);
}

TEST(FakeKubeApi, NamespacedListsAndConfigMapsHonourFieldSelectors) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_config_map("kube-system", "pod-identity-webhook", {{"config", R"({"a":1})"}});
  api.put_config_map("kube-system", "other", {});
  api.put_config_map("default", "pod-identity-webhook", {{"config", "{}"}});
  api.add_service_accounts(200, 0);
  HttpClient client(api.port(), files.cert);

  const auto selected =
      parse(client
                .get("/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Dpod-"
                     "identity-webhook&limit=500")
                .body);
  EXPECT_EQ(selected["kind"], "ConfigMapList");
  ASSERT_EQ(selected["items"].size(), 1u);
  EXPECT_EQ(selected["items"][0]["data"]["config"], R"({"a":1})");
  EXPECT_EQ(parse(client.get("/api/v1/configmaps").body)["items"].size(), 3u);
  EXPECT_EQ(
      parse(client.get("/api/v1/configmaps?fieldSelector=metadata.name!%3Dother").body)["items"]
          .size(),
      2u);

  const auto page = parse(client.get("/api/v1/namespaces/ns-0001/serviceaccounts?limit=20").body);
  ASSERT_EQ(page["items"].size(), 20u);
  EXPECT_EQ(page["metadata"]["remainingItemCount"], 30);
  const auto rest =
      parse(client
                .get("/api/v1/namespaces/ns-0001/serviceaccounts?limit=100&continue=" +
                     page["metadata"]["continue"].get<std::string>())
                .body);
  EXPECT_EQ(rest["items"].size(), 30u);
  for (const auto& item : rest["items"]) EXPECT_EQ(item["metadata"]["namespace"], "ns-0001");

  auto unsupported = client.get("/api/v1/configmaps?fieldSelector=spec.nodeName%3Dx");
  EXPECT_EQ(unsupported.status, 400);
  EXPECT_EQ(parse(unsupported.body)["reason"], "BadRequest");
  EXPECT_EQ(client.get("/api/v1/serviceaccounts?continue=bm90LWpzb24").status, 400);
}

// --- GET --------------------------------------------------------------------------------------

TEST(FakeKubeApi, GetAnswersTheObjectOrANotFoundStatus) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_service_account("apps", "web", {{kRoleArn, "arn:aws:iam::111122223333:role/web"}});
  api.put_config_map("kube-system", "pod-identity-webhook", {{"config", "{}"}});
  HttpClient client(api.port(), files.cert);

  auto found = client.get("/api/v1/namespaces/apps/serviceaccounts/web");
  ASSERT_EQ(found.status, 200);
  const auto account = parse(found.body);
  EXPECT_EQ(account["kind"], "ServiceAccount");
  EXPECT_EQ(account["apiVersion"], "v1");
  EXPECT_EQ(account["metadata"]["annotations"][kRoleArn], "arn:aws:iam::111122223333:role/web");
  const auto map = parse(client
                             .get("/api/v1/namespaces/kube-system/configmaps/"
                                  "pod-identity-webhook")
                             .body);
  EXPECT_EQ(map["kind"], "ConfigMap");
  EXPECT_EQ(map["data"]["config"], "{}");

  auto missing = client.get("/api/v1/namespaces/apps/serviceaccounts/nobody");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(parse(missing.body), parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"serviceaccounts \"nobody\" not found","reason":"NotFound",
      "details":{"name":"nobody","kind":"serviceaccounts"},"code":404})"));
  EXPECT_EQ(parse(client.get("/api/v1/namespaces/apps/configmaps/x").body)["details"]["kind"],
            "configmaps");
  EXPECT_EQ(api.counts().gets, 4);
}

TEST(FakeKubeApi, GetsFailAndWaitWhenTold) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_service_account("apps", "web");
  HttpClient client(api.port(), files.cert);
  const std::string target = "/api/v1/namespaces/apps/serviceaccounts/web";

  api.fail_next_gets(2, 503);
  auto failed = client.get(target);
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(parse(failed.body)["reason"], "ServiceUnavailable");
  EXPECT_EQ(parse(failed.body)["code"], 503);
  EXPECT_EQ(client.get(target).status, 503);
  // Lists are not GETs of one object.
  EXPECT_EQ(client.get("/api/v1/serviceaccounts").status, 200);
  api.fail_next_gets(1);
  EXPECT_EQ(client.get(target).status, 500);
  EXPECT_EQ(client.get(target).status, 200);

  api.delay_gets(300ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.get(target).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  api.delay_gets(0ms);
  EXPECT_EQ(api.counts().gets, 5);
}

TEST(FakeKubeApi, UnknownPathsAndOtherMethodsAreRefused) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  HttpClient client(api.port(), files.cert);
  // (Pods and Deployments are served now, by the store of other kinds.)
  for (const char* path : {"/api/v1/widgets", "/healthz", "/apis/example.com/v1/widgets", "/"}) {
    auto answer = client.get(path);
    EXPECT_EQ(answer.status, 404) << path;
    EXPECT_EQ(parse(answer.body)["reason"], "NotFound") << path;
  }
  auto post = client.post_json("/api/v1/namespaces/apps/serviceaccounts", "{}");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(parse(post.body)["code"], 405);
  EXPECT_EQ(api.requests().back(), "POST /api/v1/namespaces/apps/serviceaccounts");
}

// --- WATCH ------------------------------------------------------------------------------------

TEST(FakeKubeApiWatch, DeliversChangesInOrder) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_service_account("apps", "old");
  HttpClient lister(api.port(), files.cert);
  const auto rv = rv_of(parse(lister.get("/api/v1/serviceaccounts").body));

  auto watch = open_watch(api, files,
                          "/api/v1/serviceaccounts?allowWatchBookmarks=true&resourceVersion=" +
                              std::to_string(rv) + "&watch=true");
  api.put_service_account("apps", "web", {{kRoleArn, "arn:aws:iam::111122223333:role/web"}});
  api.put_config_map("apps", "not-an-account", {});
  api.put_service_account("apps", "web");
  api.delete_service_account("apps", "web");
  api.delete_service_account("apps", "never-was");

  const std::vector<std::string> types = {"ADDED", "MODIFIED", "DELETED"};
  const std::vector<std::uint64_t> versions = {rv + 1, rv + 3, rv + 4};
  for (std::size_t i = 0; i < types.size(); ++i) {
    const auto event = watch->next_line();
    ASSERT_TRUE(event.has_value()) << i;
    EXPECT_EQ((*event)["type"], types[i]);
    const auto& object = (*event)["object"];
    EXPECT_EQ(object["kind"], "ServiceAccount");
    EXPECT_EQ(object["apiVersion"], "v1");
    EXPECT_EQ(object["metadata"]["name"], "web");
    EXPECT_EQ(object["metadata"]["resourceVersion"], std::to_string(versions[i]));
    EXPECT_EQ(object["metadata"].contains("annotations"), i == 0);
  }
  EXPECT_FALSE(watch->next_line(300ms).has_value());
  EXPECT_EQ(api.counts().watches, 1);
}

TEST(FakeKubeApiWatch, StartsFromHistoryOrFromTheCurrentState) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_service_account("apps", "a");                // 101
  api.put_service_account("apps", "b");                // 102
  api.put_service_account("apps", "a", {{"x", "y"}});  // 103

  auto current = open_watch(api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=0");
  for (const char* name : {"a", "b"}) {
    const auto event = current->next_line();
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ((*event)["type"], "ADDED");
    EXPECT_EQ((*event)["object"]["metadata"]["name"], name);
  }
  auto missing_rv = open_watch(api, files, "/api/v1/namespaces/apps/serviceaccounts?watch=1", 2);
  EXPECT_EQ((*missing_rv->next_line())["type"], "ADDED");

  auto replay = open_watch(api, files, "/api/v1/serviceaccounts?watch=true&resourceVersion=101", 3);
  const auto added = replay->next_line();
  const auto modified = replay->next_line();
  ASSERT_TRUE(added && modified);
  EXPECT_EQ((*added)["type"], "ADDED");
  EXPECT_EQ((*added)["object"]["metadata"]["name"], "b");
  EXPECT_EQ((*modified)["type"], "MODIFIED");
  EXPECT_EQ((*modified)["object"]["metadata"]["resourceVersion"], "103");

  // ConfigMaps by name, as the webhook watches its own.
  auto maps = open_watch(api, files,
                         "/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%"
                         "3Dpod-identity-webhook&watch=true&resourceVersion=103",
                         4);
  api.put_config_map("kube-system", "other", {});
  api.put_config_map("kube-system", "pod-identity-webhook", {{"config", "{}"}});
  const auto map_event = maps->next_line();
  ASSERT_TRUE(map_event.has_value());
  EXPECT_EQ((*map_event)["object"]["kind"], "ConfigMap");
  EXPECT_EQ((*map_event)["object"]["metadata"]["name"], "pod-identity-webhook");
  EXPECT_EQ((*map_event)["object"]["data"]["config"], "{}");
}

TEST(FakeKubeApiWatch, BookmarksOnlyForWatchesThatAskForThem) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  auto asked = open_watch(
      api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=100&allowWatchBookmarks=true");
  auto plain = open_watch(api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=100", 2);
  api.put_service_account("apps", "web");
  api.send_bookmarks();

  EXPECT_EQ((*asked->next_line())["type"], "ADDED");
  const auto bookmark = asked->next_line();
  ASSERT_TRUE(bookmark.has_value());
  EXPECT_EQ(*bookmark, parse(R"({"type":"BOOKMARK","object":{"kind":"ServiceAccount",
      "apiVersion":"v1","metadata":{"resourceVersion":"101"}}})"));
  EXPECT_EQ((*plain->next_line())["type"], "ADDED");
  EXPECT_FALSE(plain->next_line(300ms).has_value());
}

TEST(FakeKubeApiWatch, CompactionExpiresOldVersions) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.add_service_accounts(30, 0);
  HttpClient client(api.port(), files.cert);
  const auto page = parse(client.get("/api/v1/serviceaccounts?limit=10").body);
  const auto listed = rv_of(page);
  api.compact();

  auto expired = client.get("/api/v1/serviceaccounts?limit=10&continue=" +
                            page["metadata"]["continue"].get<std::string>());
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(parse(expired.body)["reason"], "Expired");
  EXPECT_EQ(parse(expired.body)["code"], 410);

  StreamingClient watch(api.port(), files.cert);
  ASSERT_TRUE(
      watch.send_get("/api/v1/serviceaccounts?watch=1&resourceVersion=" + std::to_string(listed)));
  EXPECT_EQ(watch.status(), 200);
  const auto error = watch.next_line();
  ASSERT_TRUE(error.has_value());
  const std::string message = "too old resource version: " + std::to_string(listed) + " (" +
                              std::to_string(listed + 1) + ")";
  EXPECT_EQ(*error, json({{"type", "ERROR"},
                          {"object",
                           {{"kind", "Status"},
                            {"apiVersion", "v1"},
                            {"metadata", json::object()},
                            {"status", "Failure"},
                            {"message", message},
                            {"reason", "Expired"},
                            {"code", 410}}}}));
  EXPECT_TRUE(watch.ended());  // the final chunk, not a cut
  EXPECT_EQ(api.open_watches(), 0u);

  // A list after the compaction can be watched from.
  const auto fresh = rv_of(parse(client.get("/api/v1/serviceaccounts?limit=10").body));
  EXPECT_EQ(fresh, listed + 1);
  auto after = open_watch(
      api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=" + std::to_string(fresh));
  api.put_service_account("apps", "web");
  EXPECT_EQ((*after->next_line())["type"], "ADDED");
}

TEST(FakeKubeApiWatch, AnErrorEventEndsTheStream) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  auto watch = open_watch(api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=100");
  api.send_watch_error(500, "InternalError", "etcd went away");
  const auto error = watch->next_line();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["type"], "ERROR");
  EXPECT_EQ((*error)["object"]["code"], 500);
  EXPECT_EQ((*error)["object"]["message"], "etcd went away");
  EXPECT_TRUE(watch->ended());
  EXPECT_EQ(api.open_watches(), 0u);
}

TEST(FakeKubeApiWatch, CutsLeaveTheStreamUnfinished) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_service_account("apps", "web");
  auto mid_line = open_watch(api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=0");
  EXPECT_EQ((*mid_line->next_line())["type"], "ADDED");
  api.cut_watches(true);
  EXPECT_EQ(api.open_watches(), 0u);
  EXPECT_TRUE(mid_line->wait_closed());
  EXPECT_FALSE(mid_line->done());  // no final chunk
  EXPECT_FALSE(mid_line->unfinished().empty());
  EXPECT_EQ(mid_line->unfinished().find('\n'), std::string::npos);

  auto clean = open_watch(api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=101");
  api.cut_watches(false);
  EXPECT_TRUE(clean->wait_closed());
  EXPECT_FALSE(clean->done());
  EXPECT_EQ(clean->unfinished(), "");

  // curl sees a transfer that broke off.
  auto running = std::async(std::launch::async, [&] {
    return curl(files, api.url() + "/api/v1/serviceaccounts?watch=1&resourceVersion=0");
  });
  ASSERT_TRUE(eventually([&] { return api.open_watches() == 1; }, 5s));
  api.cut_watches(true);
  const auto result = running.get();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.body.find(R"({"type":"ADDED")"), std::string::npos);
  EXPECT_NE(result.body.find(R"({"type":"BOOKMARK")"), std::string::npos);
}

TEST(FakeKubeApiWatch, TimeoutEndsTheStreamAndKeepsTheConnection) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  StreamingClient client(api.port(), files.cert);
  ASSERT_TRUE(client.send_get("/api/v1/serviceaccounts?watch=1&timeoutSeconds=1"));
  EXPECT_EQ(client.status(), 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ended(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 800ms);
  EXPECT_FALSE(client.closed());
  // The same connection carries the next request.
  ASSERT_TRUE(client.send_get("/api/v1/serviceaccounts"));
  EXPECT_EQ(client.status(), 200);
  EXPECT_TRUE(client.ended());
  EXPECT_EQ(api.counts().lists, 1);
}

TEST(FakeKubeApiWatch, ClientsThatVanishAreForgotten) {
  ServerFiles files("fake-kube");
  auto api = std::make_unique<FakeKubeApi>(files.options());
  auto idle = open_watch(*api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=100");
  idle->reset();
  EXPECT_TRUE(eventually([&] { return api->open_watches() == 0; }, 5s));

  // One that leaves in the middle of a long replay.
  api->add_service_accounts(20000, 10);
  {
    StreamingClient greedy(api->port(), files.cert);
    ASSERT_TRUE(greedy.send_get("/api/v1/serviceaccounts?watch=1"));
    EXPECT_EQ(greedy.status(), 200);
    EXPECT_TRUE(greedy.next_line().has_value());
    greedy.reset();
  }
  EXPECT_TRUE(eventually([&] { return api->open_watches() == 0; }, 5s));
  HttpClient client(api->port(), files.cert);
  EXPECT_EQ(client.get("/api/v1/serviceaccounts?limit=1").status, 200);

  // The destructor ends watches that are still open.
  auto open = open_watch(*api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=101");
  api.reset();
  EXPECT_TRUE(open->wait_closed(5s));
}

// --- Namespaces -------------------------------------------------------------------------------

std::vector<std::string> namespace_names(const json& list) {
  std::vector<std::string> names;
  for (const auto& item : list["items"]) {
    EXPECT_FALSE(item["metadata"].contains("namespace")) << item;
    names.push_back(item["metadata"]["name"].get<std::string>());
  }
  return names;
}

using Names = std::vector<std::string>;

TEST(FakeKubeApiNamespaces, ListAndGetShowThemAsTheApiServerDoes) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_namespace("shop", {{"team", "a"}});
  api.put_object({{"apiVersion", "v1"},
                  {"kind", "Namespace"},
                  {"metadata", {{"name", "blog"}, {"labels", {{"team", "b"}}}}}});
  api.put_namespace("kube-system");
  api.put_service_account("shop", "api");
  HttpClient client(api.port(), files.cert);

  const auto list = parse(client.get("/api/v1/namespaces").body);
  EXPECT_EQ(list["kind"], "NamespaceList");
  EXPECT_EQ(list["apiVersion"], "v1");
  EXPECT_EQ(rv_of(list), 104u);
  EXPECT_EQ(namespace_names(list), (Names{"blog", "kube-system", "shop"}));
  const auto& shop = list["items"][2];
  EXPECT_FALSE(shop.contains("kind"));
  EXPECT_EQ(shop["metadata"]["labels"],
            parse(R"({"kubernetes.io/metadata.name":"shop","team":"a"})"));
  EXPECT_EQ(shop["metadata"]["resourceVersion"], "101");
  EXPECT_EQ(shop["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_EQ(shop["spec"], parse(R"({"finalizers":["kubernetes"]})"));
  EXPECT_EQ(shop["status"], parse(R"({"phase":"Active"})"));
  EXPECT_EQ(list["items"][1]["metadata"]["labels"],
            parse(R"({"kubernetes.io/metadata.name":"kube-system"})"));

  auto got = client.get("/api/v1/namespaces/shop");
  ASSERT_EQ(got.status, 200) << got.body;
  const auto one = parse(got.body);
  EXPECT_EQ(one["kind"], "Namespace");
  EXPECT_EQ(one["apiVersion"], "v1");
  EXPECT_FALSE(one["metadata"].contains("namespace"));
  EXPECT_EQ(one["metadata"]["uid"], shop["metadata"]["uid"]);
  auto missing = client.get("/api/v1/namespaces/gone");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(parse(missing.body), parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"namespaces \"gone\" not found","reason":"NotFound",
      "details":{"name":"gone","kind":"namespaces"},"code":404})"));
  // What lives in a namespace is still found under it.
  EXPECT_EQ(client.get("/api/v1/namespaces/shop/serviceaccounts/api").status, 200);
  EXPECT_EQ(parse(client.get("/api/v1/namespaces/shop/serviceaccounts").body)["items"].size(), 1u);
  // The name label cannot be set otherwise.
  api.put_namespace("odd", {{"kubernetes.io/metadata.name", "other"}});
  EXPECT_EQ(parse(client.get("/api/v1/namespaces/odd")
                      .body)["metadata"]["labels"]["kubernetes.io/metadata.name"],
            "odd");
  api.delete_object("Namespace", "", "odd");
  EXPECT_EQ(client.get("/api/v1/namespaces/odd").status, 404);
  EXPECT_EQ(api.counts().gets, 5);
}

TEST(FakeKubeApiNamespaces, ListsHonourSelectorsAndPages) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_namespace("shop", {{"team", "a"}, {"tier", "web"}});
  api.put_namespace("blog", {{"team", "b"}});
  api.put_namespace("ops", {{"team", "a"}});
  api.put_namespace("default");
  HttpClient client(api.port(), files.cert);
  const auto names = [&](const std::string& query) {
    const auto answer = client.get("/api/v1/namespaces?" + query);
    EXPECT_EQ(answer.status, 200) << query << ": " << answer.body;
    return namespace_names(parse(answer.body));
  };

  EXPECT_EQ(names("labelSelector=team%3Da"), (Names{"ops", "shop"}));
  EXPECT_EQ(names("labelSelector=team!%3Da"), (Names{"blog", "default"}));
  EXPECT_EQ(names("labelSelector=team%20in%20(a,b),!tier"), (Names{"blog", "ops"}));
  EXPECT_EQ(names("labelSelector=kubernetes.io%2Fmetadata.name%3Dblog"), (Names{"blog"}));
  EXPECT_EQ(names("fieldSelector=metadata.name%3Dshop"), (Names{"shop"}));
  EXPECT_EQ(names("fieldSelector=status.phase%3DActive&labelSelector=team"),
            (Names{"blog", "ops", "shop"}));
  EXPECT_EQ(names("fieldSelector=status.phase%3DTerminating"), Names{});

  // Pages at one resourceVersion; no remaining count when a selector picks.
  auto first = parse(client.get("/api/v1/namespaces?limit=2").body);
  EXPECT_EQ(namespace_names(first), (Names{"blog", "default"}));
  EXPECT_EQ(first["metadata"]["remainingItemCount"], 2);
  api.delete_namespace("ops");
  auto rest = parse(client
                        .get("/api/v1/namespaces?limit=2&continue=" +
                             first["metadata"]["continue"].get<std::string>())
                        .body);
  EXPECT_EQ(namespace_names(rest), (Names{"ops", "shop"}));
  EXPECT_EQ(rv_of(rest), rv_of(first));
  const auto selected = parse(client.get("/api/v1/namespaces?limit=1&labelSelector=team").body);
  EXPECT_EQ(namespace_names(selected), (Names{"blog"}));
  EXPECT_TRUE(selected["metadata"].contains("continue"));
  EXPECT_FALSE(selected["metadata"].contains("remainingItemCount"));

  const auto refused = client.get("/api/v1/namespaces?fieldSelector=spec.nodeName%3Dx");
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(parse(refused.body)["message"], "field label not supported: spec.nodeName");
  EXPECT_EQ(client.get("/api/v1/namespaces?labelSelector=a%20in%20x").status, 400);
  // status.phase is a Namespace's field, not an account's.
  EXPECT_EQ(client.get("/api/v1/serviceaccounts?fieldSelector=status.phase%3DActive").status, 400);
}

TEST(FakeKubeApiNamespaces, WatchesSeeAddsLabelChangesAndDeletes) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_namespace("old");
  HttpClient lister(api.port(), files.cert);
  const auto rv = rv_of(parse(lister.get("/api/v1/namespaces").body));

  // As the webhook's reflector watches them.
  auto watch = open_watch(api, files,
                          "/api/v1/namespaces?watch=true&allowWatchBookmarks=true&"
                          "resourceVersion=" +
                              std::to_string(rv));
  auto team = open_watch(api, files, "/api/v1/namespaces?watch=1&labelSelector=team%3Da", 2);
  EXPECT_FALSE(team->next_line(200ms).has_value()) << "nothing matches yet";
  api.put_namespace("shop", {{"team", "b"}});  // rv + 1
  api.put_service_account("shop", "api");      // not a Namespace: no event
  api.put_namespace("shop", {{"team", "a"}});  // rv + 3
  api.put_namespace("shop", {{"team", "c"}});  // rv + 4
  api.put_namespace("shop", {{"team", "a"}});  // rv + 5
  api.delete_namespace("shop");                // rv + 6
  api.delete_namespace("never-was");
  api.send_bookmarks();

  struct Seen {
    std::string type;
    std::string team;
    std::uint64_t version;
  };
  const auto expect_events = [](StreamingClient& stream, const std::vector<Seen>& expected) {
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto event = stream.next_line();
      ASSERT_TRUE(event.has_value()) << i;
      EXPECT_EQ((*event)["type"], expected[i].type) << i;
      const auto& object = (*event)["object"];
      EXPECT_EQ(object["kind"], "Namespace");
      EXPECT_EQ(object["apiVersion"], "v1");
      EXPECT_EQ(object["metadata"]["name"], "shop");
      EXPECT_FALSE(object["metadata"].contains("namespace"));
      EXPECT_EQ(object["metadata"]["labels"]["team"], expected[i].team) << i;
      EXPECT_EQ(object["metadata"]["labels"]["kubernetes.io/metadata.name"], "shop");
      EXPECT_EQ(object["metadata"]["resourceVersion"], std::to_string(expected[i].version)) << i;
      EXPECT_EQ(object["status"]["phase"], "Active");
    }
  };
  expect_events(*watch, {{"ADDED", "b", rv + 1},
                         {"MODIFIED", "a", rv + 3},
                         {"MODIFIED", "c", rv + 4},
                         {"MODIFIED", "a", rv + 5},
                         {"DELETED", "a", rv + 6}});
  const auto bookmark = watch->next_line();
  ASSERT_TRUE(bookmark.has_value());
  EXPECT_EQ(*bookmark, parse(R"({"type":"BOOKMARK","object":{"kind":"Namespace",
      "apiVersion":"v1","metadata":{"resourceVersion":")" +
                             std::to_string(rv + 6) + R"("}}})"));

  // As the API server's watch cache does it: coming into the selection is an ADDED, leaving it a
  // DELETED of the state it left (at the version of the change).
  expect_events(*team, {{"ADDED", "a", rv + 3},
                        {"DELETED", "a", rv + 4},
                        {"ADDED", "a", rv + 5},
                        {"DELETED", "a", rv + 6}});
  EXPECT_FALSE(team->next_line(300ms).has_value()) << "no bookmarks were asked for";

  // A watch from the past replays the same way.
  auto replay = open_watch(
      api, files,
      "/api/v1/namespaces?watch=1&labelSelector=team%3Da&resourceVersion=" + std::to_string(rv), 3);
  expect_events(*replay, {{"ADDED", "a", rv + 3},
                          {"DELETED", "a", rv + 4},
                          {"ADDED", "a", rv + 5},
                          {"DELETED", "a", rv + 6}});
}

TEST(FakeKubeApiNamespaces, WatchesReplayHistoryAndExpire) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_namespace("a");                     // 101
  api.put_namespace("b");                     // 102
  api.put_namespace("a", {{"env", "prod"}});  // 103
  auto replay = open_watch(api, files, "/api/v1/namespaces?watch=true&resourceVersion=101");
  const auto added = replay->next_line();
  const auto modified = replay->next_line();
  ASSERT_TRUE(added && modified);
  EXPECT_EQ((*added)["object"]["metadata"]["name"], "b");
  EXPECT_EQ((*modified)["object"]["metadata"]["labels"]["env"], "prod");
  api.compact();
  auto expired = open_watch(api, files, "/api/v1/namespaces?watch=true&resourceVersion=103", 1);
  const auto error = expired->next_line();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["type"], "ERROR");
  EXPECT_EQ((*error)["object"]["code"], 410);
}

TEST(FakeKubeApiNamespaces, RbacRefusesThemLikeTheOtherKinds) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  api.put_namespace("shop");
  api.forbid("watch", "namespaces");
  api.forbid("get", "namespaces");
  HttpClient client(api.port(), files.cert);
  const auto watch = client.get("/api/v1/namespaces?watch=true&resourceVersion=100");
  EXPECT_EQ(watch.status, 403);
  EXPECT_EQ(parse(watch.body)["message"],
            "namespaces is forbidden: User \"system:serviceaccount:eks:doctor\" cannot watch "
            "resource \"namespaces\" in API group \"\" at the cluster scope");
  const auto get = client.get("/api/v1/namespaces/shop");
  EXPECT_EQ(get.status, 403);
  EXPECT_EQ(parse(get.body)["details"]["name"], "shop");
  EXPECT_EQ(client.get("/api/v1/namespaces").status, 200);  // LIST is another verb
  EXPECT_EQ(api.counts().watches, 0);
  api.allow_everything();
  EXPECT_EQ(client.get("/api/v1/namespaces/shop").status, 200);
}

// --- Availability, authentication, TLS --------------------------------------------------------

TEST(FakeKubeApi, UnavailableRefusesConnectionsThenComesBackOnTheSamePort) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  const auto port = api.port();
  auto watch = open_watch(api, files, "/api/v1/serviceaccounts?watch=1&resourceVersion=100");
  HttpClient client(port, files.cert);
  EXPECT_EQ(client.get("/api/v1/serviceaccounts").status, 200);

  api.set_available(false);
  EXPECT_EQ(api.open_watches(), 0u);
  EXPECT_TRUE(watch->wait_closed(2s));
  EXPECT_FALSE(watch->done());
  EXPECT_LT(RawConnection(port).fd(), 0);
  EXPECT_EQ(curl(files, api.url() + "/api/v1/serviceaccounts").exit_code, 7);  // refused
  auto refused = client.get("/api/v1/serviceaccounts");  // its kept connection is gone too
  EXPECT_EQ(refused.status, 0);

  api.set_available(true);
  EXPECT_EQ(api.port(), port);
  EXPECT_EQ(client.get("/api/v1/serviceaccounts").status, 200);
  EXPECT_EQ(curl(files, api.url() + "/api/v1/serviceaccounts").status, 200);
}

TEST(FakeKubeApiAuth, BearerTokens) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options({"good-token"}));
  const std::string url = api.url() + "/api/v1/serviceaccounts";

  const auto good = curl(files, url, {"-H", "Authorization: Bearer good-token"});
  EXPECT_EQ(good.status, 200) << good.err;
  EXPECT_EQ(api.last_authorization(), "Bearer good-token");
  const auto wrong = curl(files, url, {"-H", "Authorization: Bearer bad-token"});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(parse(wrong.body), parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})"));
  EXPECT_EQ(curl(files, url).status, 401);
  EXPECT_EQ(api.last_authorization(), "");
  EXPECT_EQ(curl(files, url, {"-H", "Authorization: Basic Z29vZC10b2tlbg=="}).status, 401);

  api.set_tokens({"rotated"});
  EXPECT_EQ(curl(files, url, {"-H", "Authorization: Bearer good-token"}).status, 401);
  EXPECT_EQ(curl(files, url, {"-H", "Authorization: Bearer rotated"}).status, 200);
  const auto counts = api.counts();
  EXPECT_EQ(counts.unauthorized, 4);
  EXPECT_EQ(counts.lists, 2);
  EXPECT_EQ(api.requests().size(), 6u);
}

TEST(FakeKubeApiAuth, ClientCertificatesSignedByTheCa) {
  ServerFiles files("fake-kube");
  make_client_pair(files.dir, "trusted");
  make_client_pair(files.dir, "stranger");
  auto options = files.options({"good-token"});
  options.client_ca_file = files.dir.path("trusted-ca.crt");
  FakeKubeApi api(options);
  const std::string url = api.url() + "/api/v1/serviceaccounts";

  const auto trusted =
      curl(files, url,
           {"--cert", files.dir.path("trusted.crt"), "--key", files.dir.path("trusted.key")});
  EXPECT_EQ(trusted.status, 200) << trusted.err;
  EXPECT_EQ(api.last_authorization(), "");
  // A certificate from elsewhere gets through the handshake and is then refused.
  const auto stranger =
      curl(files, url,
           {"--cert", files.dir.path("stranger.crt"), "--key", files.dir.path("stranger.key")});
  EXPECT_EQ(stranger.status, 401) << stranger.err;
  // A token-only client needs no certificate.
  EXPECT_EQ(curl(files, url, {"-H", "Authorization: Bearer good-token"}).status, 200);
  EXPECT_EQ(curl(files, url).status, 401);
}

TEST(FakeKubeApi, NegotiatesOnlyHttp11) {
  ServerFiles files("fake-kube");
  FakeKubeApi api(files.options());
  const auto result = curl(files, api.url() + "/api/v1/serviceaccounts", {"-v", "--http2"});
  EXPECT_EQ(result.status, 200);
  EXPECT_NE(result.err.find("ALPN: server accepted http/1.1"), std::string::npos) << result.err;
  // The certificate names localhost too.
  EXPECT_EQ(
      curl(files, "https://localhost:" + std::to_string(api.port()) + "/api/v1/serviceaccounts")
          .status,
      200);
}

TEST(FakeKubeApi, RefusesAPortInUse) {
  ServerFiles files("fake-kube");
  FakeKubeApi first(files.options());
  auto options = files.options();
  options.port = first.port();
  EXPECT_THROW(FakeKubeApi second(options), std::runtime_error);
  options.port = 0;
  options.cert_file = files.dir.path("missing.crt");
  EXPECT_THROW(FakeKubeApi third(options), std::runtime_error);
}

// --- The program ------------------------------------------------------------------------------

TEST(FakeKubeApiProgram, ServesGeneratedAccountsUntilSignalled) {
  ServerFiles files("fake-kube");
  WebhookProcess program(IRSA_FAKE_KUBE_API_BINARY,
                         {"--cert", files.cert, "--key", files.key, "--token", "t1", "--token",
                          "t2", "--service-accounts", "1000", "--annotated-every", "10"},
                         files.dir.path("fake.log"));
  const std::string prefix = "listening on https://127.0.0.1:";
  ASSERT_TRUE(eventually([&] { return program.log().find(prefix) != std::string::npos; }))
      << program.log();
  const auto log = program.log();
  const std::string url = log.substr(log.find("https://"), log.find('\n') - log.find("https://"));

  const auto listed =
      curl(files, url + "/api/v1/serviceaccounts", {"-H", "Authorization: Bearer t2"});
  ASSERT_EQ(listed.status, 200) << listed.err;
  const auto list = parse(listed.body);
  ASSERT_EQ(list["items"].size(), 1000u);
  int annotated = 0;
  for (const auto& item : list["items"]) {
    if (item["metadata"].contains("annotations")) {
      ++annotated;
      const std::string name = item["metadata"]["name"];
      EXPECT_EQ(item["metadata"]["annotations"][kRoleArn],
                "arn:aws:iam::111122223333:role/r-" + name.substr(3));
    }
  }
  EXPECT_EQ(annotated, 100);
  EXPECT_EQ(list["items"][0]["metadata"]["namespace"], "ns-0000");
  EXPECT_EQ(list["items"][999]["metadata"]["namespace"], "ns-0019");
  EXPECT_EQ(curl(files, url + "/api/v1/serviceaccounts").status, 401);

  program.signal(SIGTERM);
  EXPECT_EQ(program.wait_exit(10s), 0) << program.log();
}

TEST(FakeKubeApiProgram, RejectsBadFlags) {
  const auto missing = run_process(IRSA_FAKE_KUBE_API_BINARY, {"--port", "1"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--cert and --key are required"), std::string::npos);
  EXPECT_EQ(run_process(IRSA_FAKE_KUBE_API_BINARY, {"--port", "x"}).exit_code, 2);
  EXPECT_EQ(run_process(IRSA_FAKE_KUBE_API_BINARY, {"--what", "1"}).exit_code, 2);
}

}  // namespace
}  // namespace irsa::testing
