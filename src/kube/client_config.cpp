#include "irsa/kube/client_config.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "irsa/core/base64.hpp"
#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_json.hpp"

namespace irsa::kube {

namespace {

using Json = nlohmann::json;

// A configuration error: the one line that stops the start.
struct ConfigError {
  std::string message;
};

// Base64 as kubeconfigs carry it: line breaks and spaces allowed between the characters.
std::optional<std::string> decode_base64(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (const char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact.push_back(c);
  }
  std::string out;
  if (!core::decode_base64(compact, out)) return std::nullopt;
  return out;
}

std::string read_whole(const std::string& path, const std::string& what) {
  auto read = store::read_text(path);
  if (!read.error.empty()) throw ConfigError{what + ": " + read.error};
  return std::move(read.text);
}

// Members of a kubeconfig object as strings; a member of another type is an error.
std::string text_member(const Json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return {};
  if (!object[key].is_string()) throw ConfigError{where + ": " + key + " is not a string"};
  return object[key].get<std::string>();
}

bool bool_member(const Json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return false;
  if (!object[key].is_boolean()) throw ConfigError{where + ": " + key + " is not true or false"};
  return object[key].get<bool>();
}

// "clusters", "contexts" and "users" are lists of {name, <kind>}; returns the named entry's body.
const Json& named_entry(const Json& config, const char* list, const char* body,
                        const std::string& name, const std::string& path) {
  if (config.contains(list) && config[list].is_array()) {
    for (const auto& entry : config[list]) {
      if (entry.is_object() && entry.value("name", std::string()) == name) {
        if (!entry.contains(body) || !entry[body].is_object()) {
          throw ConfigError{path + ": " + list + " entry \"" + name + "\" has no " + body};
        }
        return entry[body];
      }
    }
  }
  throw ConfigError{path + ": no " + std::string(list).substr(0, std::string(list).size() - 1) +
                    " named \"" + name + "\""};
}

// A file named in a kubeconfig, relative to the kubeconfig's folder unless absolute.
std::string relative_to(const std::string& kubeconfig, const std::string& file) {
  const std::filesystem::path named(file);
  if (named.is_absolute()) return file;
  return (std::filesystem::path(kubeconfig).parent_path() / named).string();
}

// Either the inline *-data form (base64) or the file form of one credential.
std::string data_or_file(const Json& object, const char* data_key, const char* file_key,
                         const std::string& kubeconfig, const std::string& where) {
  const std::string data = text_member(object, data_key, where);
  if (!data.empty()) {
    auto decoded = decode_base64(data);
    if (!decoded) throw ConfigError{where + ": " + data_key + " is not valid base64"};
    return std::move(*decoded);
  }
  const std::string file = text_member(object, file_key, where);
  if (file.empty()) return {};
  return read_whole(relative_to(kubeconfig, file), where + ": " + file_key);
}

ExecPlugin exec_plugin(const Json& exec, const std::string& where) {
  ExecPlugin plugin;
  plugin.api_version = text_member(exec, "apiVersion", where + ": exec");
  plugin.command = text_member(exec, "command", where + ": exec");
  if (plugin.command.empty()) throw ConfigError{where + ": exec has no command"};
  if (plugin.api_version != "client.authentication.k8s.io/v1" &&
      plugin.api_version != "client.authentication.k8s.io/v1beta1") {
    throw ConfigError{where + ": exec apiVersion \"" + plugin.api_version +
                      "\" is not client.authentication.k8s.io/v1 or v1beta1"};
  }
  if (exec.contains("args") && exec["args"].is_array()) {
    for (const auto& arg : exec["args"]) {
      if (!arg.is_string()) throw ConfigError{where + ": exec args must be strings"};
      plugin.args.push_back(arg.get<std::string>());
    }
  }
  if (exec.contains("env") && exec["env"].is_array()) {
    for (const auto& variable : exec["env"]) {
      plugin.env.emplace_back(text_member(variable, "name", where + ": exec env"),
                              text_member(variable, "value", where + ": exec env"));
    }
  }
  return plugin;
}

ClientConfig read_kubeconfig(const std::string& path) {
  auto parsed =
      store::parse_documents(read_whole(path, "--kubeconfig"), store::DuplicateKeys::last_wins);
  if (!parsed.error.empty()) throw ConfigError{path + ": " + parsed.error};
  if (parsed.documents.size() != 1 || !parsed.documents.front().is_object()) {
    throw ConfigError{path + ": is not a kubeconfig (expected one YAML mapping)"};
  }
  const Json& config = parsed.documents.front();
  const std::string context_name = text_member(config, "current-context", path);
  if (context_name.empty()) throw ConfigError{path + ": current-context is not set"};
  const Json& context = named_entry(config, "contexts", "context", context_name, path);
  const std::string cluster_name = text_member(context, "cluster", path);
  const std::string user_name = text_member(context, "user", path);
  const Json& cluster = named_entry(config, "clusters", "cluster", cluster_name, path);

  const std::string where = path + ": cluster \"" + cluster_name + "\"";
  ClientConfig result;
  result.description = "kubeconfig " + path + ", context " + context_name;
  result.server = text_member(cluster, "server", where);
  result.insecure_skip_tls_verify = bool_member(cluster, "insecure-skip-tls-verify", where);
  result.tls_server_name = text_member(cluster, "tls-server-name", where);
  result.ca_pem =
      data_or_file(cluster, "certificate-authority-data", "certificate-authority", path, where);
  if (user_name.empty()) return result;

  const Json& user = named_entry(config, "users", "user", user_name, path);
  const std::string user_where = path + ": user \"" + user_name + "\"";
  result.client_cert_pem =
      data_or_file(user, "client-certificate-data", "client-certificate", path, user_where);
  result.client_key_pem = data_or_file(user, "client-key-data", "client-key", path, user_where);
  if (result.client_cert_pem.empty() != result.client_key_pem.empty()) {
    throw ConfigError{user_where +
                      ": a client certificate needs its key, and a key its certificate"};
  }
  result.token = text_member(user, "token", user_where);
  const std::string token_file = text_member(user, "tokenFile", user_where);
  if (!token_file.empty()) result.token_file = relative_to(path, token_file);
  if (user.contains("exec") && user["exec"].is_object()) {
    result.exec = exec_plugin(user["exec"], user_where);
    // As kubectl does: a relative command with a slash ("./bin/get-token") is relative to the
    // kubeconfig's folder; a bare name is looked up in PATH.
    if (result.exec->command.find('/') != std::string::npos &&
        result.exec->command.front() != '/') {
      result.exec->command = relative_to(path, result.exec->command);
    }
  }
  if (user.contains("auth-provider")) {
    throw ConfigError{user_where + ": auth-provider plugins are not supported; use exec"};
  }
  return result;
}

void require_server(const ClientConfig& config, const std::string& source) {
  if (config.server.empty()) throw ConfigError{source + ": no server address"};
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    throw ConfigError{source + ": server \"" + config.server +
                      "\" is not an http:// or https:// URL"};
  }
}

std::string trim_slashes(std::string server) {
  while (!server.empty() && server.back() == '/') server.pop_back();
  return server;
}

}  // namespace

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): start-up only
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ConfigLoad in_cluster_config(const Environment& environment, const std::string& account_dir) {
  ConfigLoad load;
  const auto host = environment("KUBERNETES_SERVICE_HOST");
  const auto port = environment("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    load.error =
        "not running in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not "
        "set): pass --kubeconfig, --kube-api or --service-accounts";
    return load;
  }
  // An IPv6 service address needs brackets in a URL.
  const bool ipv6 = host->find(':') != std::string::npos;
  load.config.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
  load.config.token_file = account_dir + "/token";
  load.config.description = "in-cluster service account";
  auto ca = store::read_text(account_dir + "/ca.crt");
  if (!ca.error.empty()) {
    load.error = "in-cluster configuration: " + ca.error;
    return load;
  }
  load.config.ca_pem = std::move(ca.text);
  auto token = store::read_text(load.config.token_file);
  if (!token.error.empty()) load.error = "in-cluster configuration: " + token.error;
  return load;
}

ConfigLoad kubeconfig_config(const std::string& path) {
  ConfigLoad load;
  try {
    load.config = read_kubeconfig(path);
  } catch (const ConfigError& error) {
    load.error = error.message;
  }
  return load;
}

ConfigLoad resolve_client_config(const std::string& kubeconfig, const std::string& kube_api,
                                 const Environment& environment, const std::string& account_dir) {
  ConfigLoad load;
  if (kubeconfig.empty() && kube_api.empty()) {
    load = in_cluster_config(environment, account_dir);
  } else if (kubeconfig.empty()) {
    load.config.server = kube_api;
    load.config.description = "--kube-api " + kube_api + " without credentials";
  } else {
    load = kubeconfig_config(kubeconfig);
    if (!kube_api.empty()) load.config.server = kube_api;
  }
  if (!load.error.empty()) return load;
  try {
    require_server(load.config, kube_api.empty() ? load.config.description : "--kube-api");
  } catch (const ConfigError& error) {
    load.error = error.message;
    return load;
  }
  load.config.server = trim_slashes(std::move(load.config.server));
  return load;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (text.size() < 20) return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t digits) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const auto year = number(0, 4), month = number(5, 2), day = number(8, 2), hour = number(11, 2),
             minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' || *month < 1 ||
      *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t at = 19;
  if (text[at] == '.') {
    ++at;
    const std::size_t digits_start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == digits_start) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const auto offset_hours = number(at + 1, 2), offset_minutes = number(at + 4, 2);
    if (!offset_hours || !offset_minutes) return std::nullopt;
    offset = (*offset_hours * 3600 + *offset_minutes * 60) * (text[at] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  std::tm broken_down{};
  broken_down.tm_year = *year - 1900;
  broken_down.tm_mon = *month - 1;
  broken_down.tm_mday = *day;
  broken_down.tm_hour = *hour;
  broken_down.tm_min = *minute;
  broken_down.tm_sec = *second;
  return static_cast<std::int64_t>(timegm(&broken_down)) - offset;
}

ExecCredentialParse parse_exec_credential(std::string_view json_text) {
  ExecCredentialParse parse;
  const Json credential = Json::parse(json_text, nullptr, false);
  if (!credential.is_object()) {
    parse.error = "the exec plugin's output is not a JSON object";
    return parse;
  }
  const std::string kind = credential.value("kind", std::string());
  if (kind != "ExecCredential") {
    parse.error = "the exec plugin's output is not an ExecCredential (kind \"" + kind + "\")";
    return parse;
  }
  if (!credential.contains("status") || !credential["status"].is_object()) {
    parse.error = "the exec plugin's ExecCredential has no status";
    return parse;
  }
  const Json& status = credential["status"];
  const auto text = [&](const char* key) {
    return status.contains(key) && status[key].is_string() ? status[key].get<std::string>()
                                                           : std::string();
  };
  parse.credential.token = text("token");
  parse.credential.client_cert_pem = text("clientCertificateData");
  parse.credential.client_key_pem = text("clientKeyData");
  if (parse.credential.token.empty() && parse.credential.client_cert_pem.empty()) {
    parse.error = "the exec plugin's ExecCredential carries neither a token nor a certificate";
    return parse;
  }
  const std::string expiry = text("expirationTimestamp");
  if (!expiry.empty()) {
    parse.credential.expires_at = parse_rfc3339(expiry);
    if (!parse.credential.expires_at) {
      parse.error = "the exec plugin's expirationTimestamp \"" + expiry + "\" is not RFC 3339";
    }
  }
  return parse;
}

}  // namespace irsa::kube
