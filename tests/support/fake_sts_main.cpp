// fake-sts: the tests' fake AWS STS as a program of its own, for manual runs and end-to-end
// scripts. It prints "listening on https://127.0.0.1:PORT" once it serves, and serves until
// SIGINT or SIGTERM.

#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/fake_program.hpp"
#include "support/fake_sts.hpp"

namespace {

constexpr const char* kUsage =
    "usage: fake-sts --cert FILE --key FILE [--port N] [--provider ISSUER=AUD[,AUD]]...\n"
    "                [--role ARN=SUB[,SUB]]... [--fail-next CODE[:COUNT]]\n"
    "--provider   an IAM OIDC provider: the issuer URL and the client IDs (audiences) it takes\n"
    "--role       a role whose trust lets these token subjects assume it (* is any subject;\n"
    "             * and ? inside a subject are wildcards)\n"
    "--fail-next  the next COUNT (default 1) calls fail with IDPCommunicationError, Throttling\n"
    "             or IDPRejectedClaim\n";

[[noreturn]] void usage_error(const std::string& problem) {
  std::cerr << "fake-sts: " << problem << "\n" << kUsage;
  std::exit(2);
}

unsigned long number_flag(std::string_view flag, const std::string& value) {
  const auto number = irsa::testing::parse_number(value);
  if (!number) usage_error(std::string(flag) + " wants a number, not \"" + value + "\"");
  return *number;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto part = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!part.empty()) parts.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

// NAME=A,B as (NAME, [A, B]); the name is split at the last '=' so that URLs keep theirs.
std::pair<std::string, std::vector<std::string>> name_and_list(std::string_view flag,
                                                               const std::string& value) {
  const auto eq = value.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
    usage_error(std::string(flag) + " wants NAME=VALUE[,VALUE], not \"" + value + "\"");
  }
  return {value.substr(0, eq), split_commas(value.substr(eq + 1))};
}

}  // namespace

int main(int argc, char** argv) {
  irsa::testing::FakeStsOptions options;
  std::vector<std::pair<std::string, std::vector<std::string>>> providers, roles;
  std::string fail_code;
  int fail_count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) usage_error(std::string(flag) + " wants a value");
    const std::string value = argv[++i];
    if (flag == "--cert") {
      options.cert_file = value;
    } else if (flag == "--key") {
      options.key_file = value;
    } else if (flag == "--port") {
      const auto port = number_flag(flag, value);
      if (port > 65535) usage_error("--port out of range");
      options.port = static_cast<unsigned short>(port);
    } else if (flag == "--provider") {
      providers.push_back(name_and_list(flag, value));
    } else if (flag == "--role") {
      roles.push_back(name_and_list(flag, value));
    } else if (flag == "--fail-next") {
      const auto colon = value.find(':');
      fail_code = value.substr(0, colon);
      fail_count = colon == std::string::npos
                       ? 1
                       : static_cast<int>(number_flag(flag, value.substr(colon + 1)));
    } else {
      usage_error("unknown flag " + std::string(flag));
    }
  }
  if (options.cert_file.empty() || options.key_file.empty()) {
    usage_error("--cert and --key are required");
  }

  irsa::testing::prepare_stop_signals();

  try {
    irsa::testing::FakeSts sts(options);
    for (const auto& [issuer, audiences] : providers) sts.add_provider(issuer, audiences);
    for (const auto& [arn, subjects] : roles) sts.add_role(arn, subjects);
    if (!fail_code.empty()) sts.fail_next(fail_count, fail_code);
    std::cout << "listening on " << sts.url() << std::endl;
    irsa::testing::wait_for_stop_signal();
  } catch (const std::invalid_argument& error) {
    usage_error(error.what());
  } catch (const std::exception& error) {
    std::cerr << "fake-sts: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
