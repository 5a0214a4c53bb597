import SwitchboardProtocol
import TerminalKit

/// The new-ticket form: subject, a multi-line description, category and priority, checked
/// against the contract's limits before sending; the server's refusal shown at its field.
enum NewTicketForm {
    /// Shown as the rest of the client writes them (the ticket list's "payment · medium"), not as
    /// the contract's constants.
    static let categories = Category.allCases.map { $0.rawValue.lowercased() }
    static let priorities = Priority.allCases.map { $0.rawValue.lowercased() }

    static func make(compact: Bool) -> Form {
        var priority = Form.Field("priority", label: "Priority", kind: .choice(priorities))
        priority.choice = Priority.allCases.firstIndex(of: .medium) ?? 0
        return Form(
            title: "New ticket",
            fields: [
                Form.Field("subject", label: "Subject"),
                Form.Field("description", label: "What happened? (Enter makes a new line)", kind: .multiline(rows: compact ? 2 : 4)),
                Form.Field("category", label: "Category", kind: .choice(categories)),
                priority,
            ])
    }

    static func validate(_ values: [String: String], limits: Limits) -> [String: String] {
        var errors: [String: String] = [:]
        let subject = values["subject", default: ""].trimmingCharacters(in: .whitespacesAndNewlines)
        let description = values["description", default: ""].trimmingCharacters(in: .whitespacesAndNewlines)
        if subject.isEmpty {
            errors["subject"] = "a few words on what it is about"
        } else if subject.count > limits.subjectMaxLength {
            errors["subject"] = "at most \(limits.subjectMaxLength) characters (now \(subject.count))"
        }
        if description.isEmpty {
            errors["description"] = "tell us what happened"
        } else if description.count > limits.descriptionMaxLength {
            errors["description"] = "at most \(limits.descriptionMaxLength) characters (now \(description.count))"
        }
        return errors
    }

    static func request(_ values: [String: String]) -> CreateTicketRequest {
        CreateTicketRequest(
            subject: values["subject", default: ""].trimmingCharacters(in: .whitespacesAndNewlines),
            description: values["description", default: ""].trimmingCharacters(in: .whitespacesAndNewlines),
            category: Category(rawValue: values["category", default: ""].uppercased()) ?? .other,
            priority: Priority(rawValue: values["priority", default: ""].uppercased()))
    }

    /// The field a server sentence is about (`subject: at most 200 characters` → subject).
    static func field(of sentence: String) -> String? {
        let name = sentence.prefix { $0 != ":" }
        return ["subject", "description", "category", "priority"].contains(String(name)) ? String(name) : nil
    }
}
