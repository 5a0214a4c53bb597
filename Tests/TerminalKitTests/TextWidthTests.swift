import Testing
@testable import TerminalKit

/// Columns per grapheme, as terminals draw them.
@Suite struct TextWidthTests {
    @Test(arguments: [
        ("a", 1), ("é", 1), ("e\u{301}", 1),          // precomposed and combining accent
        ("漢", 2), ("한", 2), ("ｱ", 1), ("Ａ", 2),     // CJK, Hangul, halfwidth and fullwidth forms
        ("😀", 2), ("👍🏽", 2), ("👨‍👩‍👧‍👦", 2),          // emoji, skin tone, ZWJ family
        ("🇯🇵", 2), ("❤️", 2), ("❤", 1), ("1️⃣", 2),     // flag, VS16 emoji, text heart, keycap
        ("\u{301}", 0),                                 // a combining mark alone
    ])
    func width(grapheme: String, columns: Int) {
        #expect(TextWidth.of(Character(grapheme)) == columns, "\(grapheme)")
    }

    @Test func wideGraphemesKeepColumnsAligned() {
        var screen = Screen(width: 12, height: 4)
        screen.put("漢字ok", x: 0, y: 0)
        screen.put("👨‍👩‍👧‍👦|", x: 0, y: 1)
        screen.put("abcdefghijkl", x: 0, y: 2)
        screen.put("🇯🇵e\u{301}", x: 0, y: 3)
        #expect(screen.lines == ["漢字ok", "👨‍👩‍👧‍👦|", "abcdefghijkl", "🇯🇵é"])
        // The column after a wide grapheme is where the next one starts.
        #expect(screen[4, 0].grapheme == "o")
        #expect(screen[1, 0].isContinuation && screen[2, 1].grapheme == "|")
    }

    @Test func aWideGraphemeIsNeverSplitAtAnEdgeOrByAnOverwrite() {
        var screen = Screen(width: 5, height: 2)
        #expect(screen.put("ab漢字", x: 0, y: 0) == 4) // 字 would need columns 5–6
        #expect(screen.lines[0] == "ab漢")
        screen.put("漢字", x: 0, y: 1)
        screen.put("x", x: 1, y: 1) // onto the right half of 漢
        #expect(screen.lines[1] == " x字")
        #expect(TextWidth.of("漢字 ok") == 7)
        // A fill that starts on the right half of 漢 and ends on the left half of 字 blanks both.
        var filled = Screen(width: 6, height: 1)
        filled.put("漢字ab", x: 0, y: 0)
        filled.fill(x: 1, y: 0, width: 2, height: 1)
        #expect(filled.lines == ["    ab"])
        #expect((0..<6).allSatisfy { !filled[$0, 0].isContinuation })
    }

    @Test func onlyChangedCellsAreReported() {
        var before = Screen(width: 4, height: 2)
        before.put("ab", x: 0, y: 0)
        var after = before
        after.put("aX", x: 0, y: 0)
        after.put("z", x: 3, y: 1, style: Style(bold: true))
        #expect(after.changes(since: before).map { [$0.x, $0.y] } == [[1, 0], [3, 1]])
        #expect(after.changes(since: nil).count == 8)
    }
}
