/// The customer mode's slash commands (`ModeCommand`): `/help`, F1, Tab and the dispatch in
/// `CustomerMode.command` come from here.
enum CustomerCommand: String, ModeCommand {
    case new, open, close, reopen, rate, search, find, attach, save, filter, retry, edit, discard, refresh, help, logout, launcher, quit

    static var aliases: [String: CustomerCommand] { ["exit": .quit] }

    var arguments: String {
        switch self {
        case .open: "N"
        case .search: "TEXT"
        case .find: "WORDS"
        case .attach: "PATH"
        case .save: "[N] [DIR]"
        case .filter: "[STATUS]"
        case .rate: "[1-5] [COMMENT]"
        default: ""
        }
    }

    var help: String {
        switch self {
        case .new: "open a new ticket"
        case .open: "open ticket #N"
        case .close: "close the open ticket (for good)"
        case .reopen: "reopen the open ticket once it is resolved"
        case .rate: "rate how the resolved ticket went, 1 (poor) to 5 (great)"
        case .search: "find TEXT in the chat (n / N between hits)"
        case .find: "find WORDS in all your tickets (refund*, \"a phrase\", #N)"
        case .attach: "send a file (a photo, a receipt); ~ is your home"
        case .save: "save file N of the chat (default: the newest) to DIR (default: Downloads)"
        case .filter: "show tickets of one status, or all"
        case .retry: "send failed messages again"
        case .edit: "the last failed message back in the line, to change it"
        case .discard: "drop failed messages"
        case .refresh: "reload the ticket list"
        case .help: "keys and commands"
        case .logout: "sign out (the saved login is forgotten)"
        case .launcher: "back to the launcher"
        case .quit: "leave Switchboard"
        }
    }
}
