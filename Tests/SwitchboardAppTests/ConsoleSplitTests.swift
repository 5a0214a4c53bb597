import Foundation
import SwitchboardProtocol
import TerminalKit
import Testing

@testable import SwitchboardApp

@Suite struct ConsoleSplitTests {
    typealias C = ConsoleModeTests

    static func fourOpen(width: Int = 200, height: Int = 60) -> ConsoleMode {
        var mode = C.console(
            width: width, height: height,
            tickets: (1...4).map {
                C.ticket(
                    $0, "Subject \($0)", agent: C.me.ref, minutesAgo: Double(10 * $0),
                    customer: "Customer \($0)")
            })
        for id in 1...4 { mode = C.open(mode, id) }
        return mode
    }

    static func type(_ text: String, into mode: inout ConsoleMode) -> [Effect] {
        var effects: [Effect] = []
        for c in text { effects += mode.update(.key(.char(c))) }
        return effects + mode.update(.key(.enter))
    }

    @Test func splitOfFourShowsEachChatWithItsOwnHeaderAndInput() {
        var mode = Self.fourOpen()
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("/split 2 3 4", into: &mode)
        #expect(mode.split?.tickets == [1, 4, 3, 2] || mode.split?.tickets.count == 4)
        #expect(mode.layout.panes.count == 4)
        let lines = C.lines(mode)
        // Side by side: four headers on one row, three dividers between them.
        let headerRow = lines[2]
        for id in 1...4 { #expect(headerRow.contains("#\(id) Subject \(id)")) }
        #expect(lines[10].filter { $0 == "│" }.count == 4, "the queue's divider and three between the chats")
        // Each pane has its own input line with its own placeholder.
        let inputRow = lines.first { $0.contains("> Reply to Customer 1") } ?? ""
        for id in 1...4 { #expect(inputRow.contains("Reply to Customer \(id)")) }
        // The bottom line is the queue's, which says how to leave the split.
        #expect(lines[58].contains("queue> ") && lines[58].contains("/unsplit"))
        #expect(lines[59].contains("M-←→ chats"))
    }

    @Test func eachPaneKeepsItsOwnDraftAndKeysMoveBetweenThem() {
        var mode = Self.fourOpen()
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("/split 2", into: &mode)
        #expect(mode.split?.tickets == [1, 2] && mode.currentTab?.ticketId == 2)
        for c in "for two" { _ = mode.update(.key(.char(c))) }
        _ = mode.update(.key(Key(.left, alt: true)))
        #expect(mode.currentTab?.ticketId == 1)
        for c in "for one" { _ = mode.update(.key(.char(c))) }
        let sent = mode.update(.key(.enter))
        #expect(sent.contains(.send(ticketId: 1, text: "for one", note: false)))
        #expect(mode.tabs[1].editor.text == "for two", "the other pane's draft stays")
        let lines = C.lines(mode)
        #expect(lines.contains { $0.contains("> for two") }, "both inputs are drawn")
        // The cursor is in the focused pane (the left one).
        let cursor = mode.view(theme: World.theme).cursor
        #expect(cursor.map { $0.x < 37 + 82 } == true)
        _ = mode.update(.key(Key(.right, alt: true)))
        #expect(mode.currentTab?.ticketId == 2)
        _ = mode.update(.key(Key(.right, alt: true)))
        #expect(mode.currentTab?.ticketId == 1, "moving wraps around")
    }

    @Test func resizingGrowsTheFocusedChatAgainstItsNeighbour() {
        var mode = Self.fourOpen()
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("/split 2", into: &mode)
        _ = mode.update(.key(Key(.left, alt: true)))
        let before = mode.layout.panes.map(\.frame.width)
        #expect(abs(before[0] - before[1]) <= 1)
        _ = mode.update(.key(.alt("=")))
        _ = mode.update(.key(.alt("=")))
        let after = mode.layout.panes.map(\.frame.width)
        #expect(after[0] > before[0] + 10 && after[0] + after[1] == before[0] + before[1])
        for _ in 0..<20 { _ = mode.update(.key(.alt("="))) }
        #expect(mode.split?.shares == [85, 15], "the neighbour keeps its smallest share")
        for _ in 0..<20 { _ = mode.update(.key(.alt("-"))) }
        #expect(mode.split?.shares == [15, 85])
    }

    @Test func stackedAndChoosingAnotherTabReplacesTheFocusedPane() {
        var mode = Self.fourOpen()
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("/split 2 stacked", into: &mode)
        #expect(mode.split?.direction == .stacked)
        let panes = mode.layout.panes
        #expect(panes.count == 2 && panes[0].frame.x == panes[1].frame.x && panes[1].frame.y > panes[0].frame.y)
        _ = mode.update(.key(.alt("4")))
        #expect(mode.split?.tickets == [1, 4], "tab 4 takes the focused pane's place, as a WeeChat window switches buffer")
        _ = mode.update(.key(.alt("1")))
        #expect(mode.split?.tickets == [1, 4] && mode.split?.focused == 0, "a tab already shown is focused where it is")
        _ = Self.type("/split side", into: &mode)
        #expect(mode.split?.direction == .sideBySide && mode.split?.tickets == [1, 4])
    }

    @Test func closingATabTakesItsPaneAndOneLeftEndsTheSplit() {
        var mode = Self.fourOpen()
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("/split 2 3", into: &mode)
        #expect(mode.split?.tickets.count == 3)
        _ = mode.update(.key(.ctrl("w")))
        #expect(mode.split?.tickets.count == 2 && mode.split.map { !$0.tickets.contains(mode.tabs.count + 99) } == true)
        #expect(mode.currentTab.map { mode.split?.tickets.contains($0.ticketId) } == true)
        _ = mode.update(.key(.ctrl("w")))
        #expect(mode.split == nil && mode.layout.panes.count == 1)
        _ = Self.type("/unsplit", into: &mode)
        #expect(
            C.lines(mode)[58].contains("One chat is on screen already") || C.lines(mode).joined().contains("One chat is on screen already"))
    }

    @Test func onlyOneChatOpenSaysHowToSplit() {
        var mode = C.console(tickets: [C.ticket(1, "Alone", agent: C.me.ref, minutesAgo: 5)])
        _ = mode.update(.key(.enter))
        _ = Self.type("/split", into: &mode)
        #expect(mode.split == nil)
        #expect(C.lines(mode).joined().contains("Only one chat is open: /split N opens #N beside it"))
        _ = Self.type("/split 77", into: &mode)
        #expect(C.lines(mode).joined().contains("No ticket #77"))
    }

    @Test func aSmallTerminalTurnsTheSplitAndThenShowsTheFocusedChatAlone() {
        var mode = Self.fourOpen(width: 80, height: 24)
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("/split 2", into: &mode)
        // 80 columns: two side by side fit (the queue gives way to the chat).
        #expect(mode.layout.panes.count == 2 && mode.layout.panes[0].frame.y == mode.layout.panes[1].frame.y)
        _ = Self.type("/split 3 4", into: &mode)
        // Four: neither 4 × 19 columns nor 4 × 5 rows fit; a 2 × 2 grid does.
        let grid = mode.layout.panes
        #expect(grid.count == 4 && grid[0].frame.y == grid[1].frame.y && grid[2].frame.y > grid[0].frame.y)
        let lines = C.lines(mode)
        #expect(lines.count == 24 && lines.allSatisfy { TextWidth.of($0) <= 80 })
        _ = mode.update(.resize(width: 60, height: 14))
        #expect(mode.layout.panes.count == 1 && mode.layout.panes[0].tab == mode.current, "too small: the focused chat alone")
        #expect(C.lines(mode).contains { $0.contains("> Reply to Customer") }, "with its input on the bottom line again")
    }

    @Test func everyChatOnScreenIsMarkedRead() {
        var mode = Self.fourOpen()
        _ = mode.update(.key(.alt("1")))
        _ = Self.type("/split 2", into: &mode)
        let customer = UserRef(id: 101, displayName: "Customer 1", role: .customer, isOnline: true)
        let effects = mode.update(
            .event(
                .realtime(
                    .server(
                        .receiveMessage(
                            ticketId: 1,
                            message: World.message(
                                1, ticket: 1, from: customer,
                                "hi", minutesAgo: 0))))))
        #expect(effects.contains(.markRead(ticketId: 1, upToSeq: 1)), "the unfocused pane is on screen, so it is read")
        #expect(mode.tabs[0].unread == 0)
    }
}
