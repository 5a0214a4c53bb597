/// Which key (or key sequence, like `C-x C-e`) does what, with a line of help for each; the
/// help overlay is made from it, and users rebind actions by name in their config.
public struct KeyMap<Action: Hashable & Sendable>: Sendable, Equatable {
    public struct Binding: Sendable, Equatable {
        public var keys: [Key]
        public var action: Action
        public var help: String
        public var group: String

        public init(_ keys: [Key], _ action: Action, help: String, group: String = "") {
            self.keys = keys
            self.action = action
            self.help = help
            self.group = group
        }

        public var keysDescription: String { keys.map(\.description).joined(separator: " ") }
    }

    public enum Resolution: Equatable, Sendable {
        case action(Action)
        /// The keys so far begin a sequence: wait for the next.
        case pending([Key])
        case unbound
    }

    public private(set) var bindings: [Binding]

    public init(_ bindings: [Binding]) {
        self.bindings = bindings
    }

    /// What `key` does after the keys already pressed (`pending`).
    public func resolve(_ key: Key, after pending: [Key] = []) -> Resolution {
        let keys = pending + [key]
        if let exact = bindings.first(where: { $0.keys == keys }) { return .action(exact.action) }
        if bindings.contains(where: { $0.keys.count > keys.count && Array($0.keys.prefix(keys.count)) == keys }) {
            return .pending(keys)
        }
        return .unbound
    }

    /// The keys of an action, for hints ("C-r search").
    public func keys(for action: Action) -> [Key]? { bindings.first { $0.action == action }?.keys }

    /// Every binding as a line of help, for `HelpOverlay` (which may show several maps together).
    public var helpRows: [HelpRow] { bindings.map { HelpRow(group: $0.group, keys: $0.keysDescription, help: $0.help) } }

    /// Binds `action` to `keys` instead of what it had; a binding those keys had is dropped.
    public mutating func rebind(_ action: Action, to keys: [Key]) {
        guard let first = bindings.firstIndex(where: { $0.action == action }) else { return }
        var binding = bindings[first]
        binding.keys = keys
        bindings.removeAll { $0.action == action || $0.keys == keys }
        bindings.insert(binding, at: min(first, bindings.count))
    }
}

/// One line of the key help: which keys, what they do, under which heading.
public struct HelpRow: Equatable, Sendable {
    public var group: String
    public var keys: String
    public var help: String

    public init(group: String, keys: String, help: String) {
        self.group = group
        self.keys = keys
        self.help = help
    }
}
