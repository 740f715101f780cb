// ServiceAccounts from a file (--service-accounts): loaded at start-up and again whenever the
// file changes; a file that cannot be read leaves the previous accounts in use.
#pragma once

#include <string>

#include "irsa/server/account_source.hpp"

namespace irsa::server {

[[nodiscard]] AccountSourceFactory file_account_source(std::string path);

}  // namespace irsa::server
