// start_on_free_ports: a server whose port was taken before it could bind is started again on
// other ports, and a server that fails for any other reason is not. The real binary, with a port
// held by the test itself.
#include "support/webhook_process.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "server/running_webhook.hpp"
#include "support/https_client.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

using namespace std::chrono_literals;

// A socket bound to 127.0.0.1:port, held until destroyed: the server's bind there fails. It does
// not listen, so a client's connection there is refused at once rather than left waiting.
class HeldPort {
 public:
  explicit HeldPort(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~HeldPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  [[nodiscard]] bool bound() const noexcept { return bound_; }

 private:
  int fd_;
  bool bound_ = false;
};

class StartOnFreePorts : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(make_self_signed_pair(dir_, "tls",
                                    {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"}),
              "");
    dir_.write("sa.yaml", service_account_yaml("apps", "web", kWebRole));
  }

  std::unique_ptr<WebhookProcess> webhook(unsigned short port, unsigned short metrics_port,
                                          const std::string& extra_flag) const {
    std::vector<std::string> args = loopback_server_flags(dir_, port, metrics_port);
    args.push_back("--service-accounts=" + dir_.path("sa.yaml"));
    if (!extra_flag.empty()) args.push_back(extra_flag);
    return std::make_unique<WebhookProcess>(IRSA_WEBHOOK_BINARY, args, dir_.path("webhook.log"));
  }

  [[nodiscard]] bool serves(unsigned short port) const {
    return HttpClient(port, dir_.path("tls.crt"), 2s).get("/readyz").status == 200;
  }

  ScratchDir dir_{"irsa-free-ports"};
};

TEST_F(StartOnFreePorts, StartsTheServerAgainOnOtherPortsWhenItsPortWasTaken) {
  std::vector<unsigned short> ports;
  std::unique_ptr<HeldPort> held;
  const ServerOnFreePorts server = start_on_free_ports(
      [&](unsigned short port, unsigned short metrics_port) {
        ports.push_back(port);
        if (ports.size() == 1) {
          held = std::make_unique<HeldPort>(port);
          EXPECT_TRUE(held->bound()) << "port " << port;
        }
        return webhook(port, metrics_port, "");
      },
      [&](unsigned short port) { return serves(port); }, 10s);
  ASSERT_EQ(ports.size(), 2u) << server.process->log();
  EXPECT_NE(ports[1], ports[0]);
  EXPECT_TRUE(server.ready) << server.process->log();
  EXPECT_EQ(server.port, ports[1]);
  EXPECT_TRUE(serves(server.port));
}

TEST_F(StartOnFreePorts, DoesNotStartAgainWhenTheServerFailsForAnotherReason) {
  int starts = 0;
  const ServerOnFreePorts server = start_on_free_ports(
      [&](unsigned short port, unsigned short metrics_port) {
        ++starts;
        return webhook(port, metrics_port, "--no-such-flag");
      },
      [&](unsigned short port) { return serves(port); }, 10s);
  EXPECT_EQ(starts, 1);
  EXPECT_FALSE(server.ready);
  EXPECT_FALSE(ended_because_port_taken(*server.process)) << server.process->log();
}

}  // namespace
}  // namespace irsa::testing
