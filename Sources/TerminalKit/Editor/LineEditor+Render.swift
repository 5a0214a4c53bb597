extension LineEditor {
    /// Draws the text in `rect` (a prompt first, if any), scrolled so the cursor shows; returns
    /// where the terminal cursor goes. A multi-line text shows the lines around the cursor.
    @discardableResult
    public func render(
        into screen: inout Screen, in rect: Rect, style: Style, prompt: [Span] = [],
        placeholder: String? = nil, placeholderStyle: Style? = nil
    ) -> (x: Int, y: Int) {
        guard !rect.isEmpty else { return (rect.x, rect.y) }
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: style)
        let promptWidth = screen.put(prompt, x: rect.x, y: rect.y, limit: rect.width)
        let width = max(1, rect.width - promptWidth)
        if let match = searchMatch ?? (search != nil ? "" : nil) {
            let label = "(search '\(search?.query ?? "")'): "
            let used = screen.put(label, x: rect.x + promptWidth, y: rect.y, style: style.with(bold: true), limit: width)
            screen.put(match, x: rect.x + promptWidth + used, y: rect.y, style: style, limit: width - used)
            return (min(rect.maxX - 1, rect.x + promptWidth + used), rect.y)
        }
        if characters.isEmpty, let placeholder {
            // A hint longer than the line is cut with an ellipsis, so it does not end mid-word unseen.
            screen.put(
                TextWrap.truncate(placeholder, width: width), x: rect.x + promptWidth, y: rect.y,
                style: placeholderStyle ?? style, limit: width)
            return (rect.x + promptWidth, rect.y)
        }
        // Lines of the text, and where the cursor is among them (line, column in cells).
        var lines: [[Character]] = [[]], cursorLine = 0, cursorColumn = 0
        for (index, c) in characters.enumerated() {
            if index == cursor {
                cursorLine = lines.count - 1
                cursorColumn = lines[lines.count - 1].reduce(0) { $0 + TextWidth.of($1) }
            }
            if c == "\n" { lines.append([]) } else { lines[lines.count - 1].append(c) }
        }
        if cursor == characters.count {
            cursorLine = lines.count - 1
            cursorColumn = lines[cursorLine].reduce(0) { $0 + TextWidth.of($1) }
        }
        let firstLine = max(0, min(cursorLine - rect.height + 1, lines.count - rect.height))
        // Scroll sideways in steps of a third of the width, so typing does not jump on every key.
        let step = max(1, width / 3)
        let shift = cursorColumn < width ? 0 : ((cursorColumn - width) / step + 1) * step
        for row in 0..<min(rect.height, lines.count - firstLine) {
            let line = lines[firstLine + row]
            var column = 0, x = rect.x + promptWidth
            for c in line {
                let w = TextWidth.of(c)
                defer { column += w }
                guard column >= shift else { continue }
                if x + w > rect.maxX { break }
                x += screen.put(String(c), x: x, y: rect.y + row, style: style, limit: w)
            }
        }
        return (min(rect.maxX - 1, rect.x + promptWidth + cursorColumn - shift), rect.y + cursorLine - firstLine)
    }
}
