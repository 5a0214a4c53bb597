/// The tester's slash commands (`ModeCommand`): `/help`, F1, Tab and the dispatch in
/// `TesterMode.command` come from here.
enum TesterCommand: String, ModeCommand {
    case connect, close, reconnect, auto, ping, get, post, put, patch, delete, filter, raw, compact, save, clear, help, launcher, quit

    static var aliases: [String: TesterCommand] { ["exit": .quit] }

    var arguments: String {
        switch self {
        case .connect: "NAME [as USER] [token TOKEN|none] [KEY=VALUE…]"
        case .get, .delete: "PATH"
        case .post, .put, .patch: "PATH JSON"
        case .filter: "[WORDS]"
        case .save: "FILE"
        default: ""
        }
    }

    var help: String {
        switch self {
        case .connect:
            "another connection: as a user (asks the password), a token, or none; presence=batched tickets=queue ask for those frames"
        case .close: "close this connection's socket"
        case .reconnect: "open this connection again"
        case .auto: "reconnect this connection by itself when it closes (on/off)"
        case .ping: "send a WebSocket ping"
        case .get: "REST: GET with this connection's token (/get /api/tickets?status=OPEN)"
        case .post: "REST: POST a JSON body"
        case .put: "REST: PUT"
        case .patch: "REST: PATCH"
        case .delete: "REST: DELETE"
        case .filter: "show frames of these types, connections or text; nothing clears"
        case .raw: "send exactly what is typed, unchecked (on/off)"
        case .compact: "a frame a line in the log, or laid out (on/off)"
        case .save: "write the log as JSON lines"
        case .clear: "empty the log"
        case .help: "keys and commands"
        case .launcher: "back to the launcher"
        case .quit: "leave Switchboard"
        }
    }
}
