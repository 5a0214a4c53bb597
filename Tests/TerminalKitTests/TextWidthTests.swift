import Testing

@testable import TerminalKit

/// Columns per grapheme, as terminals draw them (measured in tmux 3.3a with `printf` and
/// `#{cursor_x}`: what is drawn of an emoji sequence takes the same columns everywhere).
@Suite struct TextWidthTests {
    @Test(arguments: [
        ("a", 1), ("é", 1), ("e\u{301}", 1),  // precomposed and combining accent
        ("漢", 2), ("한", 2), ("ｱ", 1), ("Ａ", 2),  // CJK, Hangul, halfwidth and fullwidth forms
        ("😀", 2), ("👍🏽", 2), ("👨‍👩‍👧‍👦", 8),  // emoji, skin tone (left out), ZWJ family (one by one)
        ("🇯🇵", 2), ("❤️", 1), ("❤", 1), ("1️⃣", 1),  // flag, VS16 emoji and keycap (as their base)
        ("\u{301}", 0),  // a combining mark alone
    ])
    func width(grapheme: String, columns: Int) {
        #expect(TextWidth.of(Character(grapheme)) == columns, "\(grapheme)")
    }

    @Test func wideGraphemesKeepColumnsAligned() {
        var screen = Screen(width: 12, height: 4)
        screen.put("漢字ok", x: 0, y: 0)
        screen.put("👨‍👩‍👧|", x: 0, y: 1)
        screen.put("abcdefghijkl", x: 0, y: 2)
        screen.put("🇯🇵e\u{301}", x: 0, y: 3)
        #expect(screen.lines == ["漢字ok", "👨👩👧|", "abcdefghijkl", "🇯🇵é"])
        // The column after a wide grapheme is where the next one starts.
        #expect(screen[4, 0].grapheme == "o")
        #expect(screen[1, 0].isContinuation && screen[6, 1].grapheme == "|")
        // Each cell holds one character ncurses can take: one spacing scalar and its marks.
        #expect((0..<12).compactMap { screen[$0, 1].grapheme }.allSatisfy { $0.unicodeScalars.count == 1 })
    }

    /// A ZWJ family then Hebrew was drawn split, the text shifted (`👨 ‍שלום`): the pieces drawn
    /// are each one spacing character, and together as wide as `of` says.
    @Test(arguments: ["👨‍👩‍👧", "👍🏽", "❤️", "1️⃣", "🇯🇵", "🏳️‍🌈", "e\u{301}", "각"])
    func aGraphemeIsDrawnAsPiecesOfTheWidthItIsCountedAs(grapheme: String) {
        let pieces = TextWidth.pieces(Character(grapheme))
        #expect(pieces.allSatisfy { $0.unicodeScalars.filter { TextWidth.of($0) > 0 }.count == 1 }, "\(pieces)")
        #expect(pieces.reduce(0) { $0 + TextWidth.of($1) } == TextWidth.of(Character(grapheme)))
        #expect(!pieces.contains { $0.unicodeScalars.contains { [0x200D, 0xFE0F].contains($0.value) } })
        var screen = Screen(width: 20, height: 1)
        let drawn = screen.put(grapheme + " שלום", x: 0, y: 0)
        #expect(drawn == TextWidth.of(grapheme + " שלום"))
        #expect(screen[TextWidth.of(Character(grapheme)) + 1, 0].grapheme == "ש")
    }

    @Test func aWideGraphemeIsNeverSplitAtAnEdgeOrByAnOverwrite() {
        var screen = Screen(width: 5, height: 2)
        #expect(screen.put("ab漢字", x: 0, y: 0) == 4)  // 字 would need columns 5–6
        #expect(screen.lines[0] == "ab漢")
        screen.put("漢字", x: 0, y: 1)
        screen.put("x", x: 1, y: 1)  // onto the right half of 漢
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
