#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace faultline {

// ANSI colours for the CLI; empty strings when colour is off, so callers never branch.
struct Palette {
  std::string bold, green, red, yellow, blue, dim, reset;
  static Palette on();
  static Palette off() { return {}; }
};

// Rows of cells. On a terminal: columns aligned with two spaces between them and a bold header.
// Otherwise: no header, cells joined by tabs (toxiproxy-cli's form, stable for cut/awk).
// A cell's colour is not counted in its width.
class Table {
 public:
  struct Cell {
    std::string text;
    std::string colour;  // an escape from Palette, or ""
  };

  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  // Cell text is escaped (core/text_escape.h): a name or attribute cannot move the cursor,
  // clear the screen or start a new row.
  void addRow(std::vector<Cell> row);
  std::size_t size() const { return rows_.size(); }

  void print(std::ostream& out, bool terminal, const Palette& palette) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace faultline
