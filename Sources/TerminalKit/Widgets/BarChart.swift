/// Horizontal bars drawn with block characters, in eighths of a cell (▏▎▍▌▋▊▉█), so lengths are
/// proportional to the values to an eighth of a column; and a small gauge (▰▰▱▱) for a load.
public enum BarChart {
    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// A bar for `value` out of `maximum` in at most `width` columns; a value above zero gets at
    /// least an eighth, so it never looks like none.
    public static func bar(_ value: Double, of maximum: Double, width: Int) -> String {
        guard maximum > 0, value > 0, width > 0 else { return "" }
        let units = max(1, Int((min(value, maximum) / maximum * Double(width * 8)).rounded()))
        return String(repeating: "█", count: units / 8) + eighths[units % 8]
    }

    /// One row a label: `label  ███▍ 12`, labels padded to one column, bars scaled to the largest value.
    public static func rows(_ items: [(label: String, value: Int)], width: Int) -> [(label: String, bar: String, value: String)] {
        let labelWidth = items.map { TextWidth.of($0.label) }.max() ?? 0
        let numberWidth = items.map { String($0.value).count }.max() ?? 1
        let room = max(1, width - labelWidth - numberWidth - 3)
        let largest = Double(items.map(\.value).max() ?? 0)
        return items.map { item in
            (
                item.label + String(repeating: " ", count: labelWidth - TextWidth.of(item.label)),
                bar(Double(item.value), of: largest, width: room), String(item.value)
            )
        }
    }

    /// Draws `rows` at (x, y): label, bar in `barStyle`, number after the bar.
    public static func render(
        _ items: [(label: String, value: Int)], into screen: inout Screen, x: Int, y: Int, width: Int,
        labelStyle: Style, barStyle: Style, numberStyle: Style
    ) {
        for (offset, row) in rows(items, width: width).enumerated() {
            var column = x
            column += screen.put(row.label + "  ", x: column, y: y + offset, style: labelStyle, limit: width)
            column += screen.put(row.bar, x: column, y: y + offset, style: barStyle, limit: x + width - column)
            screen.put(" " + row.value, x: column, y: y + offset, style: numberStyle, limit: x + width - column)
        }
    }

    /// `▰▰▰▱▱`: `used` of `capacity` in `cells` cells (over capacity: all filled).
    public static func gauge(_ used: Int, of capacity: Int, cells: Int = 5) -> String {
        guard capacity > 0, cells > 0 else { return String(repeating: "▱", count: max(0, cells)) }
        let filled = min(cells, Int((Double(used) / Double(capacity) * Double(cells)).rounded(.up)))
        return String(repeating: "▰", count: filled) + String(repeating: "▱", count: cells - filled)
    }
}
