// irsa-webhook: command-line entry point. Without a subcommand (or with `serve`) it runs the
// admission server; `mutate` previews a mutation offline; `doctor` finds out why a workload's AWS
// identity does not work; `trust-policy` prints the trust policy a role needs; `self-check`
// verifies, inside a pod, that the webhook mutated it.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "irsa/cli/doctor_command.hpp"
#include "irsa/cli/mutate_command.hpp"
#include "irsa/cli/self_check_command.hpp"
#include "irsa/cli/serve_command.hpp"
#include "irsa/cli/server_flags.hpp"
#include "irsa/cli/trust_policy_command.hpp"
#include "irsa/kube/client_config.hpp"
#include "malloc_tunables.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "irsa-webhook: Kubernetes mutating admission webhook that gives pods AWS "
      "credentials through IAM Roles for Service Accounts and EKS Pod Identity.\n"
      "Runs the webhook server unless a subcommand is given."};
  app.set_version_flag("--version", std::string("irsa-webhook ") + IRSA_VERSION);
  app.set_help_all_flag("--help-all", "Print the help of every subcommand");

  irsa::cli::ServeOptions serve_options;
  irsa::cli::add_serve_flags(app, serve_options);
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the webhook server (the default); takes the same flags as without it");
  // `irsa-webhook serve --port=8443`: the flags live on the main command.
  serve->fallthrough();
  irsa::cli::MutateOptions mutate_options;
  CLI::App& mutate = irsa::cli::add_mutate_command(app, mutate_options);
  irsa::cli::DoctorOptions doctor_options;
  CLI::App& doctor = irsa::cli::add_doctor_command(app, doctor_options);
  irsa::cli::TrustPolicyOptions trust_policy_options;
  CLI::App& trust_policy = irsa::cli::add_trust_policy_command(app, trust_policy_options);
  irsa::cli::SelfCheckOptions self_check_options;
  CLI::App& self_check = irsa::cli::add_self_check_command(app, self_check_options);
  app.require_subcommand(0, 1);

  try {
    irsa::cli::parse_go_style(app, argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "irsa-webhook: " << e.what() << "\n"
              << "Run 'irsa-webhook --help' for the flags.\n";
    return 2;
  }
  if (mutate.parsed()) return irsa::cli::run_mutate(mutate_options, std::cout, std::cerr);
  if (doctor.parsed()) {
    return irsa::cli::run_doctor(doctor_options, irsa::kube::process_environment(), std::cout,
                                 std::cerr);
  }
  if (trust_policy.parsed()) {
    return irsa::cli::run_trust_policy(trust_policy_options, irsa::kube::process_environment(),
                                       std::cout, std::cerr);
  }
  if (self_check.parsed()) {
    const irsa::cli::SelfCheckInputs inputs{irsa::kube::process_environment(),
                                            std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count()};
    return irsa::cli::run_self_check(self_check_options, inputs, std::cout, std::cerr);
  }
  irsa::cli::apply_malloc_tunables(argv);
  return irsa::cli::run_serve(serve_options, std::cerr);
}
