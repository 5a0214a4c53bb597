/// A modal form of typed fields (text, multi-line, choice) with inline validation errors.
/// Tab/Shift-Tab move between fields, Left/Right change a choice, Enter on the last field (or
/// C-s anywhere) submits, Esc cancels.
public struct Form: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case text
        /// Typed like text, shown as dots (a password).
        case secret
        case multiline(rows: Int)
        case choice([String])
    }

    public struct Field: Equatable, Sendable {
        public var name: String
        public var label: String
        public var kind: Kind
        public var editor = LineEditor()
        public var choice = 0
        public var error: String?

        public init(_ name: String, label: String, kind: Kind = .text, value: String = "") {
            self.name = name
            self.label = label
            self.kind = kind
            self.editor.replace(with: value)
        }

        public var value: String {
            if case .choice(let options) = kind { return options.indices.contains(choice) ? options[choice] : "" }
            return editor.text
        }
    }

    public enum Outcome: Equatable, Sendable { case editing, submitted([String: String]), cancelled }

    public var title: String
    public var fields: [Field]
    public private(set) var focus = 0
    /// Enter submits from any one-line field, not only the last (forms whose later fields are
    /// optional: a sign-in's password, then Enter).
    public var enterSubmits = false

    public init(title: String, fields: [Field]) {
        self.title = title
        self.fields = fields
    }

    /// Puts the cursor in the field named `name` (a form opened with the first fields filled in).
    public mutating func focus(on name: String) {
        if let index = fields.firstIndex(where: { $0.name == name }) { focus = index }
    }

    public var values: [String: String] { Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.value) }) }

    /// `validate` returns an error per field name (none: valid); errors show under their fields.
    public mutating func handle(_ key: Key, validate: ([String: String]) -> [String: String]) -> Outcome {
        switch key {
        case .escape: return .cancelled
        case .tab: focus = (focus + 1) % max(1, fields.count)
        case .backTab: focus = (focus + fields.count - 1) % max(1, fields.count)
        case .ctrl("s"): return submit(validate)
        default:
            guard fields.indices.contains(focus) else { return .editing }
            if case .choice(let options) = fields[focus].kind {
                switch key {
                case .left: fields[focus].choice = (fields[focus].choice + options.count - 1) % max(1, options.count)
                case .right, .char(" "): fields[focus].choice = (fields[focus].choice + 1) % max(1, options.count)
                case .enter: return focus == fields.count - 1 ? submit(validate) : next()
                default: break
                }
                return .editing
            }
            var editor = fields[focus].editor
            let isMultiline: Bool = if case .multiline = fields[focus].kind { true } else { false }
            if key == .enter && isMultiline {
                _ = editor.handle(Key(.enter, alt: true))  // Enter makes a new line in a multi-line field
            } else {
                switch editor.handle(key) {
                case .submit(let text):
                    editor.replace(with: text)
                    fields[focus].editor = editor
                    return focus == fields.count - 1 || enterSubmits ? submit(validate) : next()
                default: break
                }
            }
            fields[focus].editor = editor
            fields[focus].error = nil
        }
        return .editing
    }

    private mutating func next() -> Outcome {
        focus = min(focus + 1, fields.count - 1)
        return .editing
    }

    private mutating func submit(_ validate: ([String: String]) -> [String: String]) -> Outcome {
        let errors = validate(values)
        for index in fields.indices { fields[index].error = errors[fields[index].name] }
        if let first = fields.firstIndex(where: { $0.error != nil }) {
            focus = first
            return .editing
        }
        return .submitted(values)
    }

    /// The form in a box in the middle of `area`; returns where the cursor goes.
    @discardableResult
    public func render(into screen: inout Screen, in area: Rect, theme: Theme) -> (x: Int, y: Int)? {
        let rows = fields.reduce(0) { total, field in
            if case .multiline(let n) = field.kind { return total + n + 2 }
            return total + 3
        }
        let box = area.centered(width: min(area.width, 70), height: rows + 4)
        screen.fill(x: box.x, y: box.y, width: box.width, height: box.height, style: theme[.dialog])
        screen.box(box, style: theme[.dialogBorder], title: title, titleStyle: theme[.title])
        let inner = box.inset(by: 2)
        var y = inner.y, cursor: (x: Int, y: Int)?
        for (index, field) in fields.enumerated() {
            guard y < inner.maxY else { break }
            let focused = index == focus
            screen.put(field.label, x: inner.x, y: y, style: focused ? theme[.accent] : theme[.dialog], limit: inner.width)
            y += 1
            let height: Int = if case .multiline(let n) = field.kind { n } else { 1 }
            let fieldRect = Rect(x: inner.x, y: y, width: inner.width, height: min(height, inner.maxY - y))
            let style = focused ? theme[.fieldFocused] : theme[.field]
            screen.fill(x: fieldRect.x, y: fieldRect.y, width: fieldRect.width, height: fieldRect.height, style: style)
            if case .choice(let options) = field.kind {
                let spans = options.enumerated().flatMap { i, option in
                    [Span(i == field.choice ? "◉ " : "○ ", style), Span(option + "  ", i == field.choice ? style.with(bold: true) : style)]
                }
                if spans.reduce(0, { $0 + TextWidth.of($1.text) }) <= fieldRect.width {
                    screen.put(spans, x: fieldRect.x, y: fieldRect.y, limit: fieldRect.width)
                } else {
                    // Too many to show at once: the chosen one, with the way to change it.
                    screen.put(
                        [
                            Span("◀ ", style), Span(field.value, style.with(bold: true)),
                            Span(" ▶  \(field.choice + 1)/\(options.count) (←/→)", style),
                        ],
                        x: fieldRect.x, y: fieldRect.y, limit: fieldRect.width)
                }
            } else if field.kind == .secret {
                var dots = LineEditor()
                dots.replace(with: String(repeating: "•", count: field.editor.text.count))
                let at = dots.render(into: &screen, in: fieldRect, style: style)
                if focused { cursor = at }
            } else {
                let at = field.editor.render(into: &screen, in: fieldRect, style: style)
                if focused { cursor = at }
            }
            y += height
            if let error = field.error {
                screen.put("⚠ " + error, x: inner.x, y: y, style: theme[.error], limit: inner.width)
            }
            y += 1
        }
        return cursor
    }
}

extension Style {
    /// The same style, bold or not.
    public func with(bold: Bool) -> Style {
        var copy = self
        copy.bold = bold
        return copy
    }
}
