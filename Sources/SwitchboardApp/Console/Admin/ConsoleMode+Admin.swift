import Foundation
import SwitchboardProtocol
import TerminalKit

/// The admin's views in the console: `/dashboard` (F7), `/agents`, `/report`, `/server`,
/// `/user-add`, and changing an agent's status and capacity. Agents asking are told they are
/// for admins.
extension ConsoleMode {
    mutating func adminCommand(_ name: String, _ argument: String) -> [Effect] {
        guard me?.role == .admin else {
            // The role is changed where accounts are managed: on the server's machine.
            let command = "switchboard users set-role --username \(me?.username ?? "you") --role admin"
            return usage("/\(name) is for admins; you are signed in as an agent. An operator makes you one with: \(command)")
        }
        switch name {
        case "dashboard": return openAdmin(.dashboard)
        case "agents": return openAdmin(.agents)
        case "server": return openAdmin(.server)
        case "report": return reportCommand(argument)
        case "user-add":
            userForm = Self.userForm()
            return []
        case "agent-status", "capacity": return agentCommand(name, argument)
        case "targets": return openAdmin(.targets)
        case "hours", "target": return editTargets(name, argument)
        case "integrations", "webhook", "redeliver", "token": return integrationsCommand(name, argument)
        default: return []
        }
    }

    mutating func openAdmin(_ page: AdminPanel.Page) -> [Effect] {
        var panel = admin ?? AdminPanel(page: page)
        panel.page = page
        panel.targets = targets
        panel.stale = true
        panel.askedAt = nil
        admin = panel
        focus = .queue
        return admin?.refresh(now: basics.now) ?? []
    }

    /// `/report [FROM [TO]]`, `/report --csv FILE`: the last 7 days unless dates are given.
    private mutating func reportCommand(_ argument: String) -> [Effect] {
        var words = argument.split(separator: " ").map(String.init)
        if let csv = words.firstIndex(of: "--csv") {
            guard words.indices.contains(csv + 1) else { return usage("/report --csv FILE") }
            let path = HomeDirectory.expand(words[csv + 1])
            words.removeSubrange(csv...(csv + 1))
            guard let panel = admin, panel.report != nil, words.isEmpty else {
                return usage("Show a report first (/report [FROM [TO]]), then /report --csv FILE writes it")
            }
            return [.saveFile(path: path, text: panel.reportCSV, what: "The report")]
        }
        let day = DateFormatter()
        day.calendar = Calendar(identifier: .gregorian)
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        let dates = words.map { day.date(from: $0) }
        guard words.count <= 2, dates.allSatisfy({ $0 != nil }) else { return usage("/report [FROM [TO]] — dates as YYYY-MM-DD") }
        let today = day.date(from: day.string(from: now)) ?? now
        let to =
            dates.count > 1 ? dates[1]! : (dates.first != nil ? dates[0]!.addingTimeInterval(7 * 86_400) : today.addingTimeInterval(86_400))
        let from = dates.first.map { $0! } ?? to.addingTimeInterval(-7 * 86_400)
        guard from < to else { return usage("/report FROM TO — FROM before TO") }
        var panel = admin ?? AdminPanel(page: .report)
        panel.page = .report
        panel.reportFrom = day.string(from: from)
        panel.reportTo = day.string(from: to)
        panel.report = nil
        admin = panel
        focus = .queue
        return [.loadReport(from: panel.reportFrom, to: panel.reportTo)]
    }

    /// `/hours …`, `/target …`: the change read here, saved by the server (which says what is wrong).
    private mutating func editTargets(_ name: String, _ argument: String) -> [Effect] {
        guard !argument.trimmingCharacters(in: .whitespaces).isEmpty else { return openAdmin(.targets) }
        guard let rules = targets else { return usage("The targets are still being read from the server; a moment") }
        let effects = openAdmin(.targets)
        if name == "hours" {
            switch TargetEdits.hours(argument, on: rules.hours) {
            case .success(let hours): return effects + [.saveBusinessHours(hours)]
            case .failure(let problem): return effects + usage(problem.sentence)
            }
        }
        switch TargetEdits.target(argument, on: rules.settings) {
        case .success(let settings): return effects + [.saveSLA(settings)]
        case .failure(let problem): return effects + usage(problem.sentence)
        }
    }

    /// `/agent-status [AGENT] STATUS`, `/capacity [AGENT] N`: by name, else the agent chosen on the agents page.
    private mutating func agentCommand(_ name: String, _ argument: String) -> [Effect] {
        var words = argument.split(separator: " ").map(String.init)
        guard let value = words.popLast() else {
            return usage(name == "capacity" ? "/capacity [AGENT] N" : "/agent-status [AGENT] online, busy, away or offline")
        }
        let loads = admin?.agents.isEmpty == false ? admin!.agents : agents
        let target: AgentLoad?
        if words.isEmpty {
            target = admin.flatMap {
                $0.page == .agents && $0.agents.indices.contains($0.chosen.selected) ? $0.agents[$0.chosen.selected] : nil
            }
        } else {
            let wanted = words.joined().lowercased()
            target = loads.first { Self.handle(for: $0.agent, in: loads).lowercased() == wanted || String($0.agent.id) == wanted }
        }
        guard let target else { return usage("Which agent? Name one (Tab completes), or choose one on /agents") }
        if name == "capacity" {
            guard let capacity = Int(value), (0...100).contains(capacity) else { return usage("/capacity [AGENT] N — 0 to 100 chats") }
            return [.setAgent(id: target.agent.id, AgentStatusRequest(capacity: capacity))]
        }
        guard let status = AgentStatus(rawValue: value.uppercased()) else {
            return usage("/agent-status [AGENT] online, busy, away or offline")
        }
        return [.setAgent(id: target.agent.id, AgentStatusRequest(status: status))]
    }

    /// The admin's news: figures in, and the pages marked stale by what changes them.
    mutating func receiveAdmin(_ event: AppEvent) -> Bool {
        switch event {
        case .dashboard(let dashboard):
            admin?.dashboard = dashboard
            admin?.updatedAt = basics.now
        case .adminAgents(let loads):
            admin?.agents = loads
            admin?.chosen.resize(to: loads.count)
            admin?.updatedAt = basics.now
        case .report(let report):
            admin?.report = report
            admin?.updatedAt = basics.now
        case .serverStatistics(let statistics):
            let previous = admin?.server
            admin?.previousServer = previous
            admin?.server = statistics
            admin?.updatedAt = basics.now
        case .agentChanged(let load):
            if var panel = admin, let index = panel.agents.firstIndex(where: { $0.agent.id == load.agent.id }) {
                panel.agents[index] = load
                admin = panel
            }
            if let index = agents.firstIndex(where: { $0.agent.id == load.agent.id }) { agents[index] = load }
            toasts.show(
                "\(load.agent.shown): \(load.status.rawValue.lowercased()), \(load.capacity) chats at most",
                kind: .success, now: now)
        case .userCreated(let user):
            userForm = nil
            toasts.show("\(user.username) can sign in now, as \(user.role.rawValue.lowercased())", kind: .success, now: now)
            admin?.stale = true
            return true
        case .fileSaved(let what, let path):
            toasts.show("\(what) is in \(path)", kind: .success, now: now)
        case .failed(.createUser, let error):
            // The server's sentence goes under the field it names, else at the bottom.
            if var form = userForm, let index = form.fields.firstIndex(where: { error.message.localizedCaseInsensitiveContains($0.name) }) {
                form.fields[index].error = error.message
                userForm = form
            } else {
                toasts.show("The account was not made: \(error.sentence)", kind: .error, now: now)
            }
        case .failed(.admin, let error):
            toasts.show(error.status == 403 ? "That is for admins: \(error.sentence)" : "Admin: \(error.sentence)", kind: .error, now: now)
        default:
            return false
        }
        return true
    }

    /// Tickets or agents changed: the dashboard and the agents page ask again (coalesced in `refresh`).
    mutating func adminFiguresChanged() {
        if admin?.page == .dashboard || admin?.page == .agents { admin?.stale = true }
    }

    /// Keys while an admin page is shown: ←→ the pages, ↑↓ choose an agent; Esc closes; the rest
    /// types commands.
    mutating func adminKey(_ key: Key) -> [Effect]? {
        guard var panel = admin, queueLine.isEmpty else { return nil }
        if key == .escape {
            admin = nil
            return []
        }
        if key == .left || key == .right {
            let pages = AdminPanel.Page.allCases
            let here = pages.firstIndex(of: panel.page) ?? 0
            let next = pages[(here + (key == .right ? 1 : pages.count - 1)) % pages.count]
            guard next == .report else { return openAdmin(next) }
            // The report is asked for once (the last 7 days, as /report); coming back shows it again.
            guard panel.report != nil else { return reportCommand("") }
            admin?.page = .report
            return []
        }
        if panel.page == .agents, panel.chosen.handle(key, pageSize: 10) {
            admin = panel
            return []
        }
        if panel.page == .integrations, let effects = panel.integrations.handle(key) {
            admin = panel
            return effects
        }
        return nil
    }

    static func userForm() -> Form {
        Form(
            title: "A new account — Enter makes it, Esc cancels",
            fields: [
                Form.Field("username", label: "Username (\(Limits().usernameRule.brief))"),
                Form.Field("displayName", label: "Display name"),
                Form.Field("email", label: "Email (optional: mail when they are away)"),
                Form.Field("password", label: "Password (8–128 characters)", kind: .secret),
                Form.Field("role", label: "Role", kind: .choice(["agent", "admin"])),
            ])
    }

    mutating func userFormKey(_ key: Key) -> [Effect] {
        let limits = self.limits
        let values = fill(\.userForm, with: key) { values in
            var errors: [String: String] = [:]
            if !limits.usernameRule.admits(values["username", default: ""]) { errors["username"] = limits.usernameRule.brief }
            let name = values["displayName", default: ""].trimmingCharacters(in: .whitespaces)
            if name.isEmpty || name.count > limits.displayNameMaxLength {
                errors["displayName"] = "1–\(limits.displayNameMaxLength) characters"
            }
            let email = values["email", default: ""]
            if !email.isEmpty, !email.contains("@") || email.count > limits.emailMaxLength {
                errors["email"] = "an address with @, or nothing"
            }
            if !limits.passwordRule.admits(values["password", default: ""]) { errors["password"] = limits.passwordRule.brief }
            return errors
        }
        guard let values else { return [] }
        let email = values["email", default: ""]
        return [
            .createUser(
                CreateUserRequest(
                    username: values["username", default: ""], password: values["password", default: ""],
                    displayName: values["displayName", default: ""].trimmingCharacters(in: .whitespaces),
                    role: values["role"] == "admin" ? .admin : .agent, email: email.isEmpty ? nil : email))
        ]
    }
}
