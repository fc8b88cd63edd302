#include "rules/rules_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace faultline {
namespace {

using ::testing::HasSubstr;

RulesParseResult parse(const std::string& text) { return parseRulesText(text, "rules.yaml"); }

// The single error a text produces; fails the test when there is not exactly one.
RulesError onlyError(const std::string& text) {
  auto result = parse(text);
  EXPECT_EQ(result.errors.size(), 1u) << joinRulesErrors(result.errors);
  return result.errors.empty() ? RulesError{} : result.errors.front();
}

void expectErrorAt(const RulesError& e, int line, int column, const std::string& path) {
  EXPECT_EQ(e.file, "rules.yaml");
  EXPECT_EQ(e.where.line, line) << e.toString();
  EXPECT_EQ(e.where.column, column) << e.toString();
  EXPECT_EQ(e.path, path) << e.toString();
}

const char* kHealthy = R"(version: 1
proxies:
  - name: partner
    listen: 127.0.0.1:22220
    upstream: 127.0.0.1:22221
    toxics:
      - name: slow
        type: latency
        stream: downstream
        toxicity: 0.5
        attributes:
          latency: 100
          jitter: 10
)";

TEST(RulesParser, ParsesProxiesAndToxicsWithValidatedSpecs) {
  auto result = parse(kHealthy);
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  ASSERT_EQ(result.config.proxies.size(), 1u);
  const auto& p = result.config.proxies[0];
  EXPECT_EQ(p.name, "partner");
  EXPECT_EQ(p.listen, "127.0.0.1:22220");
  EXPECT_EQ(p.upstream, "127.0.0.1:22221");
  EXPECT_TRUE(p.enabled);
  ASSERT_EQ(p.toxics.size(), 1u);
  EXPECT_EQ(p.toxics[0].name, "slow");
  EXPECT_EQ(p.toxics[0].type, "latency");
  EXPECT_EQ(p.toxics[0].stream, Stream::kDownstream);
  EXPECT_DOUBLE_EQ(p.toxics[0].toxicity, 0.5);
  EXPECT_EQ(p.toxics[0].attr("latency"), 100);
  EXPECT_EQ(p.toxics[0].attr("jitter"), 10);
}

TEST(RulesParser, RecordsWhereEachProxyAndItsListenWereDeclared) {
  auto result = parse(kHealthy);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.config.sources.size(), 1u);
  EXPECT_EQ(result.config.sources[0].proxy.line, 3);
  EXPECT_EQ(result.config.sources[0].listen.line, 4);
  EXPECT_EQ(result.config.sources[0].listen.column, 13);
}

TEST(RulesParser, FillsToxicDefaultsLikeTheApi) {
  auto result = parse("proxies:\n  - {name: a, listen: '127.0.0.1:1', upstream: 'h:2', toxics: [{type: timeout}]}\n");
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  const auto& t = result.config.proxies[0].toxics[0];
  EXPECT_EQ(t.name, "timeout_downstream");
  EXPECT_EQ(t.stream, Stream::kDownstream);
  EXPECT_DOUBLE_EQ(t.toxicity, 1.0);
  EXPECT_EQ(t.attr("timeout"), 0);
}

TEST(RulesParser, LoadsToxiproxyJsonConfigUnchanged) {
  const char* json = R"([
  {"name": "redis", "listen": "127.0.0.1:26379", "upstream": "127.0.0.1:6379", "enabled": true},
  {"name": "web", "listen": "[::1]:28080", "upstream": "example.com:80", "enabled": false,
   "toxics": [{"name": "lag", "type": "latency", "stream": "UPSTREAM", "toxicity": 1,
               "attributes": {"latency": 250, "jitter": 0}}]}
])";
  auto result = parse(json);
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  ASSERT_EQ(result.config.proxies.size(), 2u);
  EXPECT_EQ(result.config.proxies[0].name, "redis");
  EXPECT_FALSE(result.config.proxies[1].enabled);
  ASSERT_EQ(result.config.proxies[1].toxics.size(), 1u);
  EXPECT_EQ(result.config.proxies[1].toxics[0].stream, Stream::kUpstream);
  EXPECT_EQ(result.config.proxies[1].toxics[0].attr("latency"), 250);
}

TEST(RulesParser, AcceptsNullToxicsInToxiproxyJson) {
  auto result = parse(R"([{"name": "a", "listen": "127.0.0.1:1", "upstream": "127.0.0.1:2", "toxics": null}])");
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  EXPECT_TRUE(result.config.proxies[0].toxics.empty());
}

TEST(RulesParser, ExplicitEmptyProxiesListIsValid) {
  auto result = parse("version: 1\nproxies: []\n");
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  EXPECT_TRUE(result.config.proxies.empty());
}

TEST(RulesParser, EmptyFileIsAnError) {
  auto e = onlyError("");
  expectErrorAt(e, 1, 1, "");
  EXPECT_THAT(e.message, HasSubstr("empty rules file"));
  EXPECT_THAT(e.toString(), HasSubstr("rules.yaml:1:1: empty rules file"));
}

TEST(RulesParser, FileWithOnlyCommentsIsEmpty) {
  EXPECT_THAT(onlyError("# nothing here\n\n").message, HasSubstr("empty rules file"));
}

TEST(RulesParser, MissingProxiesKeyIsAnError) {
  auto e = onlyError("version: 1\n");
  expectErrorAt(e, 1, 1, "");
  EXPECT_THAT(e.message, HasSubstr("missing required key 'proxies'"));
}

TEST(RulesParser, NullProxiesIsAnError) {
  auto e = onlyError("proxies:\n");
  EXPECT_EQ(e.path, "proxies");
  EXPECT_THAT(e.message, HasSubstr("expected a list of proxies, got null"));
}

TEST(RulesParser, UnsupportedVersionIsAnError) {
  auto e = onlyError("version: 2\nproxies: []\n");
  expectErrorAt(e, 1, 10, "version");
  EXPECT_THAT(e.message, HasSubstr("unsupported version 2; expected 1"));
}

TEST(RulesParser, SyntaxErrorReportsLineAndColumn) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: [unclosed\n");
  EXPECT_GT(e.where.line, 0);
  EXPECT_THAT(e.message, HasSubstr("YAML syntax error"));
  EXPECT_THAT(e.toString(), HasSubstr("rules.yaml:"));
}

TEST(RulesParser, ScalarDocumentIsAnError) {
  auto e = onlyError("hello\n");
  EXPECT_THAT(e.message, HasSubstr("expected a map with a 'proxies:' list"));
}

TEST(RulesParser, UnknownKeySuggestsTheNearestKnownOne) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics:
      - type: latency
        attributes:
          lattency: 100
)");
  expectErrorAt(e, 8, 11, "proxies[0].toxics[0].attributes.lattency");
  EXPECT_THAT(e.message, HasSubstr("unknown key 'lattency'"));
  EXPECT_THAT(e.message, HasSubstr("expected one of latency, jitter"));
  EXPECT_THAT(e.message, HasSubstr("did you mean 'latency'?"));
}

TEST(RulesParser, UnknownProxyKeyIsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: 127.0.0.1:1\n    upstream: 127.0.0.1:2\n    upstraem: x\n");
  expectErrorAt(e, 5, 5, "proxies[0].upstraem");
  EXPECT_THAT(e.message, HasSubstr("did you mean 'upstream'?"));
}

TEST(RulesParser, UnknownTopLevelKeyIsAnError) {
  auto e = onlyError("proxies: []\nproxy: []\n");
  expectErrorAt(e, 2, 1, "proxy");
  EXPECT_THAT(e.message, HasSubstr("unknown key 'proxy'"));
}

TEST(RulesParser, UnknownKeyFarFromAnyKnownOneHasNoSuggestion) {
  auto e = onlyError("proxies: []\ncolour: blue\n");
  EXPECT_THAT(e.message, HasSubstr("unknown key 'colour'"));
  EXPECT_THAT(e.message, ::testing::Not(HasSubstr("did you mean")));
}

TEST(RulesParser, DuplicateKeyIsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    name: b\n    listen: 127.0.0.1:1\n    upstream: 127.0.0.1:2\n");
  expectErrorAt(e, 3, 5, "proxies[0].name");
  EXPECT_THAT(e.message, HasSubstr("duplicate key 'name'"));
}

TEST(RulesParser, DuplicateProxyNamesAreAnError) {
  auto e = onlyError(R"(proxies:
  - {name: a, listen: "127.0.0.1:1", upstream: "127.0.0.1:9"}
  - {name: a, listen: "127.0.0.1:2", upstream: "127.0.0.1:9"}
)");
  expectErrorAt(e, 3, 12, "proxies[1].name");
  EXPECT_THAT(e.message, HasSubstr("duplicate proxy name 'a' (first declared at line 2)"));
}

TEST(RulesParser, DuplicateToxicNamesWithinAProxyAreAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics:
      - {name: t, type: latency}
      - {name: t, type: timeout, stream: upstream}
)");
  expectErrorAt(e, 7, 16, "proxies[0].toxics[1].name");
  EXPECT_THAT(e.message, HasSubstr("duplicate toxic name 't' (first at line 6)"));
}

TEST(RulesParser, DefaultToxicNamesCanCollide) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics: [{type: latency}, {type: latency}]
)");
  EXPECT_EQ(e.path, "proxies[0].toxics[1].name");
  EXPECT_THAT(e.message, HasSubstr("duplicate toxic name 'latency_downstream'"));
}

TEST(RulesParser, SameToxicNameInTwoProxiesIsFine) {
  auto result = parse(R"(proxies:
  - {name: a, listen: "127.0.0.1:1", upstream: "127.0.0.1:9", toxics: [{type: latency}]}
  - {name: b, listen: "127.0.0.1:2", upstream: "127.0.0.1:9", toxics: [{type: latency}]}
)");
  EXPECT_TRUE(result.ok()) << joinRulesErrors(result.errors);
}

TEST(RulesParser, DuplicateListenAddressesAreAnError) {
  auto e = onlyError(R"(proxies:
  - {name: a, listen: "127.0.0.1:5000", upstream: "127.0.0.1:9"}
  - {name: b, listen: "localhost:5000", upstream: "127.0.0.1:9"}
)");
  expectErrorAt(e, 3, 23, "proxies[1].listen");
  EXPECT_THAT(e.message, HasSubstr("duplicate listen address 'localhost:5000'"));
}

TEST(RulesParser, WildcardListenCollidesWithASpecificHostOnThePort) {
  auto e = onlyError(R"(proxies:
  - {name: a, listen: "0.0.0.0:5000", upstream: "127.0.0.1:9"}
  - {name: b, listen: "127.0.0.1:5000", upstream: "127.0.0.1:9"}
)");
  EXPECT_EQ(e.path, "proxies[1].listen");
}

TEST(RulesParser, SeveralEphemeralListenPortsDoNotCollide) {
  auto result = parse(R"(proxies:
  - {name: a, listen: "127.0.0.1:0", upstream: "127.0.0.1:9"}
  - {name: b, listen: "127.0.0.1:0", upstream: "127.0.0.1:9"}
)");
  EXPECT_TRUE(result.ok()) << joinRulesErrors(result.errors);
}

TEST(RulesParser, ListenWithoutPortIsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: 127.0.0.1\n    upstream: 127.0.0.1:2\n");
  expectErrorAt(e, 3, 13, "proxies[0].listen");
  EXPECT_THAT(e.message, HasSubstr("missing port"));
}

TEST(RulesParser, ListenPortOutOfRangeIsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: 127.0.0.1:70000\n    upstream: 127.0.0.1:2\n");
  EXPECT_EQ(e.path, "proxies[0].listen");
  EXPECT_THAT(e.message, HasSubstr("out of range"));
}

TEST(RulesParser, ListenOnAHostNameIsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: example.com:80\n    upstream: 127.0.0.1:2\n");
  EXPECT_EQ(e.path, "proxies[0].listen");
  EXPECT_THAT(e.message, HasSubstr("expected a numeric IP address or localhost"));
}

TEST(RulesParser, UnbracketedIpv6IsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: '::1:80'\n    upstream: 127.0.0.1:2\n");
  EXPECT_THAT(e.message, HasSubstr("bad IPv6 form"));
}

TEST(RulesParser, UpstreamPortZeroIsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: 127.0.0.1:1\n    upstream: 127.0.0.1:0\n");
  expectErrorAt(e, 4, 15, "proxies[0].upstream");
  EXPECT_THAT(e.message, HasSubstr("expected a host and a port from 1 to 65535"));
}

TEST(RulesParser, MissingRequiredFieldNamesTheProxy) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: 127.0.0.1:1\n");
  expectErrorAt(e, 2, 5, "proxies[0]");
  EXPECT_THAT(e.message, HasSubstr("missing required field: upstream"));
}

TEST(RulesParser, InvalidProxyNameIsAnError) {
  auto e = onlyError("proxies:\n  - name: 'a/b'\n    listen: 127.0.0.1:1\n    upstream: 127.0.0.1:2\n");
  expectErrorAt(e, 2, 11, "proxies[0].name");
  EXPECT_THAT(e.message, HasSubstr("expected 1-128 characters"));
}

TEST(RulesParser, WrongTypeForAStringFieldIsAnError) {
  auto e = onlyError("proxies:\n  - name: [a, b]\n    listen: 127.0.0.1:1\n    upstream: 127.0.0.1:2\n");
  expectErrorAt(e, 2, 11, "proxies[0].name");
  EXPECT_THAT(e.message, HasSubstr("(a string), got a list"));
}

TEST(RulesParser, WrongTypeForEnabledIsAnError) {
  auto e = onlyError("proxies:\n  - name: a\n    listen: 127.0.0.1:1\n    upstream: 127.0.0.1:2\n    enabled: maybe\n");
  expectErrorAt(e, 5, 14, "proxies[0].enabled");
  EXPECT_THAT(e.message, HasSubstr("expected true or false, got 'maybe'"));
}

TEST(RulesParser, QuotedNumberIsAWrongType) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics: [{type: latency, attributes: {latency: "100"}}]
)");
  EXPECT_EQ(e.path, "proxies[0].toxics[0].attributes.latency");
  EXPECT_THAT(e.message, HasSubstr("expected an integer from 0 to"));
  EXPECT_THAT(e.message, HasSubstr("got the string \"100\""));
}

TEST(RulesParser, FractionalAttributeIsAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics: [{type: latency, attributes: {latency: 1.5}}]
)");
  EXPECT_EQ(e.path, "proxies[0].toxics[0].attributes.latency");
  EXPECT_THAT(e.message, HasSubstr("(ms), got '1.5'"));
}

TEST(RulesParser, NegativeAttributeIsReportedAtItsLine) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics:
      - type: latency
        attributes:
          latency: -5
)");
  expectErrorAt(e, 8, 20, "proxies[0].toxics[0].attributes.latency");
  EXPECT_THAT(e.message, HasSubstr("expected an integer from 0 to 86400000 (ms), got -5"));
}

TEST(RulesParser, OverflowingAttributeIsAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics: [{type: bandwidth, attributes: {rate: 99999999999999999999999}}]
)");
  EXPECT_EQ(e.path, "proxies[0].toxics[0].attributes.rate");
  EXPECT_THAT(e.message, HasSubstr("(out of range)"));
}

TEST(RulesParser, AttributeAboveItsMaximumIsAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics: [{type: timeout, attributes: {timeout: 86400001}}]
)");
  EXPECT_EQ(e.path, "proxies[0].toxics[0].attributes.timeout");
  EXPECT_THAT(e.message, HasSubstr("got 86400001"));
}

TEST(RulesParser, UnknownToxicTypeIsReportedAtTheTypeField) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics:
      - type: latencyy
)");
  expectErrorAt(e, 6, 15, "proxies[0].toxics[0].type");
  EXPECT_THAT(e.message, HasSubstr("invalid toxic type 'latencyy'"));
}

TEST(RulesParser, MissingToxicTypeIsAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics:
      - name: x
)");
  EXPECT_EQ(e.path, "proxies[0].toxics[0].type");
  EXPECT_EQ(e.where.line, 6);
  EXPECT_THAT(e.message, HasSubstr("missing required field"));
}

TEST(RulesParser, InvalidStreamIsAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics:
      - type: latency
        stream: sideways
)");
  expectErrorAt(e, 7, 17, "proxies[0].toxics[0].stream");
  EXPECT_THAT(e.message, HasSubstr("can be either upstream or downstream"));
}

TEST(RulesParser, ToxicityOutOfRangeIsAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics:
      - type: latency
        toxicity: 1.5
)");
  expectErrorAt(e, 7, 19, "proxies[0].toxics[0].toxicity");
  EXPECT_THAT(e.message, HasSubstr("expected a probability between 0 and 1"));
}

TEST(RulesParser, NonNumericToxicityIsAnError) {
  auto e = onlyError(R"(proxies:
  - name: a
    listen: 127.0.0.1:1
    upstream: 127.0.0.1:2
    toxics: [{type: latency, toxicity: half}]
)");
  EXPECT_EQ(e.path, "proxies[0].toxics[0].toxicity");
  EXPECT_THAT(e.message, HasSubstr("got 'half'"));
}

TEST(RulesParser, ReportsEveryErrorNotJustTheFirst) {
  auto result = parse(R"(proxies:
  - name: a
    listen: 127.0.0.1
    upstream: 127.0.0.1:2
  - name: b
    listen: 127.0.0.1:3
    upstream: nowhere
)");
  ASSERT_EQ(result.errors.size(), 2u) << joinRulesErrors(result.errors);
  EXPECT_EQ(result.errors[0].path, "proxies[0].listen");
  EXPECT_EQ(result.errors[1].path, "proxies[1].upstream");
}

TEST(RulesParser, InvalidFileYieldsNoProxies) {
  auto result = parse("proxies:\n  - {name: ok, listen: '127.0.0.1:1', upstream: '127.0.0.1:2'}\n  - 42\n");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(result.config.proxies.empty());
}

TEST(RulesParser, FileOverTheSizeLimitIsRejected) {
  std::string big = "proxies: []\n" + std::string((1u << 20), '#');
  auto e = onlyError(big);
  EXPECT_THAT(e.message, HasSubstr("rules file too large"));
  EXPECT_THAT(e.message, HasSubstr("expected at most 1048576 bytes"));
}

TEST(RulesParser, AliasesAreRejected) {
  auto e = onlyError(R"(proxies:
  - &p {name: a, listen: "127.0.0.1:1", upstream: "127.0.0.1:2"}
  - *p
)");
  expectErrorAt(e, 3, 5, "");
  EXPECT_THAT(e.message, HasSubstr("YAML aliases (*name) are not allowed"));
}

TEST(RulesParser, AnchorBombIsRejectedWithoutExpanding) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c, ++prev) {
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  auto e = onlyError(bomb);
  EXPECT_THAT(e.message, HasSubstr("aliases"));
}

TEST(RulesParser, DeepNestingIsRejected) {
  std::string deep = "proxies: " + std::string(100, '[') + std::string(100, ']') + "\n";
  auto e = onlyError(deep);
  EXPECT_THAT(e.message, HasSubstr("nesting too deep"));
}

TEST(RulesParser, TooManyNodesAreRejected) {
  RulesLimits limits;
  limits.max_nodes = 50;
  std::string many = "proxies: [" ;
  for (int i = 0; i < 100; ++i) many += "1, ";
  many += "1]\n";
  auto result = parseRulesText(many, "rules.yaml", limits);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("too many YAML nodes; expected at most 50"));
}

TEST(RulesParser, SeveralDocumentsAreAnError) {
  auto e = onlyError("proxies: []\n---\nproxies: []\n");
  EXPECT_THAT(e.message, HasSubstr("expected one"));
}

TEST(RulesParser, ManyErrorsAreCappedWithACount) {
  RulesLimits limits;
  limits.max_errors = 3;
  std::string text = "proxies: [";
  for (int i = 0; i < 10; ++i) text += "1, ";
  text += "1]\n";
  auto result = parseRulesText(text, "rules.yaml", limits);
  ASSERT_EQ(result.errors.size(), 4u);
  EXPECT_THAT(result.errors.back().message, HasSubstr("8 more errors not shown"));
}

TEST(RulesParser, ContentHashChangesWithTheBytes) {
  auto a = parse("proxies: []\n");
  auto b = parse("proxies: [] # changed\n");
  EXPECT_EQ(a.config.content_hash, parse("proxies: []\n").config.content_hash);
  EXPECT_NE(a.config.content_hash, b.config.content_hash);
  EXPECT_EQ(a.config.content_hash.size(), 16u);
}

TEST(RulesParser, ResultFormJoinsEveryErrorWithFileLineAndColumn) {
  auto result = parseRules("proxies:\n  - 1\n  - 2\n", "f.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.error().message, HasSubstr("f.yaml:2:5: proxies[0]: expected a proxy"));
  EXPECT_THAT(result.error().message, HasSubstr("\nf.yaml:3:5: proxies[1]: expected a proxy"));
}

}  // namespace
}  // namespace faultline
