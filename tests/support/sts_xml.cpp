#include "support/sts_xml.hpp"

namespace irsa::testing {

namespace {

constexpr const char* kNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

void element(std::string& out, std::string_view indent, std::string_view name,
             std::string_view value) {
  out += indent;
  out += "<";
  out += name;
  out += ">";
  out += xml_escape(value);
  out += "</";
  out += name;
  out += ">\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string sts_error_xml(std::string_view code, std::string_view message,
                          std::string_view request_id) {
  std::string out = std::string("<ErrorResponse xmlns=\"") + kNamespace + "\">\n  <Error>\n";
  element(out, "    ", "Type", "Sender");
  element(out, "    ", "Code", code);
  element(out, "    ", "Message", message);
  out += "  </Error>\n";
  element(out, "  ", "RequestId", request_id);
  out += "</ErrorResponse>\n";
  return out;
}

std::string sts_success_xml(const StsSuccess& success) {
  std::string out = std::string("<AssumeRoleWithWebIdentityResponse xmlns=\"") + kNamespace +
                    "\">\n  <AssumeRoleWithWebIdentityResult>\n";
  element(out, "    ", "SubjectFromWebIdentityToken", success.subject);
  element(out, "    ", "Audience", success.audience);
  out += "    <AssumedRoleUser>\n";
  element(out, "      ", "Arn", success.assumed_role_arn);
  element(out, "      ", "AssumedRoleId", success.assumed_role_id);
  out += "    </AssumedRoleUser>\n    <Credentials>\n";
  element(out, "      ", "SessionToken", success.session_token);
  element(out, "      ", "SecretAccessKey", success.secret_access_key);
  element(out, "      ", "Expiration", success.expiration);
  element(out, "      ", "AccessKeyId", success.access_key_id);
  out += "    </Credentials>\n";
  element(out, "    ", "Provider", success.provider);
  out += "  </AssumeRoleWithWebIdentityResult>\n  <ResponseMetadata>\n";
  element(out, "    ", "RequestId", success.request_id);
  out += "  </ResponseMetadata>\n</AssumeRoleWithWebIdentityResponse>\n";
  return out;
}

}  // namespace irsa::testing
