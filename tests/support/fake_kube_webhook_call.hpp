// The fake API server's call of a mutating admission webhook (fake_kube_webhook_call.cpp): the
// AdmissionReview POSTed over HTTPS to 127.0.0.1, the webhook's certificate checked against its
// CA and the address 127.0.0.1 (a subjectAltName IP entry, as Go's TLS client wants it), within
// the webhook's timeout. It runs asynchronously on the session's strand, so that the server's
// thread goes on serving meanwhile (the webhook may call back into this server). Private to the
// fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "support/fake_kube_server.hpp"

namespace irsa::testing::fake_kube {

// Sends `review` to the webhook. The connection's close() ends the call (the fake stops).
asio::awaitable<WebhookCall> call_webhook(Connection& connection, const MutatingWebhook& webhook,
                                          const std::string& review);

}  // namespace irsa::testing::fake_kube
