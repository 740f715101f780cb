#include "irsa/aws/sts_answer.hpp"

#include <pugixml.hpp>

namespace irsa::aws {

namespace {

// Element lookups ignore namespaces: STS puts its documents in the xmlns of its API version,
// and nothing here depends on which.
std::string text_of(const pugi::xml_node& node, const char* path) {
  return node.first_element_by_path(path).text().as_string();
}

StsAnswer read_document(unsigned status, const pugi::xml_document& document,
                        const pugi::xml_parse_result& parsed) {
  StsAnswer answer;
  answer.status = status;
  const pugi::xml_node root = document.document_element();
  if (!parsed || root.empty()) {
    answer.error_code = "NotSts";
    answer.error_message = "STS answered HTTP " + std::to_string(status) +
                           " with a body that is not XML (" + parsed.description() + ")";
    return answer;
  }
  const std::string_view name = root.name();
  if (name == "ErrorResponse") {
    answer.error_code = text_of(root, "Error/Code");
    answer.error_message = text_of(root, "Error/Message");
    answer.request_id = text_of(root, "RequestId");
    return answer;
  }
  if (name == "AssumeRoleWithWebIdentityResponse") {
    const pugi::xml_node result = root.child("AssumeRoleWithWebIdentityResult");
    answer.assumed_role_arn = text_of(result, "AssumedRoleUser/Arn");
    answer.expiration = text_of(result, "Credentials/Expiration");
    answer.subject = text_of(result, "SubjectFromWebIdentityToken");
    answer.audience = text_of(result, "Audience");
    answer.provider = text_of(result, "Provider");
    answer.request_id = text_of(root, "ResponseMetadata/RequestId");
    if (answer.assumed_role_arn.empty()) {
      answer.error_code = "NotSts";
      answer.error_message = "the success answer names no AssumedRoleUser/Arn";
    }
    return answer;
  }
  answer.error_code = "NotSts";
  answer.error_message = "STS answered HTTP " + std::to_string(status) + " with <" +
                         std::string(name) + ">, not an STS answer";
  return answer;
}

}  // namespace


StsAnswer parse_sts_answer(unsigned status, std::string_view xml) {
  pugi::xml_document document;
  const auto parsed = document.load_buffer(xml.data(), xml.size(), pugi::parse_default);
  return read_document(status, document, parsed);
}

StsAnswer parse_sts_answer_in_place(unsigned status, std::string& xml) {
  pugi::xml_document document;
  const auto parsed = document.load_buffer_inplace(xml.data(), xml.size(), pugi::parse_default);
  return read_document(status, document, parsed);
}

}  // namespace irsa::aws
