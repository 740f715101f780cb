// Bad clients against the real binary: each gets an HTTP error or a closed connection, everyone
// else keeps being served, and the server's descriptor count returns to where it was.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "server/running_webhook.hpp"
#include "support/raw_connection.hpp"
#include "support/run_process.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class WebhookFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    webhook_ = std::make_unique<RunningWebhook>(dir_);
    ASSERT_TRUE(webhook_->wait_ready()) << webhook_->process().log();
    // One full exchange first, so that lazily created state is part of the baseline.
    auto client = webhook_->client();
    ASSERT_EQ(client->post_json("/mutate", pod_review("apps", "web")).status, 200);
    client.reset();
    ASSERT_TRUE(eventually([&] { return webhook_->process().open_fds() > 0; }));
    std::this_thread::sleep_for(200ms);
    baseline_fds_ = webhook_->process().open_fds();
  }

  // The descriptor count settles back to the baseline.
  [[nodiscard]] bool back_to_baseline(std::chrono::milliseconds within = 10s) {
    return eventually([&] { return webhook_->process().open_fds() == baseline_fds_; }, within);
  }

  [[nodiscard]] bool still_serves() {
    auto client = webhook_->client();
    auto answer = client->post_json("/mutate", pod_review("apps", "web"));
    return answer.status == 200 && answer.body.find("\"allowed\":true") != std::string::npos;
  }

  std::string request_head(const std::string& extra_headers, std::size_t content_length) {
    return "POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           extra_headers + "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
  }

  ScratchDir dir_{"irsa-faults"};
  std::unique_ptr<RunningWebhook> webhook_;
  int baseline_fds_ = 0;
};

// The tests that take seconds by design (timeouts, a thousand handshakes, rotation under load),
// in a suite of their own: each suite is one CTest test, and this way they run beside the others
// instead of after them.
class WebhookFaultsOverTime : public WebhookFaults {};

TEST_F(WebhookFaults, BodyOverSevenMebibytesGets413AndOneJustUnderIsServed) {
  RawConnection big(webhook_->port());
  ASSERT_TRUE(big.handshake());
  ASSERT_TRUE(big.send(request_head("", 7 * 1024 * 1024 + 1)));
  bool closed = false;
  const std::string answer = big.read_until_closed(5s, closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_TRUE(closed);
  big.reset();  // the server's lingering close ends now instead of after its 5 s

  // A valid review padded to just under the limit is read and reviewed.
  std::string review = pod_review("apps", "web");
  const std::string padding(7 * 1024 * 1024 - review.size() - 64, 'x');
  review.insert(review.find("\"metadata\":{") + 12, "\"labels\":{\"pad\":\"" + padding + "\"},");
  auto client = webhook_->client(30s);
  auto served = client->post_json("/mutate", review);
  EXPECT_EQ(served.status, 200) << served.error;
  EXPECT_NE(served.body.find("\"allowed\":true"), std::string::npos);
  EXPECT_TRUE(still_serves());
  client.reset();
  EXPECT_TRUE(back_to_baseline());
}

// A client that sends its whole body before reading (Python's http.client, curl without
// Expect: 100-continue) must still read the 413: the server reads and drops the rest of the body
// after answering instead of closing on it, which would reset the connection.
TEST_F(WebhookFaults, A413ReachesAClientThatSendsTheWholeBodyFirst) {
  const std::size_t size = 8 * 1024 * 1024;
  for (const bool tls : {true, false}) {
    // The metrics port speaks plain HTTP and refuses oversized bodies the same way.
    RawConnection big(tls ? webhook_->port() : webhook_->metrics_port());
    if (tls) {
      ASSERT_TRUE(big.handshake());
    }
    EXPECT_TRUE(big.send(request_head("", size) + std::string(size, 'x')))
        << (tls ? "TLS" : "plain") << ": the server stopped reading the body";
    bool closed = false;
    const std::string answer = big.read_until_closed(10s, closed);
    EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0U) << (tls ? "TLS" : "plain") << ": " << answer;
    EXPECT_TRUE(closed);
  }
  EXPECT_TRUE(still_serves());
  EXPECT_TRUE(back_to_baseline());
}

// Requests that arrive together (the second right behind the first's body) and a body that
// trickles in over several records are each answered, in order and on one connection: a body is
// read up to its Content-Length and not a byte further.
TEST_F(WebhookFaults, PipelinedRequestsAndATrickledBodyAreAnsweredInOrder) {
  const auto with_uid = [](const std::string& uid) {
    auto review = nlohmann::json::parse(pod_review("apps", "web"));
    review["request"]["uid"] = uid;
    return review.dump();
  };
  // Small enough that the second request's start comes in the same read as the first's body.
  const std::string first =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"first-0001"}})";
  const std::string second = with_uid("second-0002");
  const std::string third = with_uid("third-0003");
  RawConnection connection(webhook_->port());
  ASSERT_TRUE(connection.handshake());
  ASSERT_TRUE(connection.send(request_head("", first.size()) + first +
                              request_head("", second.size()) + second));
  ASSERT_TRUE(connection.send(request_head("Connection: close\r\n", third.size())));
  for (std::size_t at = 0; at < third.size(); at += 97) {
    ASSERT_TRUE(connection.send(third.substr(at, 97)));
    std::this_thread::sleep_for(2ms);
  }
  bool closed = false;
  const std::string answers = connection.read_until_closed(10s, closed);
  EXPECT_TRUE(closed);
  std::size_t answered = 0;
  for (auto at = answers.find("HTTP/1.1 200 OK"); at != std::string::npos;
       at = answers.find("HTTP/1.1 200 OK", at + 1)) {
    ++answered;
  }
  EXPECT_EQ(answered, 3U) << answers;
  const auto at_first = answers.find(R"("uid":"first-0001")");
  const auto at_second = answers.find(R"("uid":"second-0002")");
  const auto at_third = answers.find(R"("uid":"third-0003")");
  ASSERT_NE(at_first, std::string::npos) << answers;
  ASSERT_NE(at_second, std::string::npos) << answers;
  ASSERT_NE(at_third, std::string::npos) << answers;
  EXPECT_LT(at_first, at_second);
  EXPECT_LT(at_second, at_third);
  EXPECT_TRUE(still_serves());
}

TEST_F(WebhookFaults, OversizedHeadersGet431) {
  RawConnection connection(webhook_->port());
  ASSERT_TRUE(connection.handshake());
  ASSERT_TRUE(connection.send(request_head("X-Padding: " + std::string(20000, 'a') + "\r\n", 2)));
  bool closed = false;
  const std::string answer = connection.read_until_closed(5s, closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer;
  connection.reset();  // the server's lingering close ends now instead of after its 5 s
  EXPECT_TRUE(still_serves());
  EXPECT_TRUE(back_to_baseline());
}

// Requests whose framing the server cannot trust get Go's answers and the connection closes:
// guessing where such a request ends is how requests are smuggled.
TEST_F(WebhookFaults, UnknownCodingsMissingHostAndMalformedRequestsGetAnAnswerThenClose) {
  struct Case {
    const char* what;
    std::string bytes;
    const char* status;
    bool tls = true;
  };
  const std::vector<Case> cases = {
      {"gzip before chunked",
       "POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, "
       "chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       "HTTP/1.1 501"},
      {"unknown coding with a length",
       "POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}",
       "HTTP/1.1 501"},
      {"two codings headers",
       "POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
       "chunked\r\n\r\n0\r\n\r\n",
       "HTTP/1.1 501"},
      {"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 400"},
      {"two Host headers", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400"},
      {"a header line without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
       "HTTP/1.1 400"},
      {"a bad chunk size",
       "POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n",
       "HTTP/1.1 400"},
      {"TLS bytes on the plain port",
       std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n", "HTTP/1.1 400",
       false},
  };
  for (const auto& test : cases) {
    RawConnection connection(test.tls ? webhook_->port() : webhook_->metrics_port());
    if (test.tls) {
      ASSERT_TRUE(connection.handshake()) << test.what;
    }
    ASSERT_TRUE(connection.send(test.bytes)) << test.what;
    bool closed = false;
    const std::string answer = connection.read_until_closed(5s, closed);
    EXPECT_EQ(answer.rfind(test.status, 0), 0u) << test.what << ": " << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << test.what << ": " << answer;
    EXPECT_TRUE(closed) << test.what;
  }
  // HTTP/1.0 needs no Host.
  RawConnection old_client(webhook_->port());
  ASSERT_TRUE(old_client.handshake());
  ASSERT_TRUE(old_client.send("GET /healthz HTTP/1.0\r\n\r\n"));
  bool closed = false;
  EXPECT_EQ(old_client.read_until_closed(5s, closed).rfind("HTTP/1.0 200", 0), 0u);
  EXPECT_TRUE(still_serves());
  EXPECT_TRUE(back_to_baseline());
}

TEST_F(WebhookFaults, BytesThatAreNotTlsCloseTheConnection) {
  for (const std::string& bytes :
       {std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), std::string(4096, '\x17'),
        std::string("\x16\x03\x01\x00\x05hello", 10)}) {
    RawConnection connection(webhook_->port());
    ASSERT_TRUE(connection.send(bytes));
    bool closed = false;
    const std::string answer = connection.read_until_closed(5s, closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(answer.find("HTTP/1.1"), std::string::npos) << "no HTTP answer over plain TCP";
  }
  EXPECT_TRUE(still_serves());
  EXPECT_TRUE(back_to_baseline());
}

TEST_F(WebhookFaultsOverTime, SlowClientsAndStalledHandshakesAreCutOffWhileOthersAreServed) {
  const auto started = Clock::now();
  std::atomic<double> slow_closed_after{-1};
  std::thread slowloris([&] {
    RawConnection slow(webhook_->port());
    if (!slow.handshake()) return;
    const std::string head = request_head("", 2);
    for (const char c : head) {
      if (!slow.send(std::string(1, c))) break;
      bool closed = false;
      (void)slow.read_until_closed(1s, closed);
      if (closed) break;
    }
    slow_closed_after = std::chrono::duration<double>(Clock::now() - started).count();
  });
  RawConnection silent(webhook_->port());  // connects, never says hello
  ASSERT_GE(silent.fd(), 0);

  // Meanwhile everyone else is served.
  auto client = webhook_->client();
  int served = 0;
  int failed = 0;
  while (Clock::now() - started < 6s) {
    auto answer = client->post_json("/mutate", pod_review("apps", "web"));
    (answer.status == 200 ? served : failed) += 1;
    std::this_thread::sleep_for(100ms);
  }
  bool silent_closed = false;
  (void)silent.read_until_closed(8s, silent_closed);
  const double silent_closed_after = std::chrono::duration<double>(Clock::now() - started).count();
  slowloris.join();

  EXPECT_EQ(failed, 0);
  EXPECT_GT(served, 20);
  // Handshake and header timeouts are 10 s each.
  EXPECT_TRUE(silent_closed);
  EXPECT_GT(silent_closed_after, 9.0);
  EXPECT_LT(silent_closed_after, 14.0);
  EXPECT_GT(slow_closed_after.load(), 9.0);
  EXPECT_LT(slow_closed_after.load(), 14.0);
  client.reset();
  EXPECT_TRUE(back_to_baseline());
}

TEST_F(WebhookFaultsOverTime, ThousandIdleConnectionsDoNotStopService) {
  std::vector<std::unique_ptr<RawConnection>> idle;
  // Each asks once and then idles as a keep-alive connection, as the API server's pool does.
  for (int i = 0; i < 1000; ++i) {
    auto connection = std::make_unique<RawConnection>(webhook_->port());
    ASSERT_TRUE(connection->handshake()) << "connection " << i;
    ASSERT_TRUE(connection->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const std::string answer = connection->read_some(10s);
    ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << "connection " << i << ": " << answer;
    idle.push_back(std::move(connection));
  }
  EXPECT_GE(webhook_->process().open_fds(), baseline_fds_ + 1000);
  EXPECT_TRUE(still_serves());
  EXPECT_EQ(webhook_->client()->get("/readyz").status, 200);
  idle.clear();
  EXPECT_TRUE(back_to_baseline(20s)) << webhook_->process().open_fds() << " vs " << baseline_fds_;
}

TEST_F(WebhookFaults, ResetsInMidRequestAreSurvived) {
  const std::string review = pod_review("apps", "web");
  for (int i = 0; i < 50; ++i) {
    RawConnection connection(webhook_->port());
    if (i % 2 == 0) {
      ASSERT_TRUE(connection.handshake());
      ASSERT_TRUE(connection.send(request_head("", review.size()) + review.substr(0, 100)));
    } else {
      // Half a ClientHello.
      ASSERT_TRUE(connection.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
    }
    connection.reset();
  }
  EXPECT_TRUE(still_serves());
  EXPECT_TRUE(back_to_baseline());
}

// Each method a client makes up would otherwise be a new metric series for the life of the
// process: they all count as "other", and /metrics names none of them.
TEST_F(WebhookFaults, MadeUpMethodsDoNotGrowTheMetrics) {
  auto client = webhook_->client();
  for (int i = 0; i < 100; ++i) {
    const auto answer = client->request("MADEUP" + std::to_string(i), "/mutate");
    ASSERT_GE(answer.status, 400) << answer.error;
  }
  auto metrics = webhook_->metrics_client();
  const auto page = metrics->get("/metrics");
  ASSERT_EQ(page.status, 200) << page.error;
  EXPECT_EQ(page.body.find("MADEUP"), std::string::npos);
  const std::string other = "http_request_count{verb=\"other\",path=\"/mutate\",code=\"";
  const auto at = page.body.find(other);
  ASSERT_NE(at, std::string::npos) << page.body;
  const auto value = page.body.substr(page.body.find(' ', at) + 1);
  EXPECT_EQ(std::stoi(value), 100) << page.body.substr(at, 120);
  EXPECT_TRUE(still_serves());
}

// A HEAD and then a GET on one connection, the bytes exactly as the server sent them.
std::string head_then_get(RawConnection& connection, const std::string& path) {
  const std::string ask = "HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET " + path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (!connection.send(ask)) return "(send failed)";
  bool closed = false;
  return connection.read_until_closed(5s, closed);
}

// What follows the first response's header: for an answer to HEAD, the next response and nothing
// else. With `same_length` its Content-Length is also the GET's (not for /metrics, whose figures
// move between the two).
void expect_headers_only(const std::string& bytes, const std::string& route, bool same_length) {
  const auto end_of_head = bytes.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << route << ": " << bytes;
  EXPECT_EQ(bytes.rfind("HTTP/1.1 200", 0), 0U) << route << ": " << bytes;
  const std::string rest = bytes.substr(end_of_head + 4);
  EXPECT_EQ(rest.rfind("HTTP/1.1 200", 0), 0U) << route << " sent a body to HEAD: " << bytes;
  const auto length_at = bytes.find("Content-Length: ");
  ASSERT_LT(length_at, end_of_head) << route << ": " << bytes;
  const auto body_at = rest.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos) << route << ": " << rest;
  if (!same_length) return;
  EXPECT_EQ(std::stoul(bytes.substr(length_at + 16)), rest.size() - body_at - 4)
      << route << ": the HEAD's Content-Length is not the GET's body size: " << bytes;
}

TEST_F(WebhookFaults, HeadGetsTheHeadersAloneOnBothPorts) {
  for (const std::string path : {"/healthz", "/readyz"}) {
    RawConnection connection(webhook_->port());
    ASSERT_TRUE(connection.handshake());
    expect_headers_only(head_then_get(connection, path), path, true);
  }
  RawConnection metrics(webhook_->metrics_port());
  expect_headers_only(head_then_get(metrics, "/metrics"), "/metrics", false);
  EXPECT_TRUE(still_serves());
}

// CPU seconds the process has used so far (user + system), from /proc/<pid>/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> values{std::istream_iterator<std::string>(fields), {}};
  return (std::stod(values[11]) + std::stod(values[12])) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// With every descriptor in use, accepting fails; the server must neither spin on that nor stop
// serving the connections it has, and must accept again once descriptors are free.
TEST(WebhookDescriptorLimit, RunningOutOfDescriptorsIsSurvived) {
  if (std::string_view(IRSA_SANITIZERS).find("undefined") != std::string_view::npos) {
    // UBSan's vptr check proves memory readable by writing it into a fresh pipe; with no
    // descriptor left the pipe fails and every virtual call is reported as a bad vptr.
    GTEST_SKIP() << "UBSan needs free descriptors; the release and TSan runs cover this test";
  }
  ScratchDir dir("irsa-faults");
  ASSERT_EQ(make_self_signed_pair(dir, "tls",
                                  {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"}),
            "");
  dir.write("sa.yaml", service_account_yaml("apps", "web", kWebRole));
  const ServerOnFreePorts started = start_on_free_ports(
      [&](unsigned short port, unsigned short metrics_port) {
        std::vector<std::string> args = {"--nofile=48:48", IRSA_WEBHOOK_BINARY};
        for (auto& flag : loopback_server_flags(dir, port, metrics_port)) args.push_back(flag);
        args.push_back("--service-accounts=" + dir.path("sa.yaml"));
        return std::make_unique<WebhookProcess>("/usr/bin/prlimit", args, dir.path("webhook.log"));
      },
      [&](unsigned short port) {
        return HttpClient(port, dir.path("tls.crt")).get("/readyz").status == 200;
      },
      10s);
  ASSERT_TRUE(started.ready) << started.process->log();
  WebhookProcess& server = *started.process;
  const unsigned short port = started.port;
  // This client's connection is made before the descriptors run out.
  auto client = std::make_unique<HttpClient>(port, dir.path("tls.crt"));
  ASSERT_EQ(client->get("/readyz").status, 200) << server.log();

  std::vector<std::unique_ptr<RawConnection>> hogs;
  for (int i = 0; i < 80; ++i) hogs.push_back(std::make_unique<RawConnection>(port));
  std::this_thread::sleep_for(300ms);
  const double cpu_before = cpu_seconds(server.pid());
  std::this_thread::sleep_for(1s);
  EXPECT_LT(cpu_seconds(server.pid()) - cpu_before, 0.5) << "the accept loop must not spin";
  // The connection opened before the descriptors ran out is still served.
  EXPECT_EQ(client->post_json("/mutate", pod_review("apps", "web")).status, 200);
  hogs.clear();
  auto fresh = std::make_unique<HttpClient>(port, dir.path("tls.crt"));
  EXPECT_TRUE(eventually([&] { return fresh->get("/healthz").status == 200; }, 15s))
      << server.log();
}

// What testssl reports as "obsolete CBC" is gone from the defaults; TLS 1.3 and the AEAD suites
// of TLS 1.2 still connect. Real openssl s_client against the real binary.
TEST_F(WebhookFaults, TlsTwelveOffersOnlyEcdheWithAuthenticatedEncryption) {
  const auto connects = [&](const std::vector<std::string>& options) {
    std::vector<std::string> args = {"s_client", "-connect",
                                     "127.0.0.1:" + std::to_string(webhook_->port()), "-brief"};
    args.insert(args.end(), options.begin(), options.end());
    return run_process("/usr/bin/openssl", args).exit_code == 0;
  };
  EXPECT_FALSE(connects({"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"}));
  EXPECT_FALSE(connects({"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384"}));
  EXPECT_TRUE(connects({"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}));
  EXPECT_TRUE(connects({"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"}));
  EXPECT_TRUE(connects({"-tls1_3"}));
  EXPECT_TRUE(still_serves());
}

TEST_F(WebhookFaultsOverTime, CertificateRotationUnderLoadFailsNoRequest) {
  // Restart on a projected Secret volume, with clients trusting both pairs.
  webhook_.reset();
  ScratchDir pairs("irsa-pairs");
  ASSERT_EQ(make_self_signed_pair(pairs, "a",
                                  {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"}),
            "");
  ASSERT_EQ(make_self_signed_pair(pairs, "b", {"-newkey", "rsa:2048"}), "");
  ProjectedVolume secret(dir_, "certs");
  const auto publish = [&](const std::string& name) {
    secret.publish({{"tls.crt", read_file(pairs.path(name + ".crt"))},
                    {"tls.key", read_file(pairs.path(name + ".key"))}});
  };
  publish("a");
  webhook_ = std::make_unique<RunningWebhook>(
      dir_, std::vector<std::string>{"--tls-cert=" + secret.path("tls.crt"),
                                     "--tls-key=" + secret.path("tls.key")});
  dir_.write("tls.crt", read_file(pairs.path("a.crt")) + read_file(pairs.path("b.crt")));
  ASSERT_TRUE(webhook_->wait_ready()) << webhook_->process().log();

  std::atomic<bool> stop{false};
  std::atomic<int> requests{0};
  std::atomic<int> failures{0};
  std::vector<std::string> serials[2];
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      auto client = webhook_->client();
      int n = 0;
      while (!stop) {
        auto answer = client->post_json("/mutate", pod_review("apps", "web"));
        ++requests;
        if (answer.status != 200) ++failures;
        if (answer.new_connection) serials[c].push_back(client->peer_serial());
        // Every tenth request on a fresh connection, so that rotations are picked up.
        if (++n % 10 == 0) client->close();
      }
    });
  }
  for (const char* next : {"b", "a", "b", "a", "b"}) {
    std::this_thread::sleep_for(600ms);
    publish(next);
  }
  std::this_thread::sleep_for(600ms);
  stop = true;
  for (auto& thread : clients) thread.join();

  std::cout << "rotation under load: " << requests.load() << " requests, " << failures.load()
            << " failed\n";
  EXPECT_EQ(failures.load(), 0) << "of " << requests.load();
  EXPECT_GT(requests.load(), 100);
  std::set<std::string> seen;
  for (const auto& list : serials) seen.insert(list.begin(), list.end());
  EXPECT_EQ(seen.size(), 2u) << "both certificates were served";
  EXPECT_GE(webhook_->metric(R"(irsa_webhook_certificate_reloads_total{result="success"})"), 5)
      << webhook_->process().log();
}

}  // namespace
}  // namespace irsa::testing
