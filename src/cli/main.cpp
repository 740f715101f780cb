// irsa-webhook: command-line entry point. Parses flags, then hands over to the command.
#include <CLI/CLI.hpp>
#include <iostream>

#include "irsa/cli/mutate_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "irsa-webhook: Kubernetes mutating admission webhook that gives pods AWS "
      "credentials through IAM Roles for Service Accounts and EKS Pod Identity"};
  app.set_version_flag("--version", std::string("irsa-webhook ") + IRSA_VERSION);
  irsa::cli::MutateOptions mutate_options;
  CLI::App& mutate = irsa::cli::add_mutate_command(app, mutate_options);
  app.require_subcommand(1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "irsa-webhook: " << e.what() << "\n\n";
    const CLI::App* failed = mutate.parsed() ? &mutate : &app;
    std::cerr << failed->help();
    return 2;
  }
  if (mutate.parsed()) return irsa::cli::run_mutate(mutate_options, std::cout, std::cerr);
  return 2;
}
