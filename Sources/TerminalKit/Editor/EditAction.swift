/// What the compose line's keys do. Each is a name a user can rebind in the config file's
/// `[keys]` section (`yank = C-v`); the defaults are readline's.
public enum EditAction: String, CaseIterable, Hashable, Sendable {
    case submit, newline = "new-line", complete
    case lineStart = "line-start", lineEnd = "line-end", left, right, wordLeft = "word-left", wordRight = "word-right"
    case deleteBackward = "delete-backward", deleteForward = "delete-forward"
    case killWordBackward = "kill-word-backward", killWordForward = "kill-word-forward"
    case killToLineStart = "kill-to-line-start", killToLineEnd = "kill-to-line-end", yank, undo
    case previous, next, search, externalEditor = "external-editor"
}

extension LineEditor {
    /// readline's keys; printable characters that no binding takes are typed.
    public static let defaultKeys = KeyMap<EditAction>([
        .init([.enter], .submit, help: "send", group: "Compose"),
        .init([Key(.enter, alt: true)], .newline, help: "a new line", group: "Compose"),
        .init([.ctrl("j")], .newline, help: "a new line", group: "Compose"),
        .init([.tab], .complete, help: "complete a command, name or :emoji:", group: "Compose"),
        .init([.up], .previous, help: "line above, or older history", group: "Compose"),
        .init([.ctrl("p")], .previous, help: "older history", group: "Compose"),
        .init([.down], .next, help: "line below, or newer history", group: "Compose"),
        .init([.ctrl("n")], .next, help: "newer history", group: "Compose"),
        .init([.ctrl("r")], .search, help: "search what was sent", group: "Compose"),
        .init([.ctrl("x"), .ctrl("e")], .externalEditor, help: "edit the line in $EDITOR", group: "Compose"),
        .init([.ctrl("a")], .lineStart, help: "start of line", group: "Compose"),
        .init([.home], .lineStart, help: "start of line", group: "Compose"),
        .init([.ctrl("e")], .lineEnd, help: "end of line", group: "Compose"),
        .init([.end], .lineEnd, help: "end of line", group: "Compose"),
        .init([.ctrl("b")], .left, help: "back a character", group: "Compose"),
        .init([.left], .left, help: "back a character", group: "Compose"),
        .init([.ctrl("f")], .right, help: "forward a character", group: "Compose"),
        .init([.right], .right, help: "forward a character", group: "Compose"),
        .init([.alt("b")], .wordLeft, help: "back a word", group: "Compose"),
        .init([Key(.left, ctrl: true)], .wordLeft, help: "back a word", group: "Compose"),
        .init([.alt("f")], .wordRight, help: "forward a word", group: "Compose"),
        .init([Key(.right, ctrl: true)], .wordRight, help: "forward a word", group: "Compose"),
        .init([.backspace], .deleteBackward, help: "delete before the cursor", group: "Compose"),
        .init([.ctrl("h")], .deleteBackward, help: "delete before the cursor", group: "Compose"),
        .init([.delete], .deleteForward, help: "delete under the cursor", group: "Compose"),
        .init([.ctrl("d")], .deleteForward, help: "delete under the cursor", group: "Compose"),
        .init([.ctrl("w")], .killWordBackward, help: "cut the word before", group: "Compose"),
        .init([Key(.backspace, alt: true)], .killWordBackward, help: "cut the word before", group: "Compose"),
        .init([.alt("d")], .killWordForward, help: "cut the word after", group: "Compose"),
        .init([.ctrl("u")], .killToLineStart, help: "cut to the start of the line", group: "Compose"),
        .init([.ctrl("k")], .killToLineEnd, help: "cut to the end of the line", group: "Compose"),
        .init([.ctrl("y")], .yank, help: "paste what was cut", group: "Compose"),
        .init([.ctrl("_")], .undo, help: "undo", group: "Compose"),
        .init([.ctrl("z")], .undo, help: "undo", group: "Compose"),
        .init([.ctrl("/")], .undo, help: "undo", group: "Compose"),
    ])
}
