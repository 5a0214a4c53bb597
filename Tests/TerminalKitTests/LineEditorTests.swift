import Testing

@testable import TerminalKit

/// The compose line, driven key by key.
@Suite struct LineEditorTests {
    func type(_ text: String, into editor: inout LineEditor) {
        for c in text { _ = editor.handle(.char(c)) }
    }

    @Test func readlineMovementAndKilling() {
        var editor = LineEditor()
        type("hello brave new world", into: &editor)
        _ = editor.handle(.ctrl("a"))
        #expect(editor.cursor == 0)
        _ = editor.handle(.alt("f"))
        #expect(editor.cursor == 5)
        _ = editor.handle(.ctrl("f"))
        _ = editor.handle(.ctrl("k"))  // kill to the end
        #expect(editor.text == "hello ")
        _ = editor.handle(.ctrl("y"))  // yank it back
        #expect(editor.text == "hello brave new world")
        _ = editor.handle(.ctrl("e"))
        _ = editor.handle(.ctrl("w"))  // kill the word before
        #expect(editor.text == "hello brave new ")
        _ = editor.handle(.alt("b"))
        #expect(editor.cursor == 12)
        _ = editor.handle(.ctrl("b"))
        _ = editor.handle(.ctrl("u"))  // kill to the start
        #expect(editor.text == " new ")
        _ = editor.handle(.end)
        _ = editor.handle(.backspace)
        _ = editor.handle(.home)
        _ = editor.handle(.delete)
        #expect(editor.text == "new" && editor.cursor == 0)
        // Undo walks back through every change.
        for _ in 0..<2 { _ = editor.handle(.ctrl("_")) }
        #expect(editor.text == " new ")
        _ = editor.handle(.ctrl("_"))
        #expect(editor.text == "hello brave new ")
    }

    @Test func historyWithUpDownAndCtrlRSearch() {
        var editor = LineEditor()
        for line in ["refund please", "where is my order", "thanks"] {
            type(line, into: &editor)
            #expect(editor.handle(.enter) == .submit(line))
        }
        type("draft", into: &editor)
        _ = editor.handle(.up)
        #expect(editor.text == "thanks")
        _ = editor.handle(.up)
        _ = editor.handle(.up)
        _ = editor.handle(.up)  // stops at the oldest
        #expect(editor.text == "refund please")
        _ = editor.handle(.down)
        _ = editor.handle(.down)
        _ = editor.handle(.down)  // back to what was being written
        #expect(editor.text == "draft")

        _ = editor.handle(.ctrl("r"))
        type("re", into: &editor)
        #expect(editor.searchMatch == "where is my order")
        _ = editor.handle(.ctrl("r"))  // the next older match
        #expect(editor.searchMatch == "refund please")
        _ = editor.handle(.right)  // accept and keep editing
        #expect(editor.text == "refund please" && editor.search == nil)
    }

    @Test func multiLineComposeAndPastedBlocksAskFirst() {
        var editor = LineEditor()
        type("line one", into: &editor)
        _ = editor.handle(Key(.enter, alt: true))
        type("line two", into: &editor)
        #expect(editor.lineCount == 2)
        _ = editor.handle(.up)  // moves between lines, not through history
        #expect(editor.cursor == 8)
        #expect(editor.handle(.enter) == .submit("line one\nline two"))

        editor.paste("a\r\nb\nc\nd\ne")
        #expect(editor.text == "a\nb\nc\nd\ne")
        #expect(editor.handle(.enter) == .confirmSubmit(lines: 5))
        #expect(editor.submitConfirmed() == "a\nb\nc\nd\ne")
        #expect(editor.isEmpty)
    }

    @Test func tabCompletesAndCtrlXCtrlEOpensTheEditor() {
        var editor = LineEditor()
        type("/tr", into: &editor)
        #expect(editor.handle(.tab) == .complete(word: "/tr"))
        #expect(editor.complete(with: ["/transfer", "/close", "/note"]) == ["/transfer"])
        #expect(editor.text == "/transfer ")
        type("al", into: &editor)
        #expect(editor.complete(with: ["alice", "alex", "bob"]) == ["alice", "alex"])
        #expect(editor.text == "/transfer al")  // common prefix only: still ambiguous
        _ = editor.handle(.ctrl("x"))
        #expect(editor.handle(.ctrl("e")) == .openEditor("/transfer al"))
        editor.replace(with: "written in vim\n")
        #expect(editor.text == "written in vim")
        #expect(editor.handle(.ctrl("q")) == .unhandled)  // not an editing key: the mode's
    }

    @Test func codePointsTypedOneByOneJoinTheirGrapheme() {
        var editor = LineEditor()
        for scalar in ["👍", "\u{1F3FD}", "e", "\u{301}", "x"] { _ = editor.handle(.char(Character(scalar))) }
        #expect(editor.characters == ["👍🏽", "é", "x"])
        _ = editor.handle(.backspace)
        _ = editor.handle(.backspace)
        #expect(editor.text == "👍🏽")
    }

    @Test func rendersScrolledSoTheCursorShows() {
        var editor = LineEditor()
        type("the quick brown fox jumps over", into: &editor)
        var screen = Screen(width: 20, height: 1)
        let cursor = editor.render(into: &screen, in: Rect(x: 0, y: 0, width: 20, height: 1), style: .plain, prompt: [Span("> ")])
        // Scrolled by a third of the width at a time, the cursor after the last letter.
        #expect(screen.lines == ["> x jumps over"])
        #expect(cursor == (x: 14, y: 0))
        var empty = Screen(width: 20, height: 1)
        LineEditor().render(into: &empty, in: Rect(x: 0, y: 0, width: 20, height: 1), style: .plain, placeholder: "Type a message")
        #expect(empty.lines == ["Type a message"])
        // A hint longer than the line ends in an ellipsis.
        var narrow = Screen(width: 10, height: 1)
        LineEditor().render(
            into: &narrow, in: Rect(x: 0, y: 0, width: 10, height: 1), style: .plain, prompt: [Span("> ")],
            placeholder: "Type a message")
        #expect(narrow.lines == ["> Type a …"])
    }
}
