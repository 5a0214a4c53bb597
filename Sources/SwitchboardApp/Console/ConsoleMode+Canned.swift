import Foundation
import SwitchboardClient
import SwitchboardProtocol
import TerminalKit

/// Canned responses: the picker, `/canned`, and managing one's own.
extension ConsoleMode {
    // MARK: Canned responses

    /// `/canned [SHORTCUT]`: an exact shortcut straight into the line, as `/SHORTCUT` Tab does;
    /// anything else picks. Words no known response matches (one a colleague just made) are
    /// looked up on the server first.
    mutating func useCanned(_ argument: String, in index: Int, askServer: Bool = true) -> [Effect] {
        let shortcut = argument.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        if let response = cannedResponse(shortcut) {
            insertCanned(response, in: index)
            return []
        }
        let folded = shortcut.lowercased()
        let partlyKnown = canned.contains { $0.shortcut.lowercased().contains(folded) || $0.title.lowercased().contains(folded) }
        if !shortcut.isEmpty, askServer, !partlyKnown {
            cannedWanted = CannedWanted(ticketId: tabs[index].ticketId, text: argument)
            return [.loadCanned]
        }
        return openPicker(matching: argument, askServer: askServer)
    }

    func cannedResponse(_ shortcut: String) -> CannedResponse? {
        guard !shortcut.isEmpty else { return nil }
        return canned.first { $0.shortcut == shortcut } ?? canned.first { $0.shortcut.lowercased() == shortcut.lowercased() }
    }

    /// The list came from the server: what `/canned` or C-t was waiting for goes on.
    mutating func cannedArrived() -> [Effect] {
        guard let wanted = cannedWanted else { return [] }
        cannedWanted = nil
        guard let index = tabs.firstIndex(where: { $0.ticketId == wanted.ticketId }), index == current else { return [] }
        return useCanned(wanted.text, in: index, askServer: false)
    }

    mutating func openPicker(matching query: String, askServer: Bool = true) -> [Effect] {
        guard let index = current else {
            toasts.show("Open a chat first: canned responses go into its input line", now: now)
            return []
        }
        guard !canned.isEmpty else {
            // Perhaps made since this console started: ask, then say so.
            if askServer {
                cannedWanted = CannedWanted(ticketId: tabs[index].ticketId, text: query)
                return [.loadCanned]
            }
            toasts.show("No canned responses yet — /canned-new makes one", now: now)
            return []
        }
        var picker = FuzzyPicker(items: canned.map { FuzzyPicker.Item("/\($0.shortcut) — \($0.title)", preview: $0.body) })
        for c in query { _ = picker.handle(.char(c)) }
        self.picker = picker
        return []
    }

    mutating func pickerKey(_ key: Key) -> [Effect] {
        guard var open = picker else { return [] }
        let outcome = open.handle(key)
        picker = open
        switch outcome {
        case .picking: return []
        case .cancelled: picker = nil
        case .picked(let item):
            picker = nil
            if let index = current, canned.indices.contains(item) { insertCanned(canned[item], in: index) }
        }
        return []
    }

    /// The response with its placeholders filled, in the input line to edit before Enter sends it.
    mutating func insertCanned(_ response: CannedResponse, in index: Int) {
        guard let me else { return }
        tabs[index].editor.replace(with: Placeholders.fill(response.body, ticket: tabs[index].conversation.ticket, agent: me))
        focus = .chat
    }

    // MARK: Managing canned responses

    mutating func cannedCommand(_ name: String, _ argument: String) -> [Effect] {
        let shortcut = argument.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
        if name == "canned-new" {
            cannedForm = Self.cannedForm(title: "New canned response", isAdmin: me?.role == .admin)
            editingCanned = nil
            return []
        }
        guard let response = canned.first(where: { $0.shortcut == shortcut }) else {
            return usage("/\(name) SHORTCUT — Tab completes them (\(canned.count) known)")
        }
        guard response.ownerId == me?.id || me?.role == .admin else {
            return usage("/\(shortcut) is shared; only admins change shared responses")
        }
        if name == "canned-rm" {
            confirm = ConfirmDialog("Delete the canned response /\(shortcut)?", yes: "Delete", no: "Keep it")
            confirmedEffects = [.deleteCanned(id: response.id)]
            return []
        }
        var form = Self.cannedForm(title: "Edit /\(shortcut)", isAdmin: me?.role == .admin)
        form.fields[0].editor.replace(with: response.shortcut)
        form.fields[1].editor.replace(with: response.title)
        form.fields[2].editor.replace(with: response.body)
        if form.fields.count > 3 { form.fields[3].choice = response.shared ? 1 : 0 }
        cannedForm = form
        editingCanned = response.id
        return []
    }

    static func cannedForm(title: String, isAdmin: Bool) -> Form {
        var fields = [
            Form.Field("shortcut", label: "Shortcut (a-z 0-9 _ -, typed as /shortcut)"),
            Form.Field("title", label: "Title"),
            Form.Field(
                "body", label: "Text — {customer.name} {agent.name} {ticket.id} {ticket.subject} are filled in",
                kind: .multiline(rows: 4)),
        ]
        if isAdmin { fields.append(Form.Field("shared", label: "For", kind: .choice(["me", "every agent"]))) }
        return Form(title: title, fields: fields)
    }

    mutating func cannedFormKey(_ key: Key) -> [Effect] {
        let values = fill(\.cannedForm, with: key) { values in
            var errors: [String: String] = [:]
            let shortcut = values["shortcut", default: ""]
            if !Limits.shortcutRule.admits(shortcut) { errors["shortcut"] = Limits.shortcutRule.brief }
            if values["title", default: ""].trimmingCharacters(in: .whitespaces).isEmpty { errors["title"] = "a few words" }
            if values["body", default: ""].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors["body"] = "the text to send" }
            return errors
        }
        guard let values else { return [] }
        let shared = values["shared"] == "every agent"
        if let id = editingCanned {
            return [
                .updateCanned(
                    id: id,
                    CannedResponseUpdate(
                        shortcut: values["shortcut"], title: values["title"],
                        body: values["body"], shared: me?.role == .admin ? shared : nil))
            ]
        }
        return [
            .createCanned(
                CannedResponseRequest(
                    shortcut: values["shortcut", default: ""], title: values["title", default: ""],
                    body: values["body", default: ""], shared: shared ? true : nil))
        ]
    }
}
