// Values that follow from Settings alone, computed once per Mutator.
#pragma once

#include <array>
#include <string>

#include "irsa/core/admission.hpp"
#include "review_facts.hpp"

namespace irsa::core {

struct Mutator::Derived {
  std::string token_expiration_annotation;
  std::string skip_containers_annotation;
  // The token file path per mode slot, in Unix form [0] and Windows form [1].
  std::array<std::array<std::string, 2>, 2> token_files;
  detail::ReaderKeys reader_keys;  // views into the strings above and into Settings

  explicit Derived(const Settings& settings);
  Derived(const Derived&) = delete;
  Derived& operator=(const Derived&) = delete;
};

}  // namespace irsa::core
