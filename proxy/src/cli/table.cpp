#include "cli/table.h"

#include <algorithm>

#include "core/text_escape.h"

namespace faultline {

Palette Palette::on() {
  return {"\033[1m", "\033[32m", "\033[31m", "\033[33m", "\033[34m", "\033[2m", "\033[0m"};
}

void Table::addRow(std::vector<Cell> row) {
  for (Cell& cell : row) cell.text = escapeControls(cell.text);
  rows_.push_back(std::move(row));
}

void Table::print(std::ostream& out, bool terminal, const Palette& palette) const {
  if (!terminal) {
    for (const auto& row : rows_) {
      for (std::size_t i = 0; i < row.size(); ++i) out << (i == 0 ? "" : "\t") << row[i].text;
      out << '\n';
    }
    return;
  }
  std::vector<std::size_t> widths(header_.size(), 0);
  for (std::size_t i = 0; i < header_.size(); ++i) widths[i] = header_[i].size();
  for (const auto& row : rows_) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].text.size());
  }
  auto pad = [&](std::size_t column, std::size_t used, bool last) {
    if (!last) out << std::string(widths[column] - used + 2, ' ');
  };
  for (std::size_t i = 0; i < header_.size(); ++i) {
    out << palette.bold << header_[i] << palette.reset;
    pad(i, header_[i].size(), i + 1 == header_.size());
  }
  out << '\n';
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const Cell& cell = row[i];
      if (!cell.colour.empty()) out << cell.colour;
      out << cell.text;
      if (!cell.colour.empty()) out << palette.reset;
      pad(i, cell.text.size(), i + 1 == row.size());
    }
    out << '\n';
  }
}

}  // namespace faultline
