// An in-process stand-in for the Kubernetes API server, for tests and benchmarks: HTTPS on
// 127.0.0.1 with the v1 wire protocol for ServiceAccounts, ConfigMaps and Namespaces (paginated
// LIST with continue tokens, chunked WATCH streams with bookmarks and 410 errors, single-object
// GET), Pod creation through a mutating admission webhook, and bearer-token or
// client-certificate authentication. It serves from its own thread; every method here may be
// called from any other thread (but not from inside the server's thread).
//
// resourceVersions are decimal integers, one more per change. History is kept so that watches
// and continue tokens can start from the past, until compact() forgets it.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::testing {

struct FakeKubeApiOptions {
  std::string cert_file, key_file;  // server pair, PEM
  std::string client_ca_file;       // non-empty: a client certificate signed by it authenticates
  std::vector<std::string> tokens;  // accepted bearer tokens
  // With no tokens and no client CA, every request is accepted unauthenticated.
  unsigned short port = 0;  // 0: the kernel picks one
};

// The mutating admission webhook a Pod create goes through (one; the API server's
// MutatingWebhookConfiguration with a url of https://127.0.0.1:PORT/PATH, sideEffects None).
struct MutatingWebhook {
  std::string name = "iam-for-pods.amazonaws.com";  // the webhook's name in messages
  unsigned short port = 0;                          // the webhook on 127.0.0.1 (HTTPS)
  // Verifies the webhook's certificate (PEM), which must name IP 127.0.0.1 in its
  // subjectAltName, as the API server's Go TLS client requires.
  std::string ca_file;
  std::string path = "/mutate";
  std::chrono::milliseconds timeout{10000};
  bool fail_open = false;  // failurePolicy Ignore instead of Fail
};

class FakeKubeApi {
 public:
  // Binds 127.0.0.1:port and starts serving; throws std::runtime_error when the certificate,
  // key or CA cannot be used or the port cannot be bound.
  explicit FakeKubeApi(FakeKubeApiOptions options);
  // Closes every connection (open watches included) and joins the server thread.
  ~FakeKubeApi();
  FakeKubeApi(const FakeKubeApi&) = delete;
  FakeKubeApi& operator=(const FakeKubeApi&) = delete;

  [[nodiscard]] std::string url() const;  // "https://127.0.0.1:PORT"
  [[nodiscard]] unsigned short port() const;
  void set_tokens(std::vector<std::string> tokens);

  // ServiceAccounts. Each change bumps the global resourceVersion and is delivered as ADDED /
  // MODIFIED / DELETED to open watches. Deleting an account that does not exist does nothing.
  void put_service_account(const std::string& ns, const std::string& name,
                           const std::map<std::string, std::string>& annotations = {});
  void delete_service_account(const std::string& ns, const std::string& name);
  // Bulk load without events (for benchmarks): accounts "sa-<i>" in namespaces "ns-<i/50>"
  // (the namespace number zero-padded to four digits: ns-0000, ns-0001, ...); account i is
  // annotated with eks.amazonaws.com/role-arn = arn:aws:iam::111122223333:role/r-<i> when
  // annotated_every > 0 and i % annotated_every == 0. The whole load takes one resourceVersion
  // and leaves no history: a watch or continue token from before it does not see it.
  void add_service_accounts(std::size_t count, std::size_t annotated_every);
  // ConfigMaps (any namespace/name; LIST/WATCH honour fieldSelector=metadata.name=<name>).
  void put_config_map(const std::string& ns, const std::string& name,
                      const std::map<std::string, std::string>& data);
  void delete_config_map(const std::string& ns, const std::string& name);
  // Namespaces, watched like the others (LIST and WATCH honour labelSelector and fieldSelector
  // metadata.name and status.phase). A Namespace is served as the API server shows one: no
  // metadata.namespace, its labels plus kubernetes.io/metadata.name=<name> (which the API
  // server always sets), spec.finalizers ["kubernetes"], status.phase Active.
  void put_namespace(const std::string& name,
                     const std::map<std::string, std::string>& labels = {});
  void delete_namespace(const std::string& name);

  // Watch control.
  // A BOOKMARK with the current resourceVersion on every open watch that asked for bookmarks.
  void send_bookmarks();
  // An ERROR event with this Status on every open watch, then the stream ends (final chunk).
  void send_watch_error(int code, const std::string& reason, const std::string& message);
  // Aborts every open watch connection: TCP close without the final chunk (and without a TLS
  // close_notify). mid_line: first writes the first half of an event line.
  void cut_watches(bool mid_line);
  // Forgets the history: every resourceVersion handed out so far becomes too old, so a WATCH
  // from one gets an ERROR 410 event and a continue token from before gets HTTP 410. (It takes
  // a resourceVersion of its own, without an event, so that this holds even when nothing
  // changed since the last one was handed out.)
  void compact();
  // false: closes the listening socket (connections are refused) and every open connection;
  // true: listens again on the same port. Returns once done.
  void set_available(bool available);
  // The next `count` single-object GETs answer this status with a Status body.
  void fail_next_gets(int count, int status = 500);
  // The next `count` WATCH requests answer 503 with a Status body (LIST and GET still work).
  void fail_next_watches(int count);
  // Single-object GETs answer after this delay (zero: at once).
  void delay_gets(std::chrono::milliseconds delay);

  // --- Other kinds, read-only (GET and LIST, no WATCH; kube_object_store.hpp lists them and
  // what their LISTs honour): Pods, Services, Endpoints, EndpointSlices,
  // Mutating/ValidatingWebhookConfigurations, Deployments, ReplicaSets, StatefulSets, DaemonSets,
  // Jobs, CronJobs, Secrets, Nodes. Each change takes a resourceVersion. A ServiceAccount goes to
  // put_service_account (its annotations), a ConfigMap to put_config_map (its data) and a
  // Namespace to put_namespace (its labels), with their watch events. Throws
  // std::invalid_argument for any other kind, or without a name.
  void put_object(const nlohmann::json& object);
  // JSON text of one object, an array of objects, or a List.
  void put_objects(std::string_view json_text);
  // Deleting what does not exist does nothing.
  void delete_object(const std::string& kind, const std::string& ns, const std::string& name);

  // --- Pod creation: POST /api/v1/namespaces/NS/pods (a Pod with metadata.name or
  // metadata.generateName; ?dryRun=All stores nothing) as kube-apiserver does it: an empty
  // spec.serviceAccountName becomes "default", the webhook (if set) is sent an AdmissionReview
  // (request.name empty for a generateName create) and its JSON Patch applied, or its denial,
  // failure or (fail_open) silence answered as the API server would; its warnings come back as
  // Warning headers. Then the name is generated (generateName cut to 58 characters, 5 random
  // ones added) and the Pod stored where GET and LIST find it: 201 with the Pod. The webhook is
  // called asynchronously, so it may call back into this server while it reviews.
  void set_mutating_webhook(MutatingWebhook webhook);
  void clear_mutating_webhook();  // creates go through unreviewed

  // --- Service-account tokens (POST .../serviceaccounts/NAME/token) and issuer discovery
  // (/.well-known/openid-configuration, /openid/v1/jwks). Tokens are RS256 JWTs signed by a
  // key of this fake's own; the JWKS publishes it.
  // The issuer discovery names; default https://kubernetes.default.svc.cluster.local.
  void set_issuer(const std::string& url);
  // The iss the tokens carry (and their audience when a request names none); "" (the
  // default): the same as the issuer. Setting it apart provokes an issuer mismatch.
  void set_token_issuer(const std::string& url);
  // false: both discovery paths answer 404, as on clusters that do not serve them.
  void set_discovery_available(bool available);
  [[nodiscard]] std::string issuer() const;
  [[nodiscard]] std::string token_issuer() const;
  [[nodiscard]] std::string signing_key_id() const;  // the kid of tokens and JWKS
  // Requests to the token subresource so far, refused ones included.
  [[nodiscard]] int token_requests() const;

  // --- RBAC refusals: the request answers 403 with the API server's Status. verb: get, list,
  // watch, create (or "*"); resource: "pods", "serviceaccounts/token", "deployments" or
  // "deployments.apps", or a nonResourceURL path such as "/.well-known/openid-configuration".
  void forbid(const std::string& verb, const std::string& resource);
  void allow_everything();
  // The user the refusals name; default system:serviceaccount:eks:doctor.
  void set_user(const std::string& user);

  struct Counts {
    int lists = 0;
    int watches = 0;
    int gets = 0;
    int unauthorized = 0;
  };
  // Authenticated ServiceAccount, ConfigMap and Namespace requests together, and the 401s.
  [[nodiscard]] Counts counts() const;
  // "<METHOD> <target>" of every request, in order ("GET /api/v1/serviceaccounts?limit=500").
  [[nodiscard]] std::vector<std::string> requests() const;
  [[nodiscard]] std::size_t open_watches() const;
  // The Authorization header value of the last request ("" if none).
  [[nodiscard]] std::string last_authorization() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::testing
