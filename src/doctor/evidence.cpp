#include "irsa/doctor/evidence.hpp"

#include <utility>

namespace irsa::doctor {

Read Read::of(nlohmann::json object, std::string request) {
  Read read;
  read.state = ReadState::found;
  read.object = std::move(object);
  read.request = std::move(request);
  return read;
}

Read Read::refused(ReadState state, std::string request, std::string message) {
  Read read;
  read.state = state;
  read.request = std::move(request);
  read.message = std::move(message);
  return read;
}

}  // namespace irsa::doctor
