#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace faultline {
namespace {

Table sample() {
  Table table({"NAME", "LISTEN"});
  table.addRow({{"db", ""}, {"127.0.0.1:5432", ""}});
  table.addRow({{"cache-long", ""}, {"127.0.0.1:6379", ""}});
  return table;
}

TEST(Table, OffATerminalRowsAreTabSeparatedWithoutAHeader) {
  std::ostringstream out;
  sample().print(out, false, Palette::off());
  EXPECT_EQ(out.str(), "db\t127.0.0.1:5432\ncache-long\t127.0.0.1:6379\n");
}

TEST(Table, OnATerminalColumnsAreAlignedUnderAHeader) {
  std::ostringstream out;
  sample().print(out, true, Palette::off());
  EXPECT_EQ(out.str(),
            "NAME        LISTEN\n"
            "db          127.0.0.1:5432\n"
            "cache-long  127.0.0.1:6379\n");
}

TEST(Table, ColourEscapesDoNotCountTowardsTheWidth) {
  Palette p = Palette::on();
  Table table({"A", "B"});
  table.addRow({{"xx", p.green}, {"y", ""}});
  std::ostringstream out;
  table.print(out, true, p);
  EXPECT_EQ(out.str(), p.bold + "A" + p.reset + "   " + p.bold + "B" + p.reset + "\n" + p.green + "xx" + p.reset +
                           "  y\n");
}

TEST(Table, ColourIsNeverWrittenOffATerminal) {
  Palette p = Palette::on();
  Table table({"A"});
  table.addRow({{"xx", p.green}});
  std::ostringstream out;
  table.print(out, false, p);
  EXPECT_EQ(out.str(), "xx\n");
}

}  // namespace
}  // namespace faultline
