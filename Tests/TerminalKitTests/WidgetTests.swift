import Testing

@testable import TerminalKit

/// Every widget rendered headless and read back as text (and styles where they matter).
@Suite struct WidgetTests {
    let theme = Theme(name: "test")  // fallbacks only: reverse for selection, bold for accents

    @Test func wrappedTextBreaksAtSpacesAndCutsLongWords() {
        #expect(TextWrap.lines("the quick brown fox", width: 10) == ["the quick", "brown fox"])
        #expect(TextWrap.lines("abcdefghijkl", width: 5) == ["abcde", "fghij", "kl"])
        #expect(TextWrap.lines("漢字漢字漢字", width: 5) == ["漢字", "漢字", "漢字"])
        #expect(TextWrap.lines("one\n\ntwo", width: 10) == ["one", "", "two"])
        #expect(TextWrap.truncate("Refund for order 1234", width: 10) == "Refund fo…")
    }

    @Test func listScrollsSelectsAndMarks() {
        var list = ListView(count: 10)
        for _ in 0..<5 { _ = list.handle(.down, pageSize: 3) }
        _ = list.handle(.char(" "), pageSize: 3)  // marks row 5 and moves on
        _ = list.handle(.char(" "), pageSize: 3)
        var screen = Screen(width: 12, height: 3)
        list.render(into: &screen, in: Rect(x: 0, y: 0, width: 12, height: 3), theme: theme) { [Span("item \($0)")] }
        #expect(screen.lines == ["● item 5", "● item 6", "  item 7"])
        #expect(list.marked == [5, 6] && list.selected == 7)
        #expect(screen[2, 2].style == theme[.selection] && screen[2, 1].style != theme[.selection])
        _ = list.handle(MouseEvent(.press(button: 1), x: 3, y: 0), in: Rect(x: 0, y: 0, width: 12, height: 3))
        #expect(list.selected == 5)
        _ = list.handle(MouseEvent(.wheelUp, x: 3, y: 0), in: Rect(x: 0, y: 0, width: 12, height: 3))
        #expect(list.selected == 2)
    }

    @Test func tabBarShowsBadgesAndKeepsTheActiveTabInView() {
        var bar = TabBar(tabs: [TabBar.Tab("Card declined"), TabBar.Tab("Refund", unread: 3), TabBar.Tab("Login", activity: true)])
        var screen = Screen(width: 40, height: 1)
        bar.render(into: &screen, in: Rect(x: 0, y: 0, width: 40, height: 1), theme: theme)
        #expect(screen.lines == [" 1:Card declined  2:Refund 3  3:Login"])
        #expect(screen[0, 0].style == theme[.activeTab] && screen[27, 0].style == theme[.badge])
        #expect(bar.tab(atColumn: 20, in: Rect(x: 0, y: 0, width: 40, height: 1)) == 1)
        bar.active = 2
        var narrow = Screen(width: 16, height: 1)
        bar.render(into: &narrow, in: Rect(x: 0, y: 0, width: 16, height: 1), theme: theme)
        #expect(narrow.lines[0].hasPrefix("‹") && narrow.lines[0].contains("3:Login"))
    }

    @Test func splitPanesResizeByKeysAndMouse() {
        var split = SplitPane(.horizontal, percent: 50)
        let rect = Rect(x: 0, y: 0, width: 41, height: 10)
        #expect(split.layout(rect).first.width == 20 && split.layout(rect).second.width == 20)
        split.grow()
        #expect(split.layout(rect).first.width == 22)
        split.drag(to: MouseEvent(.press(button: 1), x: 10, y: 3), in: rect)
        #expect(split.layout(rect).first.width == 9)
        var vertical = SplitPane(.vertical, percent: 70)
        vertical.shrink(by: 20)
        #expect(vertical.layout(Rect(x: 0, y: 0, width: 10, height: 21)).first.height == 10)
        var screen = Screen(width: 5, height: 3)
        SplitPane(.horizontal).renderDivider(into: &screen, in: Rect(x: 0, y: 0, width: 5, height: 3), theme: theme)
        #expect(screen.lines == ["  │", "  │", "  │"])
    }

    @Test func statusBarGivesWayOnTheRight() {
        var screen = Screen(width: 30, height: 1)
        StatusBar.render(
            into: &screen, in: Rect(x: 0, y: 0, width: 30, height: 1), theme: theme,
            left: [Span("● connected")], right: [Span("F1 help")])
        #expect(screen.lines == ["● connected            F1 help"])
        var narrow = Screen(width: 15, height: 1)
        StatusBar.render(
            into: &narrow, in: Rect(x: 0, y: 0, width: 15, height: 1), theme: theme,
            left: [Span("● connected")], right: [Span("F1 help")])
        #expect(narrow.lines == ["● connected"])
        // Longer than the line: cut, and the cut shown.
        var cut = Screen(width: 12, height: 1)
        StatusBar.render(
            into: &cut, in: Rect(x: 0, y: 0, width: 12, height: 1), theme: theme,
            left: [Span("● reconnecting in 3s")], right: [Span("F1 help")])
        #expect(cut.lines == ["● reconnect…"])
    }

    @Test func aSignInFormStartsAtThePasswordAndEnterSubmitsFromIt() {
        var form = Form(
            title: "Connect",
            fields: [
                Form.Field("user", label: "User", value: "ada"),
                Form.Field("password", label: "Password", kind: .secret),
                Form.Field("token", label: "Token"),
            ])
        form.enterSubmits = true
        form.focus(on: "password")
        let validate: ([String: String]) -> [String: String] = { _ in [:] }
        for c in "pw" { _ = form.handle(.char(c), validate: validate) }
        #expect(form.handle(.enter, validate: validate) == .submitted(["user": "ada", "password": "pw", "token": ""]))
    }

    @Test func formValidatesInlineAndSubmitsTypedValues() {
        var form = Form(
            title: "New ticket",
            fields: [
                Form.Field("subject", label: "Subject"),
                Form.Field("description", label: "Description", kind: .multiline(rows: 2)),
                Form.Field("category", label: "Category", kind: .choice(["TECHNICAL", "BILLING", "OTHER"])),
            ])
        let validate: ([String: String]) -> [String: String] = { values in
            values["subject"]?.isEmpty == false ? [:] : ["subject": "required"]
        }
        #expect(form.handle(.ctrl("s"), validate: validate) == .editing)
        var screen = Screen(width: 50, height: 16)
        form.render(into: &screen, in: Rect(x: 0, y: 0, width: 50, height: 16), theme: theme)
        #expect(screen.lines.contains { $0.contains("⚠ required") })
        for c in "Printer on fire" { _ = form.handle(.char(c), validate: validate) }
        _ = form.handle(.tab, validate: validate)
        for c in "smoke" { _ = form.handle(.char(c), validate: validate) }
        _ = form.handle(.enter, validate: validate)  // a new line in a multi-line field
        for c in "everywhere" { _ = form.handle(.char(c), validate: validate) }
        _ = form.handle(.tab, validate: validate)
        _ = form.handle(.right, validate: validate)
        screen = Screen(width: 50, height: 16)
        form.render(into: &screen, in: Rect(x: 0, y: 0, width: 50, height: 16), theme: theme)
        #expect(screen.lines.contains { $0.contains("○ TECHNICAL  ◉ BILLING  ○ OTHER") })
        #expect(!screen.lines.contains { $0.contains("⚠") })
        #expect(
            form.handle(.enter, validate: validate)
                == .submitted(["subject": "Printer on fire", "description": "smoke\neverywhere", "category": "BILLING"]))
    }

    @Test func fuzzyPickerRanksAndPreviews() {
        var picker = FuzzyPicker(items: [
            FuzzyPicker.Item("greeting", preview: "Hello! How can I help?"),
            FuzzyPicker.Item("refund-done", preview: "Your refund is on its way."),
            FuzzyPicker.Item("reset-password", preview: "Use the link we sent."),
        ])
        for c in "rfd" { _ = picker.handle(.char(c)) }
        #expect(picker.matches == [1])
        _ = picker.handle(.backspace)
        _ = picker.handle(.backspace)
        #expect(picker.matches == [1, 2, 0])  // "r": word starts before a mid-word r
        var screen = Screen(width: 70, height: 10)
        picker.render(into: &screen, in: Rect(x: 0, y: 0, width: 70, height: 10), theme: theme, title: "Canned")
        #expect(screen.lines.contains { $0.contains("refund-done") && $0.contains("Your refund is on its way.") })
        #expect(picker.handle(.enter) == .picked(1))
        #expect(FuzzyPicker.score("xyz", in: "refund") == nil)
    }

    @Test func confirmDialogDefaultsToNo() {
        var dialog = ConfirmDialog("Close ticket #12?")
        #expect(dialog.handle(.enter) == .declined)
        _ = dialog.handle(.left)
        #expect(dialog.handle(.enter) == .confirmed)
        var screen = Screen(width: 30, height: 7)
        ConfirmDialog("Close ticket #12?").render(into: &screen, in: Rect(x: 0, y: 0, width: 30, height: 7), theme: theme)
        #expect(screen.lines.contains { $0.contains("Close ticket #12?") })
        #expect(screen.lines.contains { $0.contains("[ Yes ]  [ No ]") })
    }

    @Test func helpOverlayIsMadeFromTheKeyMap() {
        enum Action: Hashable, Sendable { case send, quit, editor }
        var keys = KeyMap<Action>([
            .init([.enter], .send, help: "send the message", group: "Compose"),
            .init([.ctrl("x"), .ctrl("e")], .editor, help: "compose in $EDITOR", group: "Compose"),
            .init([.ctrl("q")], .quit, help: "quit", group: "General"),
        ])
        #expect(keys.resolve(.ctrl("x")) == .pending([.ctrl("x")]))
        #expect(keys.resolve(.ctrl("e"), after: [.ctrl("x")]) == .action(.editor))
        keys.rebind(.quit, to: [Key("F10")!])
        #expect(keys.resolve(.ctrl("q")) == .unbound && keys.resolve(Key(.function(10))) == .action(.quit))
        var screen = Screen(width: 50, height: 10)
        HelpOverlay.render(keys, into: &screen, in: Rect(x: 0, y: 0, width: 50, height: 10), theme: theme)
        let text = screen.lines.joined(separator: "\n")
        #expect(text.contains("Compose") && text.contains("C-x C-e  compose in $EDITOR") && text.contains("F10      quit"))
        #expect(Key("M-Enter") == Key(.enter, alt: true) && Key("C-A") == .ctrl("a") && Key("S-Tab") == .backTab)
        #expect(Key("Hyper-x") == nil && Key(.pageDown, ctrl: true).description == "C-PgDn")
    }
}

/// Drawing outside the screen draws nothing (a layout squeezed by a tiny window asks for it).
@Suite struct OffScreenDrawingTests {
    @Test func fillsAndTextOutsideTheScreenAreNothing() {
        var screen = Screen(width: 3, height: 2)
        screen.fill(x: 0, y: 5, width: 3, height: 1)  // below: the range of rows ran backwards
        screen.fill(x: -4, y: -3, width: 2, height: 2)  // above and left
        screen.fill(x: 1, y: 1, width: -2, height: -1)  // negative sizes
        screen.put("hello", x: 1, y: 7)
        screen.box(Rect(x: 2, y: 1, width: 5, height: 4), style: .plain)
        #expect(screen.lines == ["", "  ┌"])
    }
}

@Suite struct HelpOverlayTests {
    /// A key per tab is one line of help; a run broken by a rebinding, or too short, is not folded.
    @Test func numberedRunsAreOneLine() {
        let tabs = (1...9).map { HelpRow(group: "Tabs", keys: "M-\($0)", help: "tab \($0)") }
        let lines = HelpOverlay.lines(tabs + [HelpRow(group: "Tabs", keys: "C-w", help: "close the tab")])
        #expect(lines.map(\.keys) == ["", "M-1 … M-9", "C-w"])
        #expect(lines[1].help == "tab 1 … 9")

        var rebound = tabs
        rebound[4].keys = "F12"  // tab 5 on a key of its own
        #expect(HelpOverlay.lines(rebound).map(\.keys) == ["", "M-1 … M-4", "F12", "M-6 … M-9"])

        let two = [HelpRow(group: "", keys: "F1", help: "pane 1"), HelpRow(group: "", keys: "F2", help: "pane 2")]
        #expect(HelpOverlay.lines(two).map(\.keys) == ["F1", "F2"])
        let unrelated = [
            HelpRow(group: "", keys: "F1", help: "pane 1"), HelpRow(group: "", keys: "F2", help: "tab 2"),
            HelpRow(group: "", keys: "F3", help: "tab 3"),
        ]
        #expect(HelpOverlay.lines(unrelated).count == 3)
    }

    /// Down past the end stays at the end: one Up moves the help back at once.
    @Test func scrollingStopsAtTheEnd() {
        // Not numbered (a numbered run would be one line): thirty distinct lines.
        let rows = (0..<30).map { index in
            let letter = Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(index % 26)))
            return HelpRow(group: "", keys: "C-\(letter)\(index / 26)x", help: "does \(letter) in round \(index / 26) here")
        }
        let area = Rect(x: 0, y: 0, width: 80, height: 12)  // 10 lines inside the box
        let last = HelpOverlay.lastOffset(rows, in: area)
        #expect(last == 20)
        var offset: Int? = 0
        for _ in 0..<40 { offset = HelpOverlay.scroll(offset, by: .down, last: last) }
        #expect(offset == 20)
        offset = HelpOverlay.scroll(offset, by: .up, last: last)
        #expect(offset == 19)
        #expect(HelpOverlay.lastOffset(Array(rows.prefix(5)), in: area) == 0)
        #expect(HelpOverlay.scroll(0, by: .char("x"), last: last) == nil)
    }
}

/// TextWrap wraps exactly as the plain grapheme-by-grapheme algorithm it replaced (kept here
/// as the reference), on ASCII and on wide and combined graphemes alike.
@Suite struct TextWrapEquivalenceTests {
    static func reference(_ paragraph: String, width: Int) -> [String] {
        func trimmed(_ row: String) -> String {
            var row = row
            while row.last == " " { row.removeLast() }
            return row
        }
        var rows: [String] = [], row = "", rowWidth = 0, word = "", wordWidth = 0
        func flushWord() {
            if rowWidth > 0, rowWidth + wordWidth > width {
                rows.append(trimmed(row))
                row = ""
                rowWidth = 0
                if word.first == " " {
                    word.removeFirst()
                    wordWidth -= 1
                }
            }
            row += word
            rowWidth += wordWidth
            word = ""
            wordWidth = 0
        }
        for character in paragraph {
            let w = TextWidth.of(character)
            if character == " " { flushWord() }
            if wordWidth + w > width {
                flushWord()
                if rowWidth + w > width {
                    rows.append(trimmed(row))
                    row = ""
                    rowWidth = 0
                }
            }
            word.append(character)
            wordWidth += w
        }
        flushWord()
        rows.append(trimmed(row))
        return rows
    }

    @Test(arguments: [false, true]) func rowsAreTheReferenceRows(wide: Bool) {
        var seed: UInt64 = wide ? 7 : 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }
        let pieces =
            ["a", "word", " ", "  ", "supercalifragilistic", "x.y", "!", "   lead", "trail   "]
            + (wide ? ["漢字", "👍🏽", "e\u{301}", "🇫🇷", "ｗｉｄｅ"] : [])
        for _ in 0..<3_000 {
            let text = (0..<next(12)).map { _ in pieces[next(pieces.count)] }.joined()
            let width = 1 + next(24)
            let rows = TextWrap.lines(text, width: width)
            #expect(rows == Self.reference(text, width: width), "\(text.debugDescription) at \(width)")
            #expect(rows.allSatisfy { TextWidth.of($0) <= max(width, 2) })
        }
    }
}
