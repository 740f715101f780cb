// Values that follow from Settings alone, computed once per Mutator.
#pragma once

#include <array>
#include <string>

#include "irsa/core/admission.hpp"
#include "json_writer.hpp"
#include "review_facts.hpp"

namespace irsa::core {

struct Mutator::Derived {
  std::string token_expiration_annotation;
  std::string skip_containers_annotation;
  std::string include_containers_annotation;
  std::string region_annotation;
  std::string role_session_name_annotation;
  // The token file path per mode slot, in Unix form [0] and Windows form [1].
  std::array<std::array<std::string, 2>, 2> token_files;

  // Patch values rendered once, since they depend only on the settings: each env var as its
  // JSON object ({"name":..,"value":..}), the token mount per mode slot.
  std::string sts_var;
  std::string default_region_var;  // empty without --aws-default-region
  std::string region_var;
  std::string full_uri_var;
  std::string session_name_var;  // AWS_ROLE_SESSION_NAME from metadata.name
  std::array<std::array<std::string, 2>, 2> token_file_vars;  // [slot][windows]
  std::array<std::string, 2> token_mounts;                    // [slot]
  detail::ReaderKeys reader_keys;  // views into the strings above and into Settings

  explicit Derived(const Settings& settings);
  Derived(const Derived&) = delete;
  Derived& operator=(const Derived&) = delete;
};

}  // namespace irsa::core
