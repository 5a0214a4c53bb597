import Foundation
import SwitchboardProtocol
import TerminalKit

extension IntegrationsPage {
    /// Endpoints (the chosen one marked), its delivery log, the tokens, and what was shown once.
    func render(into screen: inout Screen, in rect: Rect, theme: Theme, now: Date) {
        guard loaded else {
            screen.put("Loading webhooks and tokens…", x: rect.x, y: rect.y, style: theme[.muted], limit: rect.width)
            return
        }
        let zone = TimeZone.current
        let at = { (date: Date) in ShortMoment.text(date, now: now, timeZone: zone) }
        var y = rect.y
        let bottom = rect.maxY - (revealed == nil ? 0 : 3)
        func heading(_ title: String, _ hint: String) {
            guard y < bottom else { return }
            screen.put([Span(title, theme[.title]), Span("  " + hint, theme[.muted])], x: rect.x, y: y, limit: rect.width)
            y += 1
        }
        func line(_ spans: [Span], fill: Style? = nil) {
            guard y < bottom else { return }
            if let fill { screen.fill(x: rect.x, y: y, width: rect.width, height: 1, style: fill) }
            screen.put(spans, x: rect.x, y: y, limit: rect.width)
            y += 1
        }

        // Webhooks: a few rows, the chosen one kept in view.
        heading(
            "Webhooks",
            webhooks.isEmpty ? "none yet — /webhook add URL EVENT… (or all) [+notes]" : "↑↓ chooses · /webhook on|off|rm · /webhook events")
        // What each is sent, and why it is off or failing, wrapped under it — for every endpoint
        // when that fits in half the page, else for the chosen one only.
        let indent = "          "
        func details(_ webhook: Webhook) -> [(String, Theme.Role)] {
            let events =
                webhook.events.count == WebhookEventType.allCases.count
                ? "all events" : webhook.events.map(\.rawValue).joined(separator: ",")
            var notes = [(events + (webhook.includeNotes ? " +notes" : ""), Theme.Role.muted)]
            if let reason = webhook.disabledReason {
                notes.append((Sanitizer.clean(reason), .error))
            } else if let since = webhook.failingSince {
                notes.append(("failing since \(at(since)); retried with growing waits, switched off after a day", .warning))
            }
            return notes.flatMap { text, role in
                TextWrap.lines(text, width: max(10, rect.width - indent.count)).prefix(2).map { ($0, role) }
            }
        }
        let half = max(3, (bottom - y) / 2)
        let everyDetail = webhooks.reduce(0) { $0 + 1 + details($1).count } <= half
        let rows = max(1, min(webhooks.count, everyDetail ? webhooks.count : half - details(chosenWebhook ?? webhooks[0]).count))
        let first = max(0, min(chosen.selected - rows + 1, webhooks.count - rows))
        for index in first..<min(webhooks.count, first + rows) {
            let webhook = webhooks[index], selected = index == chosen.selected
            let base = selected ? theme[.selection] : theme[.text]
            let state =
                !webhook.enabled
                ? ("off ", theme[.error]) : webhook.failingSince != nil ? ("fail", theme[.warning]) : ("on  ", theme[.success])
            let waiting = webhook.pending > 0 ? "  \(webhook.pending) waiting" : ""
            line(
                [
                    Span(selected ? "▸ " : "  ", base), Span("#\(webhook.id) ".padding(toLength: 5, withPad: " ", startingAt: 0), base),
                    Span(state.0 + " ", selected ? base : state.1),
                    Span(Sanitizer.clean(webhook.url), base.with(bold: true)), Span(waiting, selected ? base : theme[.warning]),
                ], fill: selected ? base : nil)
            if everyDetail || selected {
                for (row, role) in details(webhook) { line([Span(indent + row, theme[role])]) }
            }
        }

        // The chosen endpoint's log.
        if let webhook = chosenWebhook {
            y += 1
            heading("Deliveries to #\(webhook.id)", "newest first · /redeliver D sends one again")
            if deliveriesOf != webhook.id {
                line([Span(" loading…", theme[.muted])])
            } else if deliveries.isEmpty {
                line([Span(" nothing sent yet", theme[.muted])])
            }
            // The tokens keep a few lines below; the log has the rest (at least one row).
            let end = max(y + 2, bottom - (tokens.isEmpty ? 2 : min(tokens.count, 3) + 2))
            for delivery in deliveries where deliveriesOf == webhook.id && y < end {
                let (word, role): (String, Theme.Role) =
                    delivery.state == .delivered
                    ? ("delivered", .success) : delivery.attempts == 0 ? ("waiting", .muted) : ("retrying", .warning)
                let tries = delivery.attempts == 1 ? "1 try" : "\(delivery.attempts) tries"
                var answer = Sanitizer.clean(delivery.responseLine ?? delivery.error ?? "")
                if delivery.state == .pending, let next = delivery.nextAttemptAt, delivery.attempts > 0 {
                    let wait = next.timeIntervalSince(now)
                    answer += wait <= 0 ? " · trying again" : wait < 3_600 ? " · again in \(AdminPanel.span(wait))" : " · again \(at(next))"
                }
                let columns = [
                    Span(" D\(delivery.id)".padding(toLength: 7, withPad: " ", startingAt: 0), theme[.muted]),
                    Span(at(delivery.createdAt).padding(toLength: 10, withPad: " ", startingAt: 0), theme[.timestamp]),
                    Span(delivery.type.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0), theme[.text]),
                    Span("#\(delivery.ticketId)".padding(toLength: 6, withPad: " ", startingAt: 0), theme[.accent]),
                    Span(word.padding(toLength: 10, withPad: " ", startingAt: 0), theme[role]),
                    Span(tries.padding(toLength: 8, withPad: " ", startingAt: 0), theme[.muted]),
                ]
                let answerStyle = theme[delivery.state == .delivered ? .muted : .text]
                // The answer beside the row where it fits, else on the line under it.
                if columns.reduce(0, { $0 + TextWidth.of($1.text) }) + TextWidth.of(answer) <= rect.width {
                    line(columns + [Span(answer, answerStyle)])
                } else if y + 1 < end {
                    line(columns)
                    line([Span("       " + answer, answerStyle)])
                } else {
                    break
                }
            }
        }

        // Tokens.
        y += 1
        heading("API tokens", tokens.isEmpty ? "none yet — /token add NAME SCOPE… [as BOT NAME]" : "/token add · /token revoke N")
        // Names and bots in columns, as wide as the widest (within reason).
        let nameWidth = min(20, tokens.map { TextWidth.of(Sanitizer.clean($0.name)) }.max() ?? 0)
        let botWidth = min(26, tokens.map { TextWidth.of("as " + $0.bot.shown) }.max() ?? 0)
        let scopes = { (token: APIToken) in token.scopes.map(\.rawValue).joined(separator: ",") }
        let scopeWidth = tokens.map { TextWidth.of(scopes($0)) }.max() ?? 0
        func column(_ text: String, _ width: Int) -> String {
            let cut = TextWrap.truncate(text, width: width)
            return cut + String(repeating: " ", count: max(0, width - TextWidth.of(cut))) + "  "
        }
        for (index, token) in tokens.enumerated() {
            guard y < bottom - 1 || index == tokens.count - 1 else {
                line([Span(" … \(tokens.count - index) more (a taller window shows them)", theme[.muted])])
                break
            }
            let used = token.revokedAt.map { "revoked \(at($0))" } ?? token.lastUsedAt.map { "used \(at($0))" } ?? "never used"
            line([
                Span(" #\(token.id) ".padding(toLength: 7, withPad: " ", startingAt: 0), theme[.muted]),
                Span(
                    column(Sanitizer.clean(token.name), nameWidth), token.revokedAt == nil ? theme[.text].with(bold: true) : theme[.muted]),
                Span(column("as " + token.bot.shown, botWidth), theme[.accent]),
                Span(column(scopes(token), scopeWidth), theme[.text]),
                Span(used, theme[token.revokedAt == nil ? .muted : .error]),
            ])
        }

        // Shown once: the whole value on a line of its own, whatever the width, to copy.
        if let revealed {
            let top = rect.maxY - 3
            screen.put(
                "Shown once — \(revealed.what) — copy it now, it is not shown again:", x: rect.x, y: top + 1,
                style: theme[.warning].with(bold: true), limit: rect.width)
            screen.put(revealed.value, x: rect.x + 2, y: top + 2, style: theme[.title].with(bold: true), limit: rect.width - 2)
        }
    }
}
