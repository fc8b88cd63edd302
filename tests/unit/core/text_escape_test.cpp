#include "core/text_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace faultline {
namespace {

using namespace std::string_literals;

TEST(TextEscape, PrintableTextAndUtf8PassUnchanged) {
  for (std::string text : {""s, "plain text"s, "path=/api/v1?x=1 \"q\" \\back"s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"s}) {
    EXPECT_TRUE(isPrintable(text)) << text;
    EXPECT_EQ(escapeControls(text), text);
  }
}

TEST(TextEscape, C0BytesAndDelBecomeVisible) {
  EXPECT_EQ(escapeControls("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(escapeControls("line\nforged=1\r\tend"), "line\\nforged=1\\r\\tend");
  EXPECT_EQ(escapeControls("nul\0x"s), "nul\\x00x");
  EXPECT_EQ(escapeControls("del\x7f"), "del\\x7f");
  EXPECT_EQ(escapeControls("bell\x07"), "bell\\x07");
  EXPECT_FALSE(isPrintable("\x1b"));
}

TEST(TextEscape, C1ControlsInUtf8AndRawBecomeVisible) {
  EXPECT_EQ(escapeControls("csi\xc2\x9b" "2J"), "csi\\u009b2J");
  EXPECT_EQ(escapeControls("\xc2\x85"), "\\u0085");
  EXPECT_EQ(escapeControls("\xc2\xa0"), "\xc2\xa0");  // NBSP is printable, not C1
  EXPECT_EQ(escapeControls("raw\x9b" "2J"), "raw\\x9b2J");
}

TEST(TextEscape, BytesThatAreNotUtf8BecomeHex) {
  EXPECT_EQ(escapeControls("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escapeControls("\xe2\x82"), "\\xe2\\x82");            // cut short
  EXPECT_EQ(escapeControls("\xc0\xaf"), "\\xc0\\xaf");            // overlong '/'
  EXPECT_EQ(escapeControls("\xed\xa0\x80"), "\\xed\\xa0\\x80");   // a surrogate
}

TEST(TextEscape, EscapingTwiceEqualsEscapingOnce) {
  const std::string once = escapeControls("\x1b[31m\n\xc2\x9b\xff");
  EXPECT_TRUE(isPrintable(once));
  EXPECT_EQ(escapeControls(once), once);
  for (char c : once) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 && byte < 0x7f) << static_cast<int>(byte);
  }
}

}  // namespace
}  // namespace faultline
