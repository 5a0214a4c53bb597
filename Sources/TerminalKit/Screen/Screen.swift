/// One cell of the terminal: a grapheme and its style. A wide grapheme fills its cell and the
/// one to its right, which holds `continuation`.
public struct Cell: Equatable, Sendable {
    public var grapheme: Character?
    public var style: Style

    public init(_ grapheme: Character?, style: Style = .plain) {
        self.grapheme = grapheme
        self.style = style
    }

    public static let blank = Cell(" ")
    /// The right half of a wide grapheme.
    public static func continuation(_ style: Style) -> Cell { Cell(nil, style: style) }
    public var isContinuation: Bool { grapheme == nil }
}

/// What the terminal should show: a grid of cells. Views draw into it; the back end draws only
/// the cells that differ from the last screen; tests read it back as lines of text.
public struct Screen: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    /// A screen of spaces in `style` (a view's background, without painting it a second time).
    public init(width: Int, height: Int, style: Style = .plain) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(" ", style: style), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return .blank }
        return cells[y * width + x]
    }

    /// Writes `text` from column `x` of row `y`, no further than `limit` columns (default: the
    /// row's end), after the sanitiser; returns the columns used. A wide grapheme that would
    /// not fit whole is not split: the space it would take stays blank.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard (0..<height).contains(y), x < width else { return 0 }
        let end = min(width, x + (limit ?? width))
        var column = x
        // Printable ASCII (most of what is drawn) needs no sanitising and takes a column a byte.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            for byte in text.utf8 {
                if column + 1 > end { break }
                if column >= 0 { set(Cell(Character(Unicode.Scalar(byte)), style: style), x: column, y: y) }
                column += 1
            }
            return max(0, column - x)
        }
        for grapheme in Sanitizer.clean(text) {
            for piece in TextWidth.pieces(grapheme) {
                let columns = TextWidth.of(piece)
                if columns == 0 { continue }  // a stray mark with no base: nothing to draw
                if column + columns > end { return max(0, column - x) }
                if column >= 0 {
                    set(Cell(piece, style: style), x: column, y: y)
                    if columns == 2 { set(.continuation(style), x: column + 1, y: y) }
                }
                column += columns
            }
        }
        return max(0, column - x)
    }

    /// Paints a rectangle with spaces in `style`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, style: Style = .plain) {
        let first = max(0, x), last = min(width, x + w)
        let top = max(0, y), bottom = min(height, y + h)
        // Nothing of it on the screen (a layout squeezed by a tiny window): nothing to do.
        guard first < last, top < bottom else { return }
        let blank = Cell(" ", style: style)
        for row in top..<bottom {
            // Only the edges can cut a wide grapheme in half; the cells between are simply replaced.
            set(blank, x: first, y: row)
            if last - 1 > first { set(blank, x: last - 1, y: row) }
            let base = row * width
            for index in (base + first + 1)..<max(base + first + 1, base + last - 1) { cells[index] = blank }
        }
    }

    /// A cell, keeping wide graphemes whole: overwriting either half of one blanks the other.
    public mutating func set(_ cell: Cell, x: Int, y: Int) {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return }
        let index = y * width + x
        if cells[index].isContinuation, x > 0, !cell.isContinuation {
            cells[index - 1] = Cell(" ", style: cells[index - 1].style)
        }
        if x + 1 < width, cells[index + 1].isContinuation, let old = cells[index].grapheme, TextWidth.of(old) == 2 {
            cells[index + 1] = Cell(" ", style: cells[index + 1].style)
        }
        cells[index] = cell
    }

    /// Row `y` as text (continuations left out, so wide graphemes read naturally).
    public func line(_ y: Int) -> String {
        guard (0..<height).contains(y) else { return "" }
        var text = ""
        for cell in cells[(y * width)..<((y + 1) * width)] {
            if let grapheme = cell.grapheme { text.append(grapheme) }
        }
        return text
    }

    /// Every row as text, trailing spaces trimmed: what a test compares.
    public var lines: [String] {
        (0..<height).map { y in
            var text = line(y)
            while text.last == " " { text.removeLast() }
            return text
        }
    }

    /// The positions whose cells differ from `previous` (all of them if the size changed).
    public func changes(since previous: Screen?) -> [(x: Int, y: Int)] {
        guard let previous, previous.width == width, previous.height == height else {
            return (0..<height).flatMap { y in (0..<width).map { (x: $0, y: y) } }
        }
        var changed: [(x: Int, y: Int)] = []
        for index in cells.indices where cells[index] != previous.cells[index] {
            changed.append((x: index % width, y: index / width))
        }
        return changed
    }
}
