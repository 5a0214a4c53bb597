import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

extension TesterMode {
    mutating func press(signedIn key: Key) -> [Effect] {
        if confirm != nil { return [] }
        if form != nil { return formKey(key) }
        if case .action(let action) = keys.resolve(key), !(action == .back && chosen == nil && !composer.isEmpty) {
            return perform(action)
        }
        let before = composer.text
        let outcome = composer.handle(key)
        // What was said about the text before goes once it changes (the live check takes over).
        if composer.text != before { toasts.dismiss() }
        switch outcome {
        case .submit(let text): return submit(text)
        case .confirmSubmit: return submit(composer.submitConfirmed())
        case .complete(let word): complete(word)
        default: break
        }
        return []
    }

    private mutating func perform(_ action: TesterAction) -> [Effect] {
        switch action {
        case .quit: return [.quit]
        case .help: helpOffset = 0
        case .launcher: return fromLauncher ? [.backToLauncher] : []
        case .connection1, .connection2, .connection3, .connection4, .connection5, .connection6, .connection7, .connection8,
            .connection9:
            let index = TesterAction.numbered.firstIndex(of: action) ?? 0
            if connections.indices.contains(index) { current = index } else { toasts.show("There is no connection \(index + 1)", now: now) }
        case .nextConnection: if !connections.isEmpty { current = (current + 1) % connections.count }
        case .newConnection: form = Self.connectForm(name: "c\(connections.count + 1)")
        case .reconnect:
            guard let connection = currentConnection else { return usage("No connection: C-n or /connect makes one") }
            return open(connection)
        case .raw:
            raw.toggle()
            toasts.show(raw ? "Raw: what you type is sent as it is, unchecked" : "JSON: checked before it is sent", now: now)
        case .logUp: scroll = min(scroll + max(1, logHeight - 2), max(0, totalLines - logHeight))
        case .logDown: scroll = max(0, scroll - max(1, logHeight - 2))
        case .follow:
            scroll = 0
            chosen = nil
        case .previousEntry: chosen = max(0, (chosen ?? shown.count) - 1)
        case .nextEntry: chosen = chosen.map { min(shown.count - 1, $0 + 1) }
        case .copyEntry:
            guard let chosen, shown.indices.contains(chosen) else { return usage("Choose a frame first with M-↑") }
            let entry = log[shown[chosen]]
            composer.replace(with: entry.pretty.map { Self.prettyText($0) } ?? entry.text)
            toasts.show("Copied: edit it, Enter sends it", now: now)
        case .back:
            if chosen != nil { chosen = nil } else { resetComposer(history: composer.historyEntries) }
        }
        if chosen == nil { return [] }
        if shown.isEmpty { chosen = nil }
        return []
    }

    private mutating func usage(_ text: String) -> [Effect] {
        toasts.show(text, kind: .error, now: now)
        return []
    }

    // MARK: The composer

    private mutating func submit(_ text: String) -> [Effect] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !raw, let (name, argument) = SlashCommands.parse(trimmed) {
            remember(text)
            return command(name, argument)
        }
        guard let connection = currentConnection else {
            composer.replace(with: text)
            return usage("No connection to send on: C-n or /connect NAME as USER")
        }
        if !raw, let problem = JSONText.check(text) {
            if problem.incomplete {
                // Not finished yet: Enter adds a line, as in any editor.
                composer.replace(with: text)
                _ = composer.perform(.newline)
                return []
            }
            composer.replace(with: text)
            return usage("Line \(problem.line), column \(problem.column): \(problem.message) — C-r sends it raw")
        }
        guard connection.state == .open else {
            composer.replace(with: text)
            return usage("\(connection.name) is not open (\(Self.describe(connection.state))) — F5 opens it again")
        }
        remember(text)
        let frame = raw ? text : (JSONText.compact(text) ?? text)
        record("send \(connection.name) \(frame.replacingOccurrences(of: "\n", with: " "))")
        return [.tester(.send(name: connection.name, text: frame))]
    }

    private mutating func remember(_ text: String) {
        var history = composer.historyEntries
        if history.last != text { history.append(text) }
        history = Array(history.suffix(200))
        resetComposer(history: history)
        pendingWrites.append(.tester(.saveHistory(history)))
    }

    /// An empty composer with `history`, keeping its keys (the config may have rebound them).
    mutating func resetComposer(history: [String]) {
        let keys = composer.keys
        composer = LineEditor(history: history)
        composer.keys = keys
    }

    /// Tab: a frame type typed alone (`send`, `MARK_`) becomes its template; a command completes.
    private mutating func complete(_ word: String) {
        let text = composer.text
        if text.hasPrefix("/") {
            let matches = composer.complete(
                with: commands.candidates(line: text, word: word) { command in
                    command == "connect" ? ["as", "token"] : []
                })
            if matches.count > 1 { toasts.show(matches.joined(separator: "  "), now: now) }
            return
        }
        let typed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !typed.contains("{") else { return }
        let matches = FrameTemplates.matching(typed)
        guard matches.count == 1 || (matches.first.map { $0 == typed.uppercased() } ?? false), let type = matches.first else {
            toasts.show(
                matches.isEmpty ? "Frame types: " + FrameTemplates.types.joined(separator: " ") : matches.joined(separator: "  "),
                kind: matches.isEmpty ? .error : .info, now: now)
            return
        }
        let frame = FrameTemplates.frame(
            type, ticket: lastTicket, highestSeq: highestSeq[lastTicket] ?? 0,
            clientMessageId: UUID().uuidString.lowercased())
        // Laid out a field a line, the cursor where the typing goes (inside the message's quotes).
        composer.replace(with: JSONText.pretty(frame).map { Self.prettyText($0) } ?? frame)
        if type == "SEND_MESSAGE" { for _ in 0..<3 { _ = composer.perform(.left) } }
    }

    /// The composer's live check: where the text stops being JSON, said while typing.
    public var composerProblem: String? {
        guard !raw, !composer.isEmpty, !composer.text.hasPrefix("/"), let problem = JSONText.check(composer.text) else { return nil }
        return "line \(problem.line), column \(problem.column): \(problem.message)"
    }

    // MARK: Commands

    private mutating func command(_ name: String, _ argument: String) -> [Effect] {
        let words = argument.split(separator: " ").map(String.init)
        guard let command = TesterCommand(named: name) else {
            composer.replace(with: "/" + name + (argument.isEmpty ? "" : " " + argument))
            return usage("Unknown command /\(Sanitizer.clean(String(name.prefix(32)))) — /help lists them")
        }
        switch command {
        case .connect:
            guard let first = words.first else {
                form = Self.connectForm(name: "c\(connections.count + 1)")
                return []
            }
            // `key=value` words anywhere after the name go on the upgrade's query.
            let options = words.dropFirst().filter(TesterScript.isOption)
            if let asIndex = words.firstIndex(of: "as"), words.indices.contains(asIndex + 1) {
                form = Self.connectForm(name: first, user: words[asIndex + 1], options: options.joined(separator: " "))
                return []
            }
            if let tokenIndex = words.firstIndex(of: "token"), words.indices.contains(tokenIndex + 1) {
                let token = words[tokenIndex + 1]
                return connect(name: first, user: nil, password: nil, token: token == "none" ? nil : token, options: options)
            }
            return connect(name: first, user: nil, password: nil, token: nil, options: options)
        case .close:
            guard let connection = currentConnection else { return usage("No connection") }
            return [.tester(.close(name: connection.name))]
        case .reconnect: return perform(.reconnect)
        case .auto:
            guard connections.indices.contains(current) else { return usage("No connection") }
            connections[current].autoReconnect.toggle()
            toasts.show("\(connections[current].name) reconnects by itself: \(connections[current].autoReconnect ? "on" : "off")", now: now)
        case .ping:
            guard let connection = currentConnection else { return usage("No connection") }
            return [.tester(.ping(name: connection.name))]
        case .get, .post, .put, .patch, .delete:
            guard let connection = currentConnection else { return usage("No connection: its token is what REST calls use") }
            guard let path = words.first, path.hasPrefix("/") else { return usage("/\(command.rawValue) /api/… [JSON]") }
            let body = words.count > 1 ? words.dropFirst().joined(separator: " ") : nil
            if let body, JSONText.check(body) != nil, !raw {
                return usage("The body is not JSON: \(JSONText.check(body).map { "column \($0.column): \($0.message)" } ?? "")")
            }
            let method = command.rawValue.uppercased()
            add(
                Entry(
                    time: now, connection: connection.name, direction: .outgoing, type: "\(method) \(path)", text: body ?? "",
                    pretty: body.flatMap { JSONText.pretty($0) }))
            record("rest \(connection.name) \(method) \(path)" + (body.map { " " + $0 } ?? ""))
            return [.tester(.rest(name: connection.name, method: method, path: path, body: body))]
        case .filter:
            filter = argument
            refilter()
            toasts.show(filter.isEmpty ? "Showing every frame" : "Showing \(shown.count) of \(log.count): \(filter)", now: now)
        case .raw: return perform(.raw)
        case .compact:
            compact.toggle()
            scroll = 0
        case .save:
            guard !argument.isEmpty else { return usage("/save FILE") }
            let path = HomeDirectory.expand(argument)
            return [.saveFile(path: path, text: jsonLines(), what: "\(shown.count) frames")]
        case .clear:
            log = []
            shown = []
            scroll = 0
            chosen = nil
        case .help: helpOffset = 0
        case .launcher: return fromLauncher ? [.backToLauncher] : usage("this session was not started from the launcher")
        case .quit: return [.quit]
        }
        return []
    }

    static func connectForm(name: String, user: String = "", options: String = "") -> Form {
        var form = Form(
            title: "A new connection — Enter connects, Esc cancels",
            fields: [
                Form.Field("name", label: "Name (short, shown in the log)", value: name),
                Form.Field("user", label: "Sign in as (empty: use the token below)", value: user),
                Form.Field("password", label: "Password", kind: .secret),
                Form.Field("token", label: "Or a token (empty with no user: no token, to see the refusal)"),
                Form.Field(
                    "options", label: "Upgrade options (e.g. presence=batched tickets=queue)",
                    value: options),
            ])
        // What the title says: Enter connects, from the password as from the last field.
        form.enterSubmits = true
        if !user.isEmpty { form.focus(on: "password") }
        return form
    }

    /// The connect form's upgrade options, a word each.
    private static func optionWords(_ values: [String: String]) -> [String] {
        values["options", default: ""].split(separator: " ").map(String.init)
    }

    private mutating func formKey(_ key: Key) -> [Effect] {
        let values = fill(\.form, with: key) { values in
            var errors: [String: String] = [:]
            let name = values["name", default: ""]
            if name.isEmpty || name.contains(" ") || name.count > 12 { errors["name"] = "1–12 characters, no spaces" }
            if !values["user", default: ""].isEmpty, values["password", default: ""].isEmpty { errors["password"] = "the user's password" }
            if let bad = Self.optionWords(values).first(where: { !TesterScript.isOption($0) }) {
                errors["options"] = "key=value words, such as presence=batched — not '\(bad)'"
            }
            return errors
        }
        guard let values else { return [] }
        form = nil
        let user = values["user"].flatMap { $0.isEmpty ? nil : $0 }, token = values["token"].flatMap { $0.isEmpty ? nil : $0 }
        let options = Self.optionWords(values)
        return connect(
            name: values["name", default: "c"], user: user, password: user == nil ? nil : values["password"], token: token,
            options: options)
    }

    // MARK: The log

    func admits(_ entry: Entry) -> Bool {
        let words = filter.split(separator: " ").map(String.init)
        guard !words.isEmpty else { return true }
        let names = Set(connections.map(\.name))
        let types = words.filter { $0 == $0.uppercased() && $0.count > 2 && !names.contains($0) }
        let conns = words.filter { names.contains($0) }
        let text = words.filter { !types.contains($0) && !conns.contains($0) }
        return (types.isEmpty || types.contains { entry.type.hasPrefix($0) }) && (conns.isEmpty || conns.contains(entry.connection))
            && (text.isEmpty
                || text.allSatisfy { entry.text.localizedCaseInsensitiveContains($0) || entry.type.localizedCaseInsensitiveContains($0) })
    }

    mutating func refilter() {
        shown = log.indices.filter { admits(log[$0]) }
        scroll = 0
        chosen = nil
    }

    /// The log as JSON lines: time, connection, direction, type and the frame (as JSON when it is).
    func jsonLines() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return shown.map { index in
            let entry = log[index]
            var object: [String: Any] = [
                "time": formatter.string(from: entry.time), "connection": entry.connection,
                "direction": entry.direction == .incoming ? "in" : entry.direction == .outgoing ? "out" : "event",
                "type": entry.type,
            ]
            object["frame"] =
                entry.text.data(using: .utf8).flatMap { try? JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) }
                ?? entry.text
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n") + (shown.isEmpty ? "" : "\n")
    }

    static func prettyText(_ lines: [[JSONText.Token]]) -> String {
        lines.map { $0.map(\.text).joined() }.joined(separator: "\n")
    }

    static func describe(_ state: Connection.State) -> String {
        switch state {
        case .opening: "opening"
        case .open: "open"
        case .refused(let status): "refused with \(status)"
        case .closed(let code, let reason): "closed" + (code.map { " \($0)" } ?? "") + (reason.isEmpty ? "" : ": \(reason)")
        case .failed(let why): why
        }
    }

    mutating func click(_ mouse: MouseEvent) -> [Effect] {
        switch mouse.kind {
        case .wheelUp: return perform(.logUp)
        case .wheelDown: return perform(.logDown)
        default: return []
        }
    }

    var helpRows: [HelpRow] { keys.helpRows + commands.helpRows + composer.keys.helpRows }
}
