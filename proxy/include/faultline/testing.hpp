#pragma once
// faultline/testing.hpp -- drive Faultline from a GoogleTest (or any C++) test suite.
//
// In the spirit of Testcontainers' Toxiproxy module: start a Faultline instance (or connect to a
// running one), put a proxy in front of the dependency your code talks to, and switch faults on
// for a scope. Every fault is an RAII object: when the scope ends the toxic is removed (or the
// proxy re-enabled), so a failing assertion never leaks a fault into the next test.
//
//   #include <faultline/testing.hpp>
//   namespace ft = faultline::testing;
//
//   TEST(Checkout, AnswersFromCacheWhenPaymentsIsSlow) {
//     auto faultline = ft::Faultline::start(FAULTLINE_BIN);              // serve --port 0
//     auto payments = faultline.createProxy("payments", "127.0.0.1:" + std::to_string(payments_port));
//     Checkout checkout(payments.url());                                // talk through the proxy
//     {
//       auto slow = payments.withToxic(ft::latency(2000));              // removed at '}'
//       EXPECT_TRUE(checkout.run().from_cache);
//     }
//     {
//       auto down = payments.disabled();                                // refused until '}'
//       EXPECT_EQ(checkout.run().status, 503);
//     }
//   }
//
// Errors (the binary missing, the API refusing a toxic) throw FaultlineError: in a test a fault
// that could not be set up must stop the test, and GoogleTest reports an uncaught exception
// with its message. Destructors never throw; a failed cleanup is printed to stderr instead.
// All calls are blocking (faultline/api_client.hpp, the CLI's own client): never call them from
// an event-loop callback.
//
// Header-only; needs nlohmann/json. Installed with `cmake --install` (or the .deb):
//   find_package(faultline REQUIRED)
//   target_link_libraries(tests PRIVATE faultline::testing)
//
// The parts, each usable alone: testing/child_process.hpp (a program started for a test),
// testing/toxics.hpp (fault values), testing/scopes.hpp (RAII faults), testing/faultline.hpp
// (Faultline and Proxy), testing/api.hpp (the throwing API client), testing/events.hpp
// (waitFor: block until the server reports an event, instead of polling).

#include "faultline/testing/api.hpp"
#include "faultline/testing/child_process.hpp"
#include "faultline/testing/error.hpp"
#include "faultline/testing/events.hpp"
#include "faultline/testing/faultline.hpp"
#include "faultline/testing/scopes.hpp"
#include "faultline/testing/toxics.hpp"
#include "faultline/testing/http_toxics.hpp"
